// The server-rendered reader page in Chromium (SPEC: Pages — "The server
// renders the current entries into the HTML itself (readable with
// JavaScript off, ...), and the page's script takes over live from the seq
// it was rendered at"): with JavaScript disabled the entries, the title and
// the ENDED banner are there; with JavaScript on, the script resumes from
// the rendered seq with no gap and no duplicate.
import { compareSeq } from '../../www/render.js';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, uniqueId, sleep,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, entryIds, waitEntry, DESKTOP } from './lib.mjs';

/* A page with JavaScript disabled; every request is recorded. */
async function openNoJs(browser, base, urlPath) {
	const context = await browser.newContext({
		javaScriptEnabled: false, viewport: DESKTOP, timezoneId: 'Europe/Paris',
		locale: 'en-GB', serviceWorkers: 'block',
	});
	const page = await context.newPage();
	const view = { page, context, requests: [], sockets: [] };
	page.on('request', (r) => view.requests.push(r.url()));
	page.on('websocket', (w) => view.sockets.push(w.url()));
	view.response = await page.goto(base + urlPath);
	view.close = () => context.close();
	return view;
}

/* The ids of the articles in #entries, in page order, without running page
 * script (works with JavaScript disabled). */
async function articleIds(page) {
	const arts = page.locator('#entries article.entry');
	const n = await arts.count();
	const ids = [];
	for (let i = 0; i < n; i++)
		ids.push(await arts.nth(i).getAttribute('data-entry-id'));
	return ids;
}

