// Live push over WebSocket /ws/blogs/{id} (SPEC: Live push, Rule 3, close codes).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, sleep,
	wsOpen, WebSocket, SEQ_RE, EVENT_TYPES,
} from './harness.mjs';

const notStats = (r) => r.messages.filter((m) => m.type !== 'stats');
const isEvent = (m) => EVENT_TYPES.includes(m.type);

/* Waits for the live frame and returns the non-stats messages. */
async function untilLive(r, timeout = 5000) {
	await r.waitFor((m) => m.type === 'live', timeout);
	return notStats(r);
}

async function getBlog(s, id) {
	const res = await api(s.base, 'GET', `/api/blogs/${id}`);
	assert.equal(res.status, 200);
	return res.json;
}

describe('websocket readers', { timeout: 120000 }, () => {
	let s;
	const readers = [];
	const open = (url, opts) => { const r = wsOpen(url, opts); readers.push(r); return r; };
	before(async () => { s = await startStack(); });
	after(async () => {
		for (const r of readers)
			r.ws.terminate();
		await s?.stop();
	});

	it('hello, then every stored event, then live; live events follow', async () => {
		const b = await createBlog(s, { id: uniqueId('wshello') });
		const e1 = await postEntry(s, b, { text: 'one', author: 'A', title: 'T1' });
		const e2 = await postEntry(s, b, { text: 'two', key: true });
		await postEntry(s, b, { text: 'three' });
		await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e1.id}`, { body: { text: 'one!' }, token: b.editor_token });
		await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e2.id}`, { token: b.editor_token });
		const stored = await allEvents(s.base, b.id);
		assert.equal(stored.length, 5);

		const r = open(`${s.wsBase}/ws/blogs/${b.id}`);
		await r.opened;
		assert.equal(r.ws.protocol, 'liveblog.v1', 'server selects the liveblog.v1 subprotocol');
		const msgs = await untilLive(r);
		assert.deepEqual(msgs[0], { type: 'hello', blog: await getBlog(s, b.id) });
		assert.deepEqual(msgs.slice(1, -1), stored);
		assert.deepEqual(msgs.at(-1), { type: 'live', seq: stored.at(-1).seq });

		// live: entry, edit, delete arrive exactly as logged
		const e4 = await postEntry(s, b, { text: 'four' });
		await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e4.id}`, { body: { pinned: true }, token: b.editor_token });
		await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e4.id}`, { token: b.editor_token });
		await r.waitFor((m) => m.type === 'delete' && m.entry_id === e4.id);
		const after = await allEvents(s.base, b.id);
		assert.deepEqual(r.events(), after);
		assert.ok(r.messages.every((m) => m.type !== '__invalid__'), 'every frame is JSON');
		const stats = r.messages.filter((m) => m.type === 'stats');
		for (const st of stats) {
			assert.deepEqual(Object.keys(st).sort(), ['readers', 'type']);
			assert.ok(Number.isInteger(st.readers) && st.readers >= 1);
		}
		r.close();
	});

	it('an empty blog: hello then live; the first entry arrives live', async () => {
		const b = await createBlog(s, { id: uniqueId('wsempty') });
		const r = open(`${s.wsBase}/ws/blogs/${b.id}`);
		const msgs = await untilLive(r);
		assert.equal(msgs.length, 2);
		assert.equal(msgs[0].type, 'hello');
		assert.equal(msgs[0].blog.entry_count, 0);
		assert.equal(msgs[1].type, 'live');
		assert.match(msgs[1].seq, SEQ_RE);
		const e = await postEntry(s, b, { text: 'first!' });
		const got = await r.waitFor((m) => m.type === 'entry');
		assert.deepEqual(got, { type: 'entry', seq: e.seq, entry: e });
		r.close();
	});

	it('since=SEQ sends only the events after it (exclusive), no reset', async () => {
		const b = await createBlog(s, { id: uniqueId('wssince') });
		for (let i = 0; i < 5; i++)
			await postEntry(s, b, { text: `e${i}` });
		const stored = await allEvents(s.base, b.id);
		const r = open(`${s.wsBase}/ws/blogs/${b.id}?since=${stored[1].seq}`);
		const msgs = await untilLive(r);
		assert.equal(msgs[0].type, 'hello');
		assert.ok(!msgs.some((m) => m.type === 'reset'), 'no reset for a known since');
		assert.deepEqual(msgs.slice(1, -1), stored.slice(2));
		assert.deepEqual(msgs.at(-1), { type: 'live', seq: stored.at(-1).seq });
		r.close();

		// since = the last seq: nothing to replay
		const r2 = open(`${s.wsBase}/ws/blogs/${b.id}?since=${stored.at(-1).seq}`);
		const msgs2 = await untilLive(r2);
		assert.deepEqual(msgs2.map((m) => m.type), ['hello', 'live']);
		assert.equal(msgs2[1].seq, stored.at(-1).seq);
		r2.close();
	});

	it('resume from the last seq seen loses and repeats nothing while posts continue', async () => {
		const b = await createBlog(s, { id: uniqueId('wsresume') });
		await postEntry(s, b, { text: 'before' });
		const N = 40;
		let posting = true;
		const poster = (async () => {
			for (let i = 0; i < N; i++) {
				await postEntry(s, b, { text: `p${i}` });
				await sleep(8);
			}
			posting = false;
		})();
		const got = [];
		let since = null;
		for (let round = 0; round < 50 && (posting || got.length < N + 1); round++) {
			const r = open(`${s.wsBase}/ws/blogs/${b.id}${since ? `?since=${since}` : ''}`);
			const want = got.length + 5;
			try {
				await r.waitFor((m, i, all) => all.filter(isEvent).length + got.length >= Math.min(want, N + 1) && all.some((x) => x.type === 'live'), 5000);
			} catch (e) {
				if (posting)
					throw e;
			}
			r.ws.terminate();
			await r.closed;
			assert.ok(!r.messages.some((m) => m.type === 'reset'), 'no reset on resume');
			got.push(...r.events());
			if (got.length)
				since = got.at(-1).seq;
		}
		await poster;
		const stored = await allEvents(s.base, b.id);
		assert.equal(stored.length, N + 1);
		assert.deepEqual(got.map((e) => e.seq), stored.map((e) => e.seq), 'no gap, no duplicate, same order');
		assert.deepEqual(got, stored);
	});

	it('readers joining while posts stream in all see the full log in order (catch-up → live hand-off)', async () => {
		const b = await createBlog(s, { id: uniqueId('wshandoff') });
		const N = 60;
		const rs = [];
		const poster = (async () => {
			for (let i = 0; i < N; i++) {
				await postEntry(s, b, { text: `h${i}` });
				if (i % 12 === 5)
					rs.push(open(`${s.wsBase}/ws/blogs/${b.id}`));
				await sleep(3);
			}
		})();
		rs.push(open(`${s.wsBase}/ws/blogs/${b.id}`));
		await poster;
		const stored = await allEvents(s.base, b.id);
		assert.equal(stored.length, N);
		for (const [i, r] of rs.entries()) {
			await r.waitFor((m, _j, all) => all.filter(isEvent).length >= N, 10000);
			await sleep(50);
			assert.deepEqual(r.events().map((e) => e.seq), stored.map((e) => e.seq), `reader ${i}`);
			assert.deepEqual(r.events(), stored, `reader ${i} content`);
			assert.equal(r.messages.filter((m) => m.type === 'live').length, 1, `reader ${i}: one live frame`);
			assert.equal(r.messages.filter((m) => m.type === 'hello').length, 1, `reader ${i}: one hello frame`);
			r.close();
		}
	});

	it('a since the log does not contain → reset, then the whole log', async () => {
		const b = await createBlog(s, { id: uniqueId('wsreset') });
		for (let i = 0; i < 3; i++)
			await postEntry(s, b, { text: `r${i}` });
		const stored = await allEvents(s.base, b.id);
		const first = stored[0].seq.split('-');
		const unknown = [
			'1-0',					// before the log: not an id it holds
			`${first[0]}-${Number(first[1]) + 77}`,	// between ids
			'99999999999999-0',			// beyond its end
		];
		for (const since of unknown) {
			const r = open(`${s.wsBase}/ws/blogs/${b.id}?since=${since}`);
			const msgs = await untilLive(r);
			const types = msgs.map((m) => m.type);
			assert.deepEqual(types.slice(0, 2).sort(), ['hello', 'reset'], `since=${since}: ${types}`);
			assert.deepEqual(msgs.find((m) => m.type === 'reset'), { type: 'reset' });
			assert.deepEqual(msgs.slice(2, -1), stored, `since=${since}: the whole log`);
			assert.deepEqual(msgs.at(-1), { type: 'live', seq: stored.at(-1).seq });
			r.close();
		}
	});

	it('an ended blog: hello, the whole log ending with ended, then close 1000', async () => {
		const b = await createBlog(s, { id: uniqueId('wsended') });
		await postEntry(s, b, { text: 'x' });
		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		const stored = await allEvents(s.base, b.id);
		const r = open(`${s.wsBase}/ws/blogs/${b.id}`);
		const closed = await r.closed;
		assert.equal(closed.code, 1000, `close code ${JSON.stringify(closed)}`);
		const msgs = notStats(r);
		assert.deepEqual(msgs[0], { type: 'hello', blog: end.json });
		assert.deepEqual(r.events(), stored);
		assert.equal(msgs.at(-1).type, 'ended', `the stream ends with ended: ${JSON.stringify(msgs.map((m) => m.type))}`);
		assert.deepEqual(msgs.at(-1), stored.at(-1));
	});

	it('a live reader gets the ended event then close 1000 when the editor ends', async () => {
		const b = await createBlog(s, { id: uniqueId('wsend') });
		await postEntry(s, b, { text: 'x' });
		const r = open(`${s.wsBase}/ws/blogs/${b.id}`);
		await untilLive(r);
		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		const closed = await r.closed;
		assert.equal(closed.code, 1000);
		const msgs = notStats(r);
		assert.deepEqual(msgs.at(-1), { type: 'ended', seq: msgs.at(-1).seq, ended_at: end.json.ended_at });
		assert.deepEqual(r.events(), await allEvents(s.base, b.id));
	});

	it('an unknown blog is refused at the handshake with 404', async () => {
		const r = open(`${s.wsBase}/ws/blogs/no-such-blog-ws`);
		await assert.rejects(r.opened, (e) => e.statusCode === 404);
		assert.equal(r.handshakeStatus, 404);
		const r2 = open(`${s.wsBase}/ws/blogs/Bad_Slug!`);
		await assert.rejects(r2.opened, (e) => e.statusCode >= 400 && e.statusCode < 500);
		await r.closed;
		await r2.closed;
	});

	it('a reader message over 4 KiB closes that socket with 1009; the server carries on', async () => {
		const b = await createBlog(s, { id: uniqueId('wsbig') });
		const bystander = open(`${s.wsBase}/ws/blogs/${b.id}`);
		await untilLive(bystander);
		const r = open(`${s.wsBase}/ws/blogs/${b.id}`);
		await untilLive(r);
		r.send('x'.repeat(5000));
		const closed = await Promise.race([r.closed, sleep(5000).then(() => ({ code: 'timeout' }))]);
		assert.equal(closed.code, 1009, `close after a 5000-byte message: ${JSON.stringify(closed)}`);

		// a message of 8 KiB sent as small fragments is over the limit too
		const r2 = open(`${s.wsBase}/ws/blogs/${b.id}`);
		await untilLive(r2);
		for (let i = 0; i < 8 && r2.ws.readyState === WebSocket.OPEN; i++) {
			// one fragment at a time, so the server reads each before it
			// closes (closing over unread bytes would reset the TCP stream)
			await new Promise((res) => r2.ws.send('y'.repeat(1024), { fin: i === 7 }, res));
			await sleep(30);
		}
		const closed2 = await Promise.race([r2.closed, sleep(5000).then(() => ({ code: 'timeout' }))]);
		assert.equal(closed2.code, 1009, `close after 8 x 1 KiB fragments: ${JSON.stringify(closed2)}`);

		assert.equal((await api(s.base, 'GET', '/healthz')).status, 200);
		const e = await postEntry(s, b, { text: 'still serving' });
		await bystander.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
		bystander.close();
	});

	it('a reader that stops reading is dropped (1008 "slow") and does not hold back others', async () => {
		const b = await createBlog(s, { id: uniqueId('wsslow') });
		const fast = open(`${s.wsBase}/ws/blogs/${b.id}`);
		// plain frames: compressed, 16 KiB of one letter is a few bytes
		const slow = open(`${s.wsBase}/ws/blogs/${b.id}`, { perMessageDeflate: false });
		await untilLive(fast);
		await untilLive(slow);
		const before = await dropSignal(s.base);
		slow.ws._socket.pause();	// stop reading: kernel buffers fill, then the server's backlog
		const text = 'S'.repeat(16 * 1024 - 16);
		let posted = 0;
		const t0 = Date.now();
		// post until the server drops the slow reader (seen in /metrics: the
		// readers gauge falls or a slow/dropped counter rises; the reader
		// then resumes reading so it can receive the close frame) or,
		// without such metrics, a fixed 48 MiB
		for (;;) {
			await Promise.all(Array.from({ length: 32 }, (_, i) => postEntry(s, b, { text: `${posted + i}${text}` })));
			posted += 32;
			// the fast reader keeps up while the slow one stalls
			await fast.waitFor((m, i, all) => all.filter(isEvent).length >= posted, 10000);
			if (before !== null) {
				const now = await dropSignal(s.base);
				if (now.readers < before.readers || now.dropped > before.dropped)
					break;
			}
			if (before === null && posted >= 3072)
				break;
			if (Date.now() - t0 > 40000 || posted >= 8192)
				break;
		}
		slow.ws._socket.resume();
		const closed = await Promise.race([slow.closed, sleep(10000).then(() => ({ code: 'timeout' }))]);
		assert.equal(closed.code, 1008, `slow reader close after ${posted} posts of 16 KiB: ${JSON.stringify(closed)}`);
		assert.equal(closed.reason, 'slow');
		// what the slow reader did get is a gap-free prefix of the log
		const stored = await allEvents(s.base, b.id);
		const got = slow.events().map((e) => e.seq);
		assert.deepEqual(got, stored.slice(0, got.length).map((e) => e.seq));
		assert.deepEqual(fast.events().map((e) => e.seq), stored.map((e) => e.seq));
		fast.close();
	});

	it('SIGTERM: readers get close 1001 "going away" and the daemon exits 0', async () => {
		const d2 = await s.addDaemon();
		const b = await createBlog(s, { id: uniqueId('wsterm') });
		const rs = [0, 1, 2].map(() => open(`${d2.wsBase}/ws/blogs/${b.id}`));
		for (const r of rs)
			await untilLive(r);
		d2.stopped = true;
		const code = await d2.stop('SIGTERM');
		assert.equal(code, 0, 'clean exit');
		for (const r of rs) {
			const c = await r.closed;
			assert.equal(c.code, 1001);
			assert.match(c.reason, /going away/i);
		}
	});

	it('SIGINT: readers get close 1001 too', async () => {
		const d3 = await s.addDaemon();
		const b = await createBlog(s, { id: uniqueId('wsint') });
		const r = open(`${d3.wsBase}/ws/blogs/${b.id}`);
		await untilLive(r);
		d3.stopped = true;
		assert.equal(await d3.stop('SIGINT'), 0);
		assert.equal((await r.closed).code, 1001);
	});
});

