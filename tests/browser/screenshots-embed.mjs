#!/usr/bin/env node
/*
 * screenshots-embed.mjs — docs/embed-desktop.png (1280x900) and
 * docs/embed-phone.png (390x844): the demo's newsroom article page
 * (tools/demo-host.mjs, served from 127.0.0.2) with the French demo
 * liveblog embedded above its text by embed.js, its six entries posted
 * and the blog ended, as `make demo` shows it. Run from anywhere:
 * node tests/browser/screenshots-embed.mjs
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
	startStack, api, postEntry, freePort, waitUntil, REPO_ROOT,
} from '../integration/harness.mjs';
import { launchBrowser, demoEntries, DESKTOP, PHONE } from './lib.mjs';

const TITLE = 'Immigration : Washington met la pression sur ses alliés';
const hostPort = await freePort();
const article = `http://127.0.0.2:${hostPort}`;
const stack = await startStack({ daemon: { args: ['--embed-origin', article, '--publisher', 'Le Quotidien'] } });
const browser = await launchBrowser();
let host;
try {
	const blog = (await api(stack.base, 'POST', '/api/blogs', { token: stack.adminToken,
		body: { id: 'politique-migratoire', title: TITLE, lang: 'fr' } })).json;
	for (const e of demoEntries())
		await postEntry(stack, blog, { text: e.text, key: !!e.key, author: 'Rédaction',
			...(e.title ? { title: e.title } : {}) });
	await api(stack.base, 'POST', `/api/blogs/${blog.id}/end`, { token: blog.editor_token });
	host = spawn('node', [path.join(REPO_ROOT, 'tools', 'demo-host.mjs'), '127.0.0.2',
		String(hostPort), stack.base, blog.id], { stdio: 'ignore' });
	await waitUntil(() => fetch(`${article}/`).then((r) => r.ok).catch(() => false));
	for (const [name, viewport, isMobile] of [['desktop', DESKTOP, false], ['phone', PHONE, true]]) {
		const context = await browser.newContext({ viewport, isMobile, hasTouch: isMobile,
			locale: 'fr-FR', timezoneId: 'Europe/Paris', serviceWorkers: 'block' });
		const page = await context.newPage();
		await page.goto(`${article}/`);
		await page.waitForFunction(() => document.querySelector('[data-liveblog]').shadowRoot
			?.querySelectorAll('article.entry').length === 6);
		await page.waitForTimeout(500);
		const file = path.join(REPO_ROOT, 'docs', `embed-${name}.png`);
		await page.screenshot({ path: file });
		console.log(file);
		await context.close();
	}
} finally {
	host?.kill();
	await browser.close();
	await stack.stop();
}
