// "Show older updates" in Chromium (SPEC part two, long blogs): the page
// holds the newest --page-entries entries; the button loads the older ones
// page by page below them, each once, in order, leaves out one deleted
// meanwhile, keeps live updates coming, and goes away at the first entry.
// A key event older than the page sits in the summary, linking to its own
// page, until the page holds it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, api, createBlog, postEntry, uniqueId,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, entryIds, waitEntry } from './lib.mjs';

describe('show older updates', { timeout: 120000 }, () => {
	let browser;
	let redis;
	let d;

	before(async () => {
		browser = await launchBrowser();
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, args: ['--page-entries', '10'] });
	});
	after(async () => {
		await browser?.close();
		await d?.stop();
		await redis?.stop();
	});

	it('loads older entries below, each once, until the first', async () => {
		const b = await createBlog(d, { id: uniqueId('older'), title: 'Long' });
		const ids = [];
		for (let i = 0; i < 75; i++)
			ids.push((await postEntry(d, b, { text: `Entrée ${i}`, key: i === 2 })).id);
		const newestFirst = [...ids].reverse();
		const view = await openPage(browser, d.base, `/blogs/${b.id}`);
		const { page } = view;
		try {
			assert.deepEqual(await entryIds(page), newestFirst.slice(0, 10));
			/* the old key event: in the summary, linking to its own page */
			const keyLink = page.locator('#key-list a');
			assert.equal(await keyLink.count(), 1);
			assert.equal(await keyLink.getAttribute('href'), `${d.base}/blogs/${b.id}/entries/${ids[2]}`);
			const button = page.locator('#show-older');
			assert.equal((await button.textContent()).trim(), 'Show older updates');

			/* deleted before it is loaded: never shown */
			await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${ids[50]}`, { token: b.editor_token });
			const live = await postEntry(d, b, { text: 'Live while reading' });
			await waitEntry(page, live.id);
			await button.click();
			await page.waitForFunction(() => document.querySelectorAll('#entries article').length > 11);
			const want = [live.id, ...newestFirst.filter((id) => id !== ids[50])];
			assert.deepEqual(await entryIds(page), want.slice(0, 41), 'ten, the live one, thirty older');
			await button.click();
			await page.waitForFunction(() => document.querySelectorAll('#entries article').length > 41);
			await button.click();
			await page.waitForFunction(() => document.getElementById('older').hidden);
			assert.deepEqual(await entryIds(page), want, 'every entry once, in order');
			/* the key event is in the page now: the summary links to it there */
			assert.equal(await keyLink.getAttribute('href'), `#entry-${ids[2]}`);
			assert.deepEqual(view.errors, []);
			assert.deepEqual(view.foreign(), []);
		} finally {
			await view.close();
		}
	});
});
