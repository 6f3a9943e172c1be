// The reader's connection handling (SPEC: Live push, rule 3): a daemon
// restart shows "Reconnecting…" and resumes from the last seq without gaps
// or duplicates; a "slow" close resumes from the last seq; stale or
// duplicate events are ignored; "reset" rebuilds the page from scratch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, startStack, api, createBlog, postEntry, uniqueId,
	waitUntil, allEvents,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, entryIds, waitEntry } from './lib.mjs';

/* Chromium logs refused WebSocket handshakes while the daemon is down. */
const expectedWhileDown = (e) => /WebSocket connection to .* failed/.test(e);

describe('reader reconnects', { timeout: 120000 }, () => {
	let browser;
	before(async () => { browser = await launchBrowser(); });
	after(async () => { await browser?.close(); });

	it('shows "Reconnecting…" while the daemon is down and resumes on a new daemon without gaps or duplicates', async () => {
		const redis = await startRedis();
		const adminToken = 'browser-admin';
		let d1 = await startDaemon({ redisUrl: redis.url, adminToken });
		let d2 = null;
		try {
			const blog = await createBlog(d1, { id: uniqueId('rc'), title: 'Restart' });
			const a = await postEntry(d1, blog, { text: 'Before the restart' });
			const view = await openPage(browser, d1.base, `/blogs/${blog.id}`);
			const { page } = view;
			await waitEntry(page, a.id);
			await page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
			assert.equal(await page.locator('#conn-status').isVisible(), false);

			const port = d1.port;
			await d1.stop();
			d1 = null;
			await page.locator('#conn-status', { hasText: 'Reconnecting…' }).waitFor({ timeout: 5000 });
			assert.ok(await page.locator('#conn-status').isVisible(), 'the reconnecting state is visible');
			await page.waitForTimeout(1500);	/* a few failed attempts */

			d2 = await startDaemon({ redisUrl: redis.url, adminToken, port });
			const b = await postEntry(d2, blog, { text: 'After the restart, 1' });
			const c = await postEntry(d2, blog, { text: 'After the restart, 2' });
			await waitEntry(page, b.id, { timeout: 30000 });
			await waitEntry(page, c.id, { timeout: 10000 });
			await page.locator('#conn-status').waitFor({ state: 'hidden' });

			const d = await postEntry(d2, blog, { text: 'Live again' });
			await waitEntry(page, d.id);
			await page.waitForTimeout(300);
			assert.deepEqual(await entryIds(page), [d.id, c.id, b.id, a.id], 'every entry once, in order');

			/* the reconnect resumed from the last seq seen */
			const evs = await allEvents(d2.base, blog.id);
			const resumes = view.sockets.slice(1).map((u) => new URL(u).searchParams.get('since'));
			assert.ok(resumes.length >= 1, 'reconnected');
			assert.ok(resumes.every((x) => x === evs[0].seq), `resumed with since=${evs[0].seq}: ${resumes}`);

			await view.close();
			assert.deepEqual(view.foreign(), []);
			assert.deepEqual(view.errors.filter((e) => !expectedWhileDown(e)), []);
		} finally {
			if (d1)
				await d1.kill9();
			if (d2)
				await d2.stop();
			await redis.stop();
		}
	});

	describe('with the stream intercepted', () => {
		let s;
		before(async () => { s = await startStack(); });
		after(async () => { await s?.stop(); });

		/* interceptedPage(blog): a reader page whose WebSocket goes through a
		 * Playwright route: routes[i] is the i-th connection, with .page
		 * (the page side: .send injects a frame) and .url. */
		async function interceptedPage(blog) {
			const routes = [];
			const view = await openPage(browser, s.base, `/blogs/${blog.id}`, {
				beforeGoto: (page) => page.routeWebSocket(/\/ws\/blogs\//, (ws) => {
					ws.connectToServer();
					routes.push({ page: ws, url: ws.url() });
				}),
			});
			return { view, page: view.page, routes };
		}

		it('resumes with ?since=<last seq> after a 1008 "slow" close', async () => {
			const blog = await createBlog(s, { id: uniqueId('rc'), title: 'Slow' });
			const a = await postEntry(s, blog, { text: 'One' });
			const b = await postEntry(s, blog, { text: 'Two' });
			const { view, page, routes } = await interceptedPage(blog);
			await waitEntry(page, b.id);
			// the server rendered One and Two: the script goes live from there
			assert.equal(new URL(routes[0].url).searchParams.get('since'), b.seq, 'first connection from the rendered seq');
			await routes[0].page.close({ code: 1008, reason: 'slow' });
			await waitUntil(() => routes.length >= 2, { timeout: 10000, message: 'a reconnection' });
			assert.equal(new URL(routes[1].url).searchParams.get('since'), b.seq);
			const c = await postEntry(s, blog, { text: 'Three' });
			await waitEntry(page, c.id);
			assert.deepEqual(await entryIds(page), [c.id, b.id, a.id]);
			await view.close();
			assert.deepEqual(view.foreign(), []);
		});

		it('ignores an event whose seq is not greater than the last applied', async () => {
			const blog = await createBlog(s, { id: uniqueId('rc'), title: 'Dup' });
			const a = await postEntry(s, blog, { text: 'Original' });
			const { view, page, routes } = await interceptedPage(blog);
			await waitEntry(page, a.id);
			const [ev] = await allEvents(s.base, blog.id);
			/* the same event again, and an older one with new content */
			routes[0].page.send(JSON.stringify(ev));
			routes[0].page.send(JSON.stringify({
				type: 'entry', seq: '1-0',
				entry: { ...ev.entry, id: '00000000-0000-4000-8000-000000000000', seq: '1-0', text: 'Stale' },
			}));
			routes[0].page.send(JSON.stringify({
				type: 'edit', seq: ev.seq, entry: { ...ev.entry, text: 'Replayed edit', revision: 2 },
			}));
			const b = await postEntry(s, blog, { text: 'Next' });
			await waitEntry(page, b.id);
			assert.deepEqual(await entryIds(page), [b.id, a.id]);
			assert.equal(await page.getByText('Stale').count(), 0);
			assert.equal(await page.getByText('Replayed edit').count(), 0);
			await view.close();
		});

		it('rebuilds from scratch on "reset"', async () => {
			const blog = await createBlog(s, { id: uniqueId('rc'), title: 'Reset' });
			const a = await postEntry(s, blog, { text: 'Kept' });
			const gone = await postEntry(s, blog, { text: 'Gone after reset', key: true });
			const { view, page, routes } = await interceptedPage(blog);
			await waitEntry(page, gone.id);
			/* the server's answer to an unknown since: reset, then the log
			 * (here: a log in which only the first entry exists) */
			const [ev] = await allEvents(s.base, blog.id);
			const r = routes[0].page;
			r.send(JSON.stringify({ type: 'reset' }));
			r.send(JSON.stringify(ev));
			r.send(JSON.stringify({ type: 'live', seq: ev.seq }));
			await page.locator(`#entry-${gone.id}`).waitFor({ state: 'detached' });
			assert.deepEqual(await entryIds(page), [a.id]);
			assert.equal(await page.locator('#key-events').isVisible(), false);
			await view.close();
		});

		it('says the blog does not exist instead of retrying for ever', async () => {
			const view = await openPage(browser, s.base, `/blogs/${uniqueId('nope')}`);
			/* the daemon may refuse the page itself; else the script says so */
			if (view.response.status() !== 404)
				await view.page.getByText('There is no liveblog at this address.').waitFor({ timeout: 10000 });
			await view.page.waitForTimeout(1500);
			assert.ok(view.sockets.length <= 1, `no reconnect loop: ${view.sockets.length} sockets`);
			await view.close();
			assert.deepEqual(view.foreign(), []);
		});

		it('keeps a reconnecting page consistent with what a fresh page shows', async () => {
			const blog = await createBlog(s, { id: uniqueId('rc'), title: 'Consistent' });
			const { view, page, routes } = await interceptedPage(blog);
			await page.getByText('No liveblog updates yet.').waitFor();
			const made = [];
			for (let i = 0; i < 5; i++) {
				made.push(await postEntry(s, blog, { text: `E${i}` }));
				if (i === 2)
					await routes[routes.length - 1].page.close({ code: 1001, reason: 'going away' });
			}
			const edit = await api(s.base, 'PATCH', `/api/blogs/${blog.id}/entries/${made[1].id}`,
				{ body: { text: 'E1 fixed' }, token: blog.editor_token });
			assert.equal(edit.status, 200, edit.text);
			await waitEntry(page, made[4].id, { timeout: 15000 });
			await page.getByText('E1 fixed').waitFor();
			const fresh = await openPage(browser, s.base, `/blogs/${blog.id}`);
			await waitEntry(fresh.page, made[4].id);
			assert.deepEqual(await entryIds(page), await entryIds(fresh.page));
			assert.deepEqual(await entryIds(page), made.map((e) => e.id).reverse());
			await fresh.close();
			await view.close();
		});
	});
});
