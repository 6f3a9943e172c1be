#!/usr/bin/env node
/*
 * screenshots.mjs — docs/reader-desktop.png (1280x900) and
 * docs/reader-phone.png (390x844): the reader page with the demo content
 * (demo/article-fr.jsonl, its six entries with title and key) posted to a
 * fresh liveblogd + redis. Run from anywhere: node tests/browser/screenshots.mjs
 */
import path from 'node:path';
import { startStack, createBlog, postEntry, REPO_ROOT } from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry, demoEntries, DESKTOP, PHONE } from './lib.mjs';

const TITLE = 'Immigration : Washington demande à ses ambassadeurs de faire pression sur l’Europe';

const stack = await startStack();
const browser = await launchBrowser();
try {
	const blog = await createBlog(stack, { id: 'politique-migratoire', title: TITLE });
	let last = null;
	for (const e of demoEntries()) {
		const body = { text: e.text, key: !!e.key, author: 'La rédaction' };
		if (e.title)
			body.title = e.title;
		last = await postEntry(stack, blog, body);
	}
	for (const [name, viewport, isMobile] of [['desktop', DESKTOP, false], ['phone', PHONE, true]]) {
		const view = await openPage(browser, stack.base, `/blogs/${blog.id}`,
			{ viewport, isMobile, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
		await waitEntry(view.page, last.id);
		await view.page.locator('#readers').waitFor({ timeout: 8000 }).catch(() => {});
		await view.page.waitForTimeout(4500);	/* the arrival highlight fades */
		const file = path.join(REPO_ROOT, 'docs', `reader-${name}.png`);
		await view.page.screenshot({ path: file });
		console.log(file);
		if (view.foreign().length)
			throw new Error(`requests to other hosts: ${view.foreign()}`);
		await view.close();
	}
} finally {
	await browser.close();
	await stack.stop();
}
