/**
 * The emulator's mail module: mail folders, messages (list/get/create/update/delete/move/copy,
 * `$value` MIME), attachments and upload sessions, sendMail / send / reply / forward with delivery
 * to emulator users, seeding helpers and control routes. State lives per mailbox in
 * `core.moduleState(userId, 'mail', ...)`.
 */
import { registerFolderRoutes, registerMessageRoutes } from './mail-routes';
import { registerAttachmentRoutes } from './mail-attachments';
import { registerFolderOpsRoutes } from './mail-folders-ops';
import { clearSentLog, registerSendRoutes } from './mail-send';
import { registerSeedControlRoutes, seedDefaultMail } from './mail-seed';
import { clearUploadSessions, registerUploadRoutes } from './mail-upload';
import type { EmulatorCore } from './types';

export { deliverMail, seedDefaultMail, seedMessages, seedMime, seedPayload } from './mail-seed';
export type { DeliverMailOptions, SeedMessagesOptions, SeedMessagesResult } from './mail-seed';
export { clearSentLog, sentLog } from './mail-send';
export type { SentMailRecord, SendVia } from './mail-send';
export { mailboxOf } from './mail-store';
export type { MailboxState, MessageJson, StoredMessage } from './mail-store';

export function register(core: EmulatorCore): void {
	registerFolderRoutes(core);
	registerMessageRoutes(core);
	registerAttachmentRoutes(core);
	registerFolderOpsRoutes(core);
	registerSendRoutes(core);
	registerUploadRoutes(core);
	registerSeedControlRoutes(core);
	// The core clears module state before calling reset listeners; rebuild what we own.
	core.onReset(() => {
		clearSentLog(core);
		clearUploadSessions(core);
		if (core.options.seedDefaults) seedDefaultMail(core);
	});
	if (core.options.seedDefaults) seedDefaultMail(core);
}