/* The visible text of an entry's body, line by line (<p>, <br>, <li>). */
async function bodyLines(page, id) {
	const text = await page.locator(`#entries #entry-${id} .entry-body`).innerText();
	return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

describe('reader page without and with JavaScript', { timeout: 120000 }, () => {
	let s;
	let browser;
	const views = [];

	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
	});
	after(async () => {
		for (const v of views)
			await v.close().catch(() => { });
		await browser?.close();
		await s?.stop();
	});

	it('JavaScript off, ended blog: title, ENDED badge and banner, entries newest first', async () => {
		const title = 'Fin du sommet « G7 » & <bilan>';
		const b = await createBlog(s, { id: uniqueId('nojsend'), title });
		const tok = b.editor_token;
		const e1 = await postEntry(s, b, { text: 'Premier paragraphe.\n\n* puce un\n* puce deux <b>gras?</b>', author: 'Rédaction' });
		const e2 = await postEntry(s, b, { text: 'Un moment clé.', title: 'Annonce', key: true });
		const e3 = await postEntry(s, b, { text: 'DELETED-TEXT will vanish' });
		const e4 = await postEntry(s, b, { text: 'Avant correction' });
		assert.equal((await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e4.id}`, { body: { text: 'Après correction\nligne deux' }, token: tok })).status, 200);
		assert.equal((await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e3.id}`, { token: tok })).status, 200);
		assert.equal((await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: tok })).status, 200);

		const view = await openNoJs(browser, s.base, `/blogs/${b.id}`);
		views.push(view);
		const { page } = view;
		assert.equal(view.response.status(), 200);
		assert.equal((await page.locator('#blog-title').innerText()).trim(), title);
		assert.match(await page.title(), /Fin du sommet « G7 » & <bilan>/);
		const badge = page.locator('#state-badge');
		assert.ok(await badge.isVisible(), 'the badge is visible');
		assert.equal((await badge.innerText()).trim(), 'ENDED');
		const banner = page.locator('#ended-banner');
		assert.ok(await banner.isVisible(), 'the ended banner is visible');
		assert.equal((await banner.innerText()).trim(), 'The liveblog has ended.');
		assert.equal(await page.locator('#empty').isVisible(), false, '"No liveblog updates yet." hidden');

		assert.deepEqual(await articleIds(page), [e4.id, e2.id, e1.id], 'newest first, the deleted entry left out');
		for (const id of [e4.id, e2.id, e1.id])
			assert.ok(await page.locator(`#entries #entry-${id}`).isVisible(), `entry ${id} visible`);
		assert.deepEqual(await bodyLines(page, e4.id), ['Après correction', 'ligne deux']);
		assert.deepEqual(await bodyLines(page, e2.id), ['Un moment clé.']);
		assert.deepEqual(await bodyLines(page, e1.id), ['Premier paragraphe.', 'puce un', 'puce deux <b>gras?</b>']);
		assert.equal(await page.locator(`#entry-${e1.id} .entry-body ul li`).count(), 2, 'bullets are list items');
		assert.equal(await page.locator(`#entry-${e1.id} .entry-body b`).count(), 0, 'no <b> element from the text');
		assert.equal((await page.locator(`#entry-${e2.id} .entry-title`).innerText()).trim(), 'Annonce');
		assert.match(await page.locator(`#entry-${e4.id} .entry-meta`).innerText(), /updated/);
		assert.doesNotMatch(await page.locator(`#entry-${e1.id} .entry-meta`).innerText(), /updated/);
		assert.equal(await page.getByText('DELETED-TEXT').count(), 0, 'the deleted text is nowhere');
		assert.equal(await page.getByText('Avant correction').count(), 0, 'the text before the edit is nowhere');
		// the permalink of each entry is on the page
		assert.equal(await page.locator(`#entry-${e2.id} a.entry-permalink`).getAttribute('href'), `${s.base}/blogs/${b.id}/entries/${e2.id}`);
		assert.deepEqual(view.sockets, [], 'no WebSocket without JavaScript');
		const origin = new URL(s.base).host;
		assert.deepEqual(view.requests.filter((u) => new URL(u).host !== origin), [], 'no foreign request');
	});

	it('JavaScript off, live blog: LIVE badge, entries visible, banner hidden; empty blog says so', async () => {
		const b = await createBlog(s, { id: uniqueId('nojslive'), title: 'En direct' });
		const e1 = await postEntry(s, b, { text: 'premier' });
		const e2 = await postEntry(s, b, { text: 'second' });
		const view = await openNoJs(browser, s.base, `/blogs/${b.id}`);
		views.push(view);
		const { page } = view;
		assert.equal((await page.locator('#state-badge').innerText()).trim(), 'LIVE');
		assert.ok(await page.locator('#state-badge').isVisible());
		assert.equal(await page.locator('#ended-banner').isVisible(), false);
		assert.deepEqual(await articleIds(page), [e2.id, e1.id]);
		assert.ok(await page.getByText('premier', { exact: true }).isVisible());
		assert.ok(await page.getByText('second', { exact: true }).isVisible());

		const empty = await createBlog(s, { id: uniqueId('nojsempty'), title: 'Rien encore' });
		const v2 = await openNoJs(browser, s.base, `/blogs/${empty.id}`);
		views.push(v2);
		assert.ok(await v2.page.getByText('No liveblog updates yet.').isVisible(), '"No liveblog updates yet." shown');
		assert.equal(await v2.page.locator('#entries article').count(), 0);
		assert.equal((await v2.page.locator('#blog-title').innerText()).trim(), 'Rien encore');
	});

	it('JavaScript on: the script takes over from the rendered seq, no gap, no duplicate', async () => {
		const b = await createBlog(s, { id: uniqueId('takeover'), title: 'Take over' });
		const tok = b.editor_token;
		const e1 = await postEntry(s, b, { text: 'one, to be edited' });
		const e2 = await postEntry(s, b, { text: 'two, to be deleted' });
		const e3 = await postEntry(s, b, { text: 'three' });

		// hold the page script until the log has moved past the rendered seq
		let release;
		const held = new Promise((r) => { release = r; });
		let hit;
		const scriptRequested = new Promise((r) => { hit = r; });
		const opening = openPage(browser, s.base, `/blogs/${b.id}`, {
			beforeGoto: (page) => page.route('**/reader.js', async (route) => {
				hit();
				await held;
				await route.continue();
			}),
		});
		await scriptRequested;
		// the HTML is out (rendered at e3); these happen before the script runs
		const gap = await postEntry(s, b, { text: 'posted between render and script' });
		assert.equal((await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e1.id}`, { body: { text: 'one, edited after render' }, token: tok })).status, 200);
		assert.equal((await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e2.id}`, { token: tok })).status, 200);
		release();
		const view = await opening;
		views.push(view);
		const { page } = view;

		const html = await view.response.text();
		const rendered = /<main\s[^>]*data-seq="([^"]*)"/.exec(html.replace(/<!--[\s\S]*?-->/g, ''));
		assert.ok(rendered, 'the page carries data-seq');
		assert.equal(rendered[1], e3.seq, 'rendered at the last event before the script ran');
		assert.ok(html.includes(`id="entry-${e2.id}"`), 'e2 was in the rendered HTML');

		await waitEntry(page, gap.id);
		await page.locator(`#entries #entry-${e2.id}`).waitFor({ state: 'detached', timeout: 10000 });
		await page.getByText('one, edited after render').waitFor({ timeout: 10000 });
		// the feed resumed from the rendered seq; a reconnect (seen once on a
		// machine at load 10) must resume too, never start over
		assert.ok(view.sockets.length >= 1, 'a WebSocket was opened');
		const since = new URL(view.sockets[0]).searchParams.get('since');
		assert.equal(since, e3.seq, 'the feed resumes from data-seq');
		for (const url of view.sockets.slice(1)) {
			const later = new URL(url).searchParams.get('since');
			assert.ok(later && compareSeq(later, e3.seq) >= 0, `a reconnect resumes at or after data-seq: ${url}`);
		}
		assert.deepEqual(await entryIds(page), [gap.id, e3.id, e1.id]);

		// a live entry appears once, on top
		const live = await postEntry(s, b, { text: 'live after load' });
		await waitEntry(page, live.id);
		await sleep(300);
		assert.deepEqual(await entryIds(page), [live.id, gap.id, e3.id, e1.id], 'each entry exactly once, newest first');
		assert.equal(await page.locator(`#entries #entry-${live.id}`).count(), 1);
		assert.equal(await page.getByText('live after load').count(), 1);
		assert.equal(await page.locator('#state-badge').innerText(), 'LIVE');
		assert.deepEqual(view.foreign(), [], 'no request to another host');
		assert.deepEqual(view.errors, [], 'no script error');
	});

	it('JavaScript on, ended blog: the rendered entries stay, no feed is opened', async () => {
		const b = await createBlog(s, { id: uniqueId('jsended'), title: 'Closed' });
		const e1 = await postEntry(s, b, { text: 'a' });
		const e2 = await postEntry(s, b, { text: 'b' });
		assert.equal((await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token })).status, 200);
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		views.push(view);
		const { page } = view;
		await page.locator('#ended-banner').waitFor({ state: 'visible' });
		await sleep(500);
		assert.deepEqual(await entryIds(page), [e2.id, e1.id]);
		assert.equal((await page.locator('#state-badge').innerText()).trim(), 'ENDED');
		assert.deepEqual(view.sockets, [], 'an ended page opens no feed');
		assert.deepEqual(view.errors, []);
	});
});
