/**
 * `POST /mailFolders/{id}/copy` (mailfolder-copy.md): copies the folder with its messages and
 * subfolders into the destination (an id or a well-known name). Every copy gets new ids; the
 * original is untouched. (Get, Update, Move and childFolders live in mail-routes.ts.)
 */
import { addFolder, childFolders, folderJson, folderNameTaken, newFolderId, type MailboxState, type MailFolder } from './mail-store';
import { MailInputError } from './mail-messages';
import { copyStoredMessage, destinationIdOf, json, mailHandler, requireFolder, requireJsonObject, userContext } from './mail-routes';
import { isSameOrDescendant } from './mail-store';
import type { EmulatorCore, GraphRequest, Reply } from './types';

export function registerFolderOpsRoutes(core: EmulatorCore): void {
	core.mailboxRoute('POST', '/mailFolders/:folderId/copy', mailHandler(core, (req, state) => copyFolder(core, req, state)));
}

function copyFolder(core: EmulatorCore, req: GraphRequest, state: MailboxState): Reply {
	const folder = requireFolder(state, req.params.folderId);
	const destination = requireFolder(state, destinationIdOf(requireJsonObject(req)));
	if (folder.wellKnownName) {
		throw new MailInputError(403, 'ErrorCopyDistinguishedFolder', 'Distinguished folders cannot be copied.');
	}
	if (isSameOrDescendant(state, folder.id, destination.id)) {
		throw new MailInputError(400, 'ErrorMoveCopyFailed', 'A folder cannot be copied into itself or one of its subfolders.');
	}
	if (folderNameTaken(state, destination.id, folder.displayName)) {
		throw new MailInputError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
	}
	const copy = copyTree(core, state, folder, destination);
	// The page's text says "200 OK" for copy (as for move); the brief of issue 18 assumed 201. The docs win.
	return json(200, { '@odata.context': `${userContext(state)}/mailFolders/$entity`, ...folderJson(state, copy) });
}

function copyTree(core: EmulatorCore, state: MailboxState, source: MailFolder, parent: MailFolder): MailFolder {
	const children = childFolders(state, source.id);
	const copy = addFolder(state, { id: newFolderId(state), displayName: source.displayName, parentFolderId: parent.id, isHidden: source.isHidden });
	for (const id of source.messageIds) {
		const message = state.messages.get(id);
		if (message) copyStoredMessage(core, state, message, copy);
	}
	for (const child of children) copyTree(core, state, child, copy);
	return copy;
}
