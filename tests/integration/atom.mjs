/*
 * atom.mjs — Atom feeds checked with a real parser: xmllint (Debian's
 * libxml2-utils) against RFC 4287's RELAX NG schema (tests/feeds/atom.rng),
 * and XPath over the result.
 *
 *   validateAtom(xml, dir) -> file   writes xml into dir and validates it,
 *       or throws with xmllint's words
 *   xpath(file, expr) -> string      '' when the set is empty
 *   A(name)                          an element by local name (the Atom
 *       namespace is the default one)
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from './harness.mjs';

const SCHEMA = path.join(REPO_ROOT, 'tests', 'feeds', 'atom.rng');
let n = 0;

export function validateAtom(xml, dir) {
	const file = path.join(dir, `feed-${process.pid}-${n++}.atom`);
	fs.writeFileSync(file, xml);
	try {
		execFileSync('xmllint', ['--noout', '--relaxng', SCHEMA, file], { stdio: 'pipe' });
	} catch (e) {
		throw new Error(`xmllint: ${e.stderr}`);
	}
	return file;
}

export function xpath(file, expr) {
	try {
		/* xmllint ends what it prints with a line end */
		return execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8', stdio: 'pipe' })
			.replace(/\n$/, '');
	} catch (e) {
		if (/XPath set is empty/.test(e.stderr))
			return '';
		throw e;
	}
}

export const A = (name) => `*[local-name()='${name}']`;