/*
 * {readers, dropped}: the sums of the Prometheus gauges whose name mentions
 * readers and of the counters whose name mentions slow/cull/drop; null when
 * /metrics has no readers gauge.
 */
async function dropSignal(base) {
	const res = await fetch(`${base}/metrics`);
	const text = await res.text();
	if (res.status !== 200)
		return null;
	const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
	const gauges = [...types].filter(([n, t]) => t === 'gauge' && /reader/.test(n)).map(([n]) => n);
	const counters = [...types].filter(([n, t]) => t === 'counter' && /slow|cull|drop/.test(n)).map(([n]) => n);
	if (!gauges.length)
		return null;
	const out = { readers: 0, dropped: 0 };
	for (const line of text.split('\n')) {
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
		if (m && gauges.includes(m[1]))
			out.readers += Number(m[3]);
		if (m && counters.includes(m[1]))
			out.dropped += Number(m[3]);
	}
	return out;
}

/* cmdstat_xrange calls: how many log reads Redis has served */
function xrangeCalls(redis) {
	const m = /cmdstat_xrange:calls=(\d+)/.exec(redis.cli('INFO', 'commandstats'));
	return m ? Number(m[1]) : 0;
}

describe('readers behind the ring share their catch-up reads', { timeout: 120000 }, () => {
	let s, b, stored, live;
	before(async () => {
		/* a ring of 16 events, a log of 450: everyone joining reads pages */
		s = await startStack({ daemon: { args: ['--reader-backlog', '16', '--workers', '2'] } });
		b = await createBlog(s, { id: uniqueId('shared') });
		live = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await live.waitFor((m) => m.type === 'live');
		for (let i = 0; i < 450; i += 50)
			await Promise.all([...Array(50)].map((_, k) => postEntry(s, b, { text: `e${i + k}` })));
		stored = await allEvents(s.base, b.id);
		assert.equal(stored.length, 450);
	});
	after(async () => {
		live?.ws.terminate();
		await s?.stop();
	});

	async function crowd(n, query) {
		const x0 = xrangeCalls(s.redis);
		const rs = [...Array(n)].map(() => wsOpen(`${s.wsBase}/ws/blogs/${b.id}${query}`));
		for (const r of rs)
			await r.waitFor((m) => m.type === 'live', 15000);
		const reads = xrangeCalls(s.redis) - x0;
		const got = rs.map((r) => r.events());
		for (const r of rs)
			r.ws.terminate();
		return { reads, got };
	}

	it('40 readers from the start: each gets the whole log, Redis is read a few pages per loop, not per reader', async () => {
		const { reads, got } = await crowd(40, '');
		for (const g of got)
			assert.deepEqual(g, stored);
		/* per reader: 40 × 3 pages of 200 (122 measured before pages were shared); shared: 8 */
		assert.ok(reads <= 12, `log reads for 40 readers: ${reads}`);
	});

	it('40 readers resuming from the same old event: only what follows it, reads shared', async () => {
		const since = stored[100].seq;
		const { reads, got } = await crowd(40, `?since=${since}`);
		for (const g of got)
			assert.deepEqual(g, stored.slice(101));
		/* per reader: 82 measured before pages were shared; shared: 6 */
		assert.ok(reads <= 12, `log reads for 40 resumes: ${reads}`);
	});
});

