// Links in entry text (SPEC "Pictures": http(s) URLs become links with
// rel="nofollow noopener noreferrer"; nothing else becomes markup), in
// Chromium: www/render.js's findLinks against the shared cases of
// tests/unit/links.json (the C linkifier's too), and the server's HTML of
// every case against the script's rendering of the same text, node for
// node, also for entries that arrive live.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, createBlog, postEntry, uniqueId, REPO_ROOT } from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry } from './lib.mjs';

const CASES = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tests/unit/links.json'), 'utf8'));

describe('links', { timeout: 120000 }, () => {
	let s, browser, b, posted;
	before(async () => {
		/* every case on the server-rendered page (53 > the default 30) */
		s = await startStack({ daemon: { args: ['--page-entries', '100'] } });
		browser = await launchBrowser();
		b = await createBlog(s, { id: uniqueId('links') });
		posted = [];
		for (const c of CASES)
			posted.push(await postEntry(s, b, { text: `${c.text}\n\n* ${c.text}` }));
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	it('findLinks gives the shared cases\' links in the browser', async () => {
		const view = await openPage(browser, s.base, '/');
		const got = await view.page.evaluate(async (cases) => {
			const m = await import('/render.js');
			return cases.map((c) => m.findLinks(c.text).map(({ start, end }) => c.text.slice(start, end)));
		}, CASES);
		CASES.forEach((c, i) => assert.deepEqual(got[i], c.links, JSON.stringify(c.text).slice(0, 80)));
		await view.close();
	});

	it('the server renders every case exactly as the script does (paragraph and bullet)', async () => {
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		const diffs = await view.page.evaluate(async ({ path, entries }) => {
			const m = await import('/render.js');
			const html = await (await fetch(path)).text();
			const doc = new DOMParser().parseFromString(html, 'text/html');
			const out = [];
			for (const e of entries) {
				const server = doc.querySelector(`#entry-${e.id} .entry-body`);
				const div = document.createElement('div');
				div.appendChild(m.renderText(e.text));
				if (!server || server.innerHTML !== div.innerHTML)
					out.push({ text: e.text.slice(0, 60), server: server?.innerHTML.slice(0, 300), script: div.innerHTML.slice(0, 300) });
			}
			return out;
		}, { path: `/blogs/${b.id}`, entries: posted });
		assert.deepEqual(diffs, []);
		// every anchor is an http(s) link with the rel, its text its href
		const anchors = await view.page.$$eval('#entries .entry-body a', (as) => as.map((a) => ({
			href: a.getAttribute('href'), rel: a.getAttribute('rel'), text: a.textContent,
			attrs: a.getAttributeNames().sort().join(' '),
		})));
		const want = CASES.reduce((n, c) => n + 2 * c.links.length, 0);
		assert.equal(anchors.length, want);
		for (const a of anchors) {
			assert.match(a.href, /^https?:\/\//i);
			assert.equal(a.rel, 'nofollow noopener noreferrer');
			assert.equal(a.text, a.href);
			assert.equal(a.attrs, 'href rel');
		}
		assert.equal(await view.page.$$eval('#entries .entry-body *', (els) =>
			els.filter((el) => !['P', 'BR', 'UL', 'LI', 'A'].includes(el.tagName)).length), 0,
		'nothing but paragraphs, lists and links');
		await view.close();
	});

	it('an entry that arrives live gets the same links; no script or handler runs from text', async () => {
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		await view.page.evaluate(() => { window.__pwned = 0; });
		const text = 'Live: https://example.org/live?a=1&b=2. <img src=x onerror="window.__pwned=1"> javascript:window.__pwned=2';
		const e = await postEntry(s, b, { text });
		await waitEntry(view.page, e.id);
		const got = await view.page.$eval(`#entry-${e.id} .entry-body`, (el) => el.innerHTML);
		assert.equal(got, '<p>Live: <a href="https://example.org/live?a=1&amp;b=2" rel="nofollow noopener noreferrer">' +
			'https://example.org/live?a=1&amp;b=2</a>. &lt;img src=x onerror="window.__pwned=1"&gt; ' +
			'javascript:window.__pwned=2</p>');
		assert.equal(await view.page.evaluate(() => window.__pwned), 0);
		assert.deepEqual(view.errors, []);
		await view.close();
	});
});
