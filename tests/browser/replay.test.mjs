// The reader page in replay mode, /blogs/{id}?replay=N (SPEC: Live push
// "?replay=SPEED", Pages "?replay=10 replays"): the list is rebuilt from
// an empty one at the log's pace, with a REPLAY badge and a replay bar —
// play/pause, speed, a timeline to seek on, the time of the last replayed
// event — all keyboard operable, and no request to another host.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, uniqueId, waitUntil, allEvents, sleep,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, entryIds, waitEntry } from './lib.mjs';

const GAP_MS = 400;

/* Runs in the page before its scripts: records every entry added to
 * #entries after the page's own script ran (DOMContentLoaded comes after
 * module scripts) with the time it arrived and the ids the list held then,
 * and how many entries the list held at DOMContentLoaded (the
 * server-rendered ones must be gone in replay mode). */
function recordArrivals() {
	window.__arrivals = [];
	document.addEventListener('DOMContentLoaded', () => {
		const ol = document.getElementById('entries');
		const shown = () => [...ol.querySelectorAll('article.entry')].map((a) => a.dataset.entryId);
		window.__atReady = shown().length;
		new MutationObserver((muts) => {
			for (const m of muts) {
				for (const n of m.addedNodes) {
					if (n.nodeType !== 1) continue;
					const art = n.matches('article.entry') ? n : n.querySelector('article.entry');
					if (art) {
						window.__arrivals.push({
							id: art.dataset.entryId, t: performance.now(), shown: shown(),
						});
					}
				}
			}
		}).observe(ol, { childList: true });
	});
}

