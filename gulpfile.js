// Copies what tsc does not: node/credential icons and the codex (.node.json) files, into dist/.
const { src, dest, parallel } = require('gulp');

function copyIcons() {
	return src('icons/**/*.svg').pipe(dest('dist/icons'));
}

function copyCodex() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports['build:assets'] = parallel(copyIcons, copyCodex);
exports['build:icons'] = copyIcons;
exports.default = exports['build:assets'];
