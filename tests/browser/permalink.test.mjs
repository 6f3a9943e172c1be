// An entry's own page in Chromium (SPEC part two: "/blogs/{id}/entries/
// {entry}: the reader page with that entry in view and highlighted"): the
// entry is scrolled into view and marked, the page stays live, and an edit
// of the entry keeps the mark; its permalink links lead there. And the
// feeds the page links to (<link rel="alternate">) parse in the browser.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, createBlog, postEntry, uniqueId } from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry, PHONE } from './lib.mjs';

describe('an entry\'s own page', { timeout: 120000 }, () => {
	let s;
	let browser;

	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	it('scrolls to the entry, marks it, stays live', async () => {
		const b = await createBlog(s, { id: uniqueId('pl'), title: 'Long match' });
		const ids = [];
		for (let i = 0; i < 25; i++)
			ids.push((await postEntry(s, b, { text: `Minute ${i}.\n\nUn paragraphe pour prendre de la place, ${i}.` })).id);
		const target = ids[3];   /* far down the page */
		const view = await openPage(browser, s.base, `/blogs/${b.id}/entries/${target}`, { viewport: PHONE });
		const { page } = view;
		try {
			assert.equal(view.response.status(), 200);
			const art = page.locator(`#entry-${target}`);
			await page.waitForFunction((id) => {
				const r = document.getElementById(`entry-${id}`).getBoundingClientRect();
				return r.top >= 0 && r.top < innerHeight;
			}, target);
			assert.match(await art.getAttribute('class'), /\bentry-target\b/);
			assert.equal(await page.locator('.entry-target').count(), 1);
			assert.ok(await page.evaluate(() => scrollY > 0), 'scrolled down to it');

			const late = await postEntry(s, b, { text: 'Fin du match.' });
			await waitEntry(page, late.id);
			await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${target}`,
				{ body: { text: 'Minute 3, corrigée.' }, token: b.editor_token });
			await page.locator(`#entry-${target}`, { hasText: 'corrigée' }).waitFor();
			assert.match(await page.locator(`#entry-${target}`).getAttribute('class'), /\bentry-target\b/);
			const href = await page.locator(`#entry-${late.id} a.entry-permalink`).getAttribute('href');
			assert.equal(href, `${s.base}/blogs/${b.id}/entries/${late.id}`);
			assert.deepEqual(view.errors, []);
			assert.deepEqual(view.foreign(), []);

			/* the feeds it links to: Chromium's XML parser and JSON.parse take them */
			const feeds = await page.evaluate(async () => {
				const out = {};
				for (const link of document.querySelectorAll('link[rel="alternate"]')) {
					const text = await (await fetch(link.href)).text();
					if (link.type === 'application/atom+xml') {
						const doc = new DOMParser().parseFromString(text, 'application/xml');
						out.atom = {
							error: !!doc.querySelector('parsererror'),
							root: doc.documentElement.namespaceURI,
							entries: doc.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'entry').length,
							first: doc.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'id')[1]?.textContent,
						};
					} else {
						const j = JSON.parse(text);
						out.json = { version: j.version, items: j.items.length, first: j.items[0].id };
					}
				}
				return out;
			});
			assert.deepEqual(feeds.atom, { error: false, root: 'http://www.w3.org/2005/Atom',
				entries: 26, first: `urn:uuid:${late.id}` });
			assert.deepEqual(feeds.json, { version: 'https://jsonfeed.org/version/1.1', items: 26,
				first: `urn:uuid:${late.id}` });
		} finally {
			await view.close();
		}
	});
});