describe('reader replay', { timeout: 180000 }, () => {
	let s;
	let browser;
	let blog;
	let posted;   /* the 4 entries, oldest first */
	let events;   /* the log: 4 entries then ended */

	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
		blog = await createBlog(s, { id: uniqueId('rp'), title: 'Replay « test »' });
		posted = [];
		for (let i = 1; i <= 4; i++) {
			if (i > 1) await sleep(GAP_MS);
			posted.push(await postEntry(s, blog, { title: `Update ${i}`, text: `Text of update ${i}.` }));
		}
		await sleep(GAP_MS);
		const end = await api(s.base, 'POST', `/api/blogs/${blog.id}/end`, { token: blog.editor_token });
		assert.equal(end.status, 200, end.text);
		events = await allEvents(s.base, blog.id);
		assert.deepEqual(events.map((e) => e.type), ['entry', 'entry', 'entry', 'entry', 'ended']);
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	const ids = () => posted.map((e) => e.id);
	const newestFirst = () => ids().slice().reverse();
	const seqMs = (seq) => Number(seq.split('-')[0]);

	async function openReplay(speed) {
		return openPage(browser, s.base, `/blogs/${blog.id}?replay=${speed}`, {
			beforeGoto: (page) => page.addInitScript(recordArrivals),
		});
	}

	async function closeChecked(view) {
		await view.close();
		assert.deepEqual(view.foreign(), [], 'no request to another host');
		assert.deepEqual(view.errors, [], 'no script error or CSP violation');
	}

	const arrivals = (page) => page.evaluate(() => window.__arrivals);
	const count = (page) => page.locator('#entries article.entry').count();
	const endedBanner = (page) => page.getByText('The liveblog has ended.');
	const wsParams = (url) => new URL(url).searchParams;
	const toggleLabel = (page) => page.locator('#replay-toggle .label').textContent();
	const lastSeqOf = (page) => page.evaluate(() => window.liveblogReader.replay.lastSeq);

	/* timelineReady(page): the events behind the timeline were loaded. */
	const timelineReady = (page) => page.locator('#replay-timeline:not([disabled])').waitFor();

	/* openPausedMidway(): a 1× replay paused with the keyboard after its
	 * first entry, before its end. On a machine so busy that the page saw
	 * the whole replay before the key press landed, tries a fresh page
	 * (at most 3 times). Returns {view, page, n} (n entries shown). */
	async function openPausedMidway() {
		for (let attempt = 1; ; attempt++) {
			const view = await openReplay(1);
			const { page } = view;
			await waitEntry(page, posted[0].id);
			const toggle = page.locator('#replay-toggle');
			await toggle.focus();
			if (await toggleLabel(page) === 'Pause') {
				await page.keyboard.press('Enter');
				await waitUntil(async () => ['Play', 'Replay again'].includes(await toggleLabel(page)),
					{ timeout: 10000, message: 'paused or finished' });
			}
			const n = await count(page);
			if (await toggleLabel(page) === 'Play' && n < 4)
				return { view, page, n };
			await closeChecked(view);
			if (attempt === 3)
				assert.fail('could not pause a 1× replay of 1.8 s before its end in 3 tries');
		}
	}

	it('replays from an empty list, entry after entry, with a REPLAY badge, to "The liveblog has ended."', async () => {
		const view = await openReplay(10);
		const { page } = view;
		assert.equal(view.response.status(), 200);
		assert.equal(await page.evaluate(() => window.__atReady), 0,
			'the server-rendered entries are not shown in replay mode');
		await page.locator('#state-badge', { hasText: 'REPLAY' }).waitFor();
		await endedBanner(page).waitFor({ timeout: 15000 });

		assert.deepEqual(await entryIds(page), newestFirst(), 'all entries, newest first');
		const arr = await arrivals(page);
		assert.deepEqual(arr.map((a) => a.id), ids(), 'each entry arrived once, oldest first');
		/* one at a time: the first was shown alone, then with the second... */
		assert.deepEqual(arr.map((a) => a.shown), [1, 2, 3, 4].map((n) => newestFirst().slice(4 - n)),
			'the first entry was shown before the others arrived');
		for (let i = 1; i < 4; i++)
			assert.ok(arr[i].t >= arr[i - 1].t, 'in order over time');

		assert.equal(await page.locator('#state-badge').textContent(), 'REPLAY', 'still REPLAY at the end');
		assert.equal(await page.locator('#empty').isVisible(), false);
		await page.locator('#conn-status', { hasText: 'Replay finished' }).waitFor();

		/* the controls, by their accessible names */
		const bar = page.getByRole('region', { name: 'Replay controls' });
		assert.ok(await bar.isVisible(), 'the replay bar shows');
		await bar.getByRole('button', { name: 'Replay again' }).waitFor();
		const speed = bar.getByRole('combobox', { name: 'Speed' });
		assert.equal(await speed.inputValue(), '10');
		assert.deepEqual(await speed.locator('option').evaluateAll((os) => os.map((o) => o.value)),
			['1', '2', '5', '10', '30', '60']);
		const timeline = bar.getByRole('slider', { name: 'Timeline' });
		await timelineReady(page);
		assert.equal(Number(await timeline.getAttribute('min')), seqMs(events[0].seq));
		assert.equal(Number(await timeline.getAttribute('max')), seqMs(events[4].seq));
		assert.equal(Number(await timeline.inputValue()), seqMs(events[4].seq));
		/* the replay time: the local time of the last applied event (ended) */
		const clock = page.locator('#replay-clock');
		assert.equal(await clock.getAttribute('datetime'), new Date(seqMs(events[4].seq)).toISOString());
		const hms = new Intl.DateTimeFormat('en-GB', {
			hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/Paris',
		}).format(new Date(seqMs(events[4].seq)));
		assert.equal(await clock.textContent(), hms);
		assert.equal(await timeline.getAttribute('aria-valuetext'), hms);

		/* one replay socket, the whole log (no since), at 10× */
		assert.equal(view.sockets.length, 1, view.sockets.join(' '));
		assert.equal(new URL(view.sockets[0]).pathname, `/ws/blogs/${blog.id}`);
		assert.equal(wsParams(view.sockets[0]).get('replay'), '10');
		assert.equal(wsParams(view.sockets[0]).get('since'), null);

		/* Over time: 3 gaps of ~400 ms at 10× put ~120 ms between the first
		 * and the last entry. A machine busy enough to stall the page can
		 * bunch what one run shows, so "Replay again" (which starts over
		 * from an empty list) measures again, up to 3 runs in all; a page
		 * that showed everything at once would never get there. */
		const spreads = [];
		for (let run = 0; run < 3; run++) {
			if (run > 0) {
				await bar.getByRole('button', { name: 'Replay again' }).click();
				await waitUntil(() => view.sockets.length === run + 1, { message: 'a new socket' });
				assert.equal(wsParams(view.sockets[run]).get('since'), null, 'from the start again');
				await bar.getByRole('button', { name: 'Replay again' }).waitFor({ timeout: 15000 });
				assert.deepEqual(await entryIds(page), newestFirst());
			}
			const got = (await arrivals(page)).slice(4 * run);
			assert.deepEqual(got.map((a) => a.id), ids(), `run ${run + 1}: each entry once, in order`);
			spreads.push(Math.round(got[3].t - got[0].t));
			if (spreads[run] >= 60)
				break;
		}
		assert.ok(spreads.some((ms) => ms >= 60),
			`the first entry was shown well before the last: ${spreads.join(', ')} ms`);
		await closeChecked(view);
	});

	it('pauses (no new entry, socket closed) and plays on from the last applied seq', async () => {
		const { view, page, n } = await openPausedMidway();
		await page.locator('#conn-status', { hasText: 'Paused' }).waitFor();
		await page.waitForTimeout(1200);	/* 3 gaps of 400 ms at 1× */
		assert.equal(await count(page), n, 'no entry arrives while paused');
		assert.equal(await endedBanner(page).isVisible(), false);
		assert.equal(view.sockets.length, 1, 'paused: no new socket');
		const lastSeq = await lastSeqOf(page);
		assert.equal(lastSeq, events[n - 1].seq, 'the last applied seq is kept');

		await page.keyboard.press('Space');	/* the toggle still has the focus */
		await page.getByRole('button', { name: 'Pause' }).waitFor();
		await waitUntil(() => view.sockets.length === 2, { message: 'the socket of play' });
		assert.equal(wsParams(view.sockets[1]).get('replay'), '1');
		assert.equal(wsParams(view.sockets[1]).get('since'), lastSeq);
		await endedBanner(page).waitFor({ timeout: 15000 });
		assert.deepEqual(await entryIds(page), newestFirst());
		assert.deepEqual((await arrivals(page)).map((a) => a.id), ids(), 'no gap, no duplicate');
		await closeChecked(view);
	});

	it('seeks on the timeline: the start shows only the first entry, then the replay goes on', async () => {
		const view = await openReplay(10);
		const { page } = view;
		await endedBanner(page).waitFor({ timeout: 15000 });
		await timelineReady(page);
		/* what the list holds right after the seek, before any socket */
		await page.evaluate(() => {
			document.getElementById('replay-timeline').addEventListener('change', () => {
				window.__afterSeek = {
					ids: [...document.querySelectorAll('#entries article.entry')].map((a) => a.dataset.entryId),
					ended: !document.getElementById('ended-banner').hidden,
					value: Number(document.getElementById('replay-timeline').value),
					clock: document.getElementById('replay-clock').getAttribute('datetime'),
				};
			});
		});
		const timeline = page.getByRole('slider', { name: 'Timeline' });
		await timeline.focus();
		await page.keyboard.press('Home');
		const after = await page.evaluate(() => window.__afterSeek);
		assert.deepEqual(after, {
			ids: [posted[0].id], ended: false,
			value: seqMs(events[0].seq), clock: new Date(seqMs(events[0].seq)).toISOString(),
		}, 'only the first entry, at its time');
		await waitUntil(() => view.sockets.length === 2, { message: 'the socket after the seek' });
		assert.equal(wsParams(view.sockets[1]).get('since'), events[0].seq);
		assert.equal(wsParams(view.sockets[1]).get('replay'), '10');
		await endedBanner(page).waitFor({ timeout: 15000 });
		assert.deepEqual(await entryIds(page), newestFirst(), 'the replay went on to the end');
		await closeChecked(view);
	});

	it('seeks while paused: stays paused at that point; arrow keys step from event to event', async () => {
		const { view, page } = await openPausedMidway();
		await timelineReady(page);
		const timeline = page.getByRole('slider', { name: 'Timeline' });
		await timeline.focus();
		await page.keyboard.press('End');
		await endedBanner(page).waitFor();
		assert.deepEqual(await entryIds(page), newestFirst(), 'the end: every entry');
		await page.keyboard.press('Home');
		await waitUntil(async () => (await count(page)) === 1, { message: 'back to one entry' });
		assert.equal(await endedBanner(page).isVisible(), false);
		await page.keyboard.press('ArrowRight');
		await waitUntil(async () => (await count(page)) === 2, { message: 'one event on' });
		assert.deepEqual(await entryIds(page), [posted[1].id, posted[0].id]);
		assert.equal(Number(await timeline.inputValue()), seqMs(events[1].seq));
		assert.equal(await page.locator('#replay-clock').getAttribute('datetime'),
			new Date(seqMs(events[1].seq)).toISOString());
		await page.waitForTimeout(900);
		assert.equal(await count(page), 2, 'still paused');
		assert.equal(view.sockets.length, 1, 'no socket while paused');
		assert.equal(await toggleLabel(page), 'Play');

		await page.getByRole('button', { name: 'Play' }).click();
		await waitUntil(() => view.sockets.length === 2, { message: 'the socket of play' });
		assert.equal(wsParams(view.sockets[1]).get('since'), events[1].seq);
		await endedBanner(page).waitFor({ timeout: 15000 });
		assert.deepEqual(await entryIds(page), newestFirst());
		await closeChecked(view);
	});

	it('changing the speed reconnects at the new speed from the last seq', async () => {
		const { view, page } = await openPausedMidway();
		await timelineReady(page);
		await page.getByRole('slider', { name: 'Timeline' }).focus();
		await page.keyboard.press('Home');	/* paused at the first entry: 1.8 s of 1× replay left */
		await waitUntil(async () => (await count(page)) === 1, { message: 'back to one entry' });
		/* the cursor when the speed changed (the page's own listener ran first) */
		await page.evaluate(() => document.getElementById('replay-speed').addEventListener('change', () => {
			window.__seqAtChange = window.liveblogReader.replay.lastSeq;
		}));
		const before = view.sockets.length;
		await page.getByRole('button', { name: 'Play' }).click();
		await page.locator('#conn-status', { hasText: 'Replaying at 1×' }).waitFor();
		const speed = page.getByRole('combobox', { name: 'Speed' });
		await speed.selectOption('30');
		const seqAtChange = await page.evaluate(() => window.__seqAtChange);
		assert.ok(seqAtChange, 'an event was applied before the change');
		await waitUntil(() => view.sockets.slice(before).some((u) => wsParams(u).get('replay') === '30'),
			{ message: 'a socket at 30×' });
		const fast = view.sockets.slice(before).filter((u) => wsParams(u).get('replay') === '30');
		assert.equal(fast.length, 1, view.sockets.join(' '));
		assert.equal(wsParams(fast[0]).get('since'), seqAtChange, 'from the last applied seq');
		assert.equal(view.sockets[view.sockets.length - 1], fast[0], 'the 30× socket is the last one');
		assert.equal(new URL(page.url()).searchParams.get('replay'), '30', 'the address says 30');
		await endedBanner(page).waitFor({ timeout: 15000 });
		assert.equal(await speed.inputValue(), '30');
		assert.deepEqual(await entryIds(page), newestFirst());
		await closeChecked(view);
	});

	it('replays a live blog and follows it live after catching up', async () => {
		const live = await createBlog(s, { id: uniqueId('rp'), title: 'Live replay' });
		const a = await postEntry(s, live, { text: 'Earlier' });
		const view = await openPage(browser, s.base, `/blogs/${live.id}?replay=7`);
		const { page } = view;
		await waitEntry(page, a.id);
		await page.locator('#conn-status', { hasText: 'Replay caught up: live' }).waitFor();
		/* a speed from the URL that is not in the list is offered too */
		assert.equal(await page.getByRole('combobox', { name: 'Speed' }).inputValue(), '7');
		const b = await postEntry(s, live, { text: 'Later' });
		await waitEntry(page, b.id);
		assert.deepEqual(await entryIds(page), [b.id, a.id]);
		await page.locator('#replay-timeline:not([disabled])').waitFor();
		assert.equal(Number(await page.locator('#replay-timeline').getAttribute('max')), seqMs(b.seq),
			'the timeline grows with live events');
		assert.equal(await page.locator('#state-badge').textContent(), 'REPLAY');
		await closeChecked(view);
	});
});