describe('the ring is bounded in bytes as well as events', { timeout: 120000 }, () => {
	let s;
	before(async () => { s = await startStack({ daemon: { args: ['--reader-backlog', '1048576', '--workers', '1'] } }); });
	after(async () => { await s?.stop(); });

	it('with --reader-backlog 1048576, a stalled reader of 16 KiB entries is dropped after about 16 MiB', async () => {
		const b = await createBlog(s, { id: uniqueId('ringbytes') });
		const fast = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		// plain frames: compressed, 16 KiB of one letter is a few bytes
		const slow = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`, { perMessageDeflate: false });
		await untilLive(fast);
		await untilLive(slow);
		const before = await dropSignal(s.base);
		slow.ws._socket.pause();
		const text = 'B'.repeat(16 * 1024 - 16);
		let posted = 0;
		while (posted < 2048) {
			await Promise.all(Array.from({ length: 32 }, (_, i) => postEntry(s, b, { text: `${posted + i}${text}` })));
			posted += 32;
			await fast.waitFor((m, i, all) => all.filter(isEvent).length >= posted, 10000);
			if ((await dropSignal(s.base)).dropped > before.dropped)
				break;
		}
		slow.ws._socket.resume();
		const closed = await Promise.race([slow.closed, sleep(10000).then(() => ({ code: 'timeout' }))]);
		assert.equal(closed.code, 1008, `after ${posted} posts of 16 KiB: ${JSON.stringify(closed)}`);
		/* 16 MiB is 1024 such entries; the kernel's socket buffers hold a few more */
		assert.ok(posted >= 1024 && posted <= 1536, `dropped after ${posted} posts of 16 KiB`);
		fast.ws.close();
	});
});
