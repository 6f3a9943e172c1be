// Server-Sent Events and replay (SPEC: Live push — "GET /sse/blogs/{id} — the
// same events as Server-Sent Events (id: = seq), resuming from
// Last-Event-ID"; "?replay=SPEED on either — replays the stored log with its
// original inter-event timing divided by SPEED (long silences capped)";
// Rule 3: no gaps, no duplicates, same order, across reconnects).
// Also measures the Redis commands spent on readers of an ended blog.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, sleep,
	wsOpen, SEQ_RE, EVENT_TYPES, assertErrorBody, sseOpen,
} from './harness.mjs';

const isEvent = (m) => EVENT_TYPES.includes(m.type);


/* Every block is well-formed; events carry id: = seq, other messages none. */
function checkBlocks(st) {
	assert.deepEqual(st.badLines, [], 'only id/data/retry/event fields');
	for (const b of st.blocks) {
		if (!('json' in b))
			continue;
		assert.notEqual(b.json.type, '__invalid__', `data is JSON: ${b.data}`);
		if (isEvent(b.json)) {
			assert.equal(b.id, b.json.seq, `id: is the seq of ${JSON.stringify(b.json).slice(0, 120)}`);
			assert.match(b.id, SEQ_RE);
		} else {
			assert.ok(!('id' in b), `no id: on a ${b.json.type} message (it would move Last-Event-ID)`);
		}
	}
}

const withoutStats = (msgs) => msgs.filter((m) => m.type !== 'stats');

async function getBlog(base, id) {
	const res = await api(base, 'GET', `/api/blogs/${id}`);
	assert.equal(res.status, 200);
	return res.json;
}

async function endBlog(base, b) {
	const res = await api(base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
	assert.equal(res.status, 200, res.text);
	return res.json;
}

const seqMs = (seq) => Number(seq.split('-')[0]);

/* ---- replay timing helpers ---------------------------------------------- */

/* A WebSocket reader that time-stamps every message. */
function timedWs(url) {
	const r = wsOpen(url);
	r.times = [];
	r.ws.on('message', () => r.times.push(performance.now()));
	return r;
}

/*
 * Checks a replay: messages (non-stats) are hello, every event in order,
 * then (ended blog) nothing more; each event's arrival gap from the previous
 * event is the original gap / speed (capped) within tol ms.
 */
function checkPacing(msgs, times, events, { speed, cap = 5000, tol = 120, what }) {
	const idx = [];
	msgs.forEach((m, i) => { if (isEvent(m)) idx.push(i); });
	assert.deepEqual(idx.map((i) => msgs[i]), events, `${what}: every event, in order`);
	const report = [];
	for (let k = 1; k < idx.length; k++) {
		const want = Math.min((seqMs(events[k].seq) - seqMs(events[k - 1].seq)) / speed, cap);
		const got = times[idx[k]] - times[idx[k - 1]];
		report.push({ k, type: events[k].type, want: Math.round(want), got: Math.round(got) });
	}
	const bad = report.filter((x) => Math.abs(x.got - x.want) > tol);
	if (bad.length)
		throw Object.assign(new Error(`${what}: gaps (ms) not ≈ original/${speed} ±${tol}: ${JSON.stringify(report)}`), { pacing: true });
	return report;
}

/*
 * Runs a replay check up to `attempts` times: a run whose content or order is
 * wrong fails at once; a run whose gaps are off is tried again (a loaded
 * machine delays a wake-up or a delivery now and then; a daemon that does
 * not pace, or paces wrongly, is off every time).
 */
async function paced(what, run, attempts = 3) {
	const misses = [];
	for (let i = 0; i < attempts; i++) {
		try {
			return await run();
		} catch (e) {
			if (!e.pacing)
				throw e;
			misses.push(e.message);
			console.log(`# ${what}: attempt ${i + 1} off: ${e.message}`);
		}
	}
	assert.fail(`${what}: pacing off in ${attempts} attempts:\n${misses.join('\n')}`);
}

/* Parses INFO commandstats into {command: calls}. */
function commandStats(redis) {
	const out = {};
	for (const line of redis.cli('INFO', 'commandstats').split(/\r?\n/)) {
		const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
		if (m)
			out[m[1]] = Number(m[2]);
	}
	return out;
}
function statsDelta(a, b) {
	const d = {};
	for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
		const n = (b[k] ?? 0) - (a[k] ?? 0);
		if (n && k !== 'info')	/* our own INFO calls are not the daemon's */
			d[k] = n;
	}
	return d;
}
const sum = (d) => Object.values(d).reduce((x, y) => x + y, 0);

describe('SSE and replay', { timeout: 180000 }, () => {
	let s;
	const open = [];
	const sse = (...a) => { const x = sseOpen(...a); open.push(x); return x; };
	const ws = (url) => { const r = timedWs(url); open.push(r); return r; };
	before(async () => { s = await startStack(); });
	after(async () => {
		for (const x of open)
			x.ws ? x.ws.terminate() : x.close();
		await s?.stop();
	});

	describe('Server-Sent Events', () => {
		it('hello, every stored event with id: = seq, live; then live events', async () => {
			const b = await createBlog(s, { id: uniqueId('sse'), title: 'SSE « test »' });
			const tok = b.editor_token;
			const e1 = await postEntry(s, b, { text: 'one\ntwo lines', author: 'A' });
			const e2 = await postEntry(s, b, { text: 'deux', key: true });
			await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e1.id}`, { body: { text: 'one!' }, token: tok });
			await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e2.id}`, { token: tok });
			const stored = await allEvents(s.base, b.id);
			assert.equal(stored.length, 4);

			const st = sse(s.base, `/sse/blogs/${b.id}`);
			const res = await st.response;
			assert.equal(res.status, 200);
			assert.match(res.headers['content-type'], /^text\/event-stream/);
			assert.match(res.headers['cache-control'] ?? '', /no-cache|no-store/);
			await st.waitFor((m) => m.type === 'live');
			const msgs = withoutStats(st.messages);
			assert.deepEqual(msgs[0], { type: 'hello', blog: await getBlog(s.base, b.id) });
			assert.deepEqual(msgs.slice(1, -1), stored);
			assert.deepEqual(msgs.at(-1), { type: 'live', seq: stored.at(-1).seq });

			const e3 = await postEntry(s, b, { text: 'live one' });
			await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e3.id}`, { body: { pinned: true }, token: tok });
			await st.waitFor((m) => m.type === 'edit' && m.entry.id === e3.id);
			assert.deepEqual(st.events(), await allEvents(s.base, b.id));
			checkBlocks(st);
			st.close();
		});

		for (const how of ['Last-Event-ID', '?since=']) {
			it(`resumes after ${how}: no gap, no duplicate`, async () => {
				const b = await createBlog(s, { id: uniqueId('sseres') });
				for (let i = 0; i < 4; i++)
					await postEntry(s, b, { text: `before ${i}` });
				const first = sse(s.base, `/sse/blogs/${b.id}`);
				await first.waitFor((m) => m.type === 'live');
				const seen = first.events();
				assert.equal(seen.length, 4);
				// the reader saw only two events, then dropped
				const lastId = first.blocks.filter((x) => x.id).at(1).id;
				assert.equal(lastId, seen[1].seq);
				first.close();
				for (let i = 0; i < 3; i++)
					await postEntry(s, b, { text: `while away ${i}` });
				const all = await allEvents(s.base, b.id);

				const st = how === 'Last-Event-ID'
					? sse(s.base, `/sse/blogs/${b.id}`, { headers: { 'last-event-id': lastId } })
					: sse(s.base, `/sse/blogs/${b.id}?since=${encodeURIComponent(lastId)}`);
				await st.waitFor((m) => m.type === 'live');
				const msgs = withoutStats(st.messages);
				assert.equal(msgs[0].type, 'hello');
				assert.deepEqual(msgs.slice(1, -1), all.slice(2), 'exactly the events after the cursor');
				assert.deepEqual(msgs.at(-1), { type: 'live', seq: all.at(-1).seq });
				const e = await postEntry(s, b, { text: 'after resume' });
				await st.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
				await sleep(200);
				assert.deepEqual(st.events(), [...all.slice(2), { type: 'entry', seq: e.seq, entry: e }]);
				checkBlocks(st);
				st.close();
			});
		}

		it('resuming at the last seq: hello, live, nothing replayed', async () => {
			const b = await createBlog(s, { id: uniqueId('ssetail') });
			await postEntry(s, b, { text: 'a' });
			const e = await postEntry(s, b, { text: 'b' });
			const st = sse(s.base, `/sse/blogs/${b.id}`, { headers: { 'last-event-id': e.seq } });
			await st.waitFor((m) => m.type === 'live');
			assert.deepEqual(withoutStats(st.messages).map((m) => m.type), ['hello', 'live']);
			assert.equal(st.messages.find((m) => m.type === 'live').seq, e.seq);
			st.close();
		});

		it('a cursor the log does not hold: reset, then the whole log', async () => {
			const b = await createBlog(s, { id: uniqueId('ssereset') });
			const e1 = await postEntry(s, b, { text: 'a' });
			await postEntry(s, b, { text: 'b' });
			const all = await allEvents(s.base, b.id);
			const unknown = [
				['since', '1-0'],                              // before the log
				['since', `${seqMs(e1.seq)}-77`],              // inside, not an event
				['since', '9999999999999-0'],                  // beyond the end
				['last-event-id', `${seqMs(e1.seq) + 1}-3`],
			];
			for (const [how, cursor] of unknown) {
				const st = how === 'since'
					? sse(s.base, `/sse/blogs/${b.id}?since=${cursor}`)
					: sse(s.base, `/sse/blogs/${b.id}`, { headers: { 'last-event-id': cursor } });
				await st.waitFor((m) => m.type === 'live');
				const msgs = withoutStats(st.messages);
				assert.deepEqual(msgs.map((m) => m.type), ['hello', 'reset', 'entry', 'entry', 'live'], `${how} ${cursor}`);
				assert.deepEqual(msgs[1], { type: 'reset' });
				assert.deepEqual(msgs.slice(2, -1), all);
				checkBlocks(st);
				st.close();
			}
		});

		it('an ended blog: the stream ends with the ended event and the server closes it', async () => {
			const b = await createBlog(s, { id: uniqueId('sseend') });
			await postEntry(s, b, { text: 'a' });
			await postEntry(s, b, { text: 'b' });
			await endBlog(s.base, b);
			const all = await allEvents(s.base, b.id);
			const st = sse(s.base, `/sse/blogs/${b.id}`);
			const t0 = performance.now();
			await Promise.race([st.ended, sleep(5000)]);
			assert.ok(st.endedAt !== null, 'the server closed the stream');
			assert.ok(st.endedAt - t0 < 3000, `closed soon (${Math.round(st.endedAt - t0)} ms)`);
			const msgs = withoutStats(st.messages);
			assert.equal(msgs[0].type, 'hello');
			assert.equal(msgs[0].blog.state, 'ended');
			assert.deepEqual(msgs.slice(1), all, 'every event, ended last, nothing after');
			assert.equal(msgs.at(-1).type, 'ended');
			checkBlocks(st);
		});

		it('a live reader gets the ended event, then the stream closes', async () => {
			const b = await createBlog(s, { id: uniqueId('sseend2') });
			await postEntry(s, b, { text: 'a' });
			const st = sse(s.base, `/sse/blogs/${b.id}`);
			await st.waitFor((m) => m.type === 'live');
			const end = await endBlog(s.base, b);
			const ended = await st.waitFor((m) => m.type === 'ended');
			assert.equal(ended.ended_at, end.ended_at);
			await Promise.race([st.ended, sleep(3000)]);
			assert.ok(st.endedAt !== null, 'the server closed the stream after ended');
			assert.equal(withoutStats(st.messages).at(-1).type, 'ended');
			assert.deepEqual(st.events(), await allEvents(s.base, b.id));
			checkBlocks(st);
		});

		it('resuming an ended blog at its ended event: hello (ended), then the server closes', async () => {
			// a reader that dropped just as `ended` arrived comes back with that
			// seq: nothing follows, ever — the stream must not stay open as "live"
			const b = await createBlog(s, { id: uniqueId('sseendres') });
			await postEntry(s, b, { text: 'a' });
			await endBlog(s.base, b);
			const endSeq = (await allEvents(s.base, b.id)).at(-1).seq;
			const st = sse(s.base, `/sse/blogs/${b.id}`, { headers: { 'last-event-id': endSeq } });
			await Promise.race([st.ended, sleep(4000)]);
			const ws1 = ws(`${s.wsBase}/ws/blogs/${b.id}?since=${endSeq}`);
			const closed = await Promise.race([ws1.closed, sleep(4000).then(() => null)]);
			assert.deepEqual({ sseClosed: st.endedAt !== null, wsClose: closed && closed.code },
				{ sseClosed: true, wsClose: 1000 },
				`SSE messages ${JSON.stringify(st.messages)}; WS messages ${JSON.stringify(ws1.messages)}`);
			assert.equal(st.messages[0].type, 'hello');
			assert.equal(st.messages[0].blog.state, 'ended');
			assert.deepEqual(withoutStats(ws1.messages).map((m) => m.type).filter((t) => t !== 'live'), ['hello']);
			assert.equal(st.events().length, 0, 'no event replayed after the ended seq');
		});

		it('Last-Event-ID wins over the ?since= of the URL (an EventSource reconnecting)', async () => {
			const b = await createBlog(s, { id: uniqueId('sseboth') });
			for (let i = 0; i < 4; i++)
				await postEntry(s, b, { text: `e${i}` });
			const all = await allEvents(s.base, b.id);
			const st = sse(s.base, `/sse/blogs/${b.id}?since=${all[0].seq}`, { headers: { 'last-event-id': all[2].seq } });
			await st.waitFor((m) => m.type === 'live');
			assert.deepEqual(st.events(), all.slice(3));
			st.close();
		});

		it('an unknown blog is a 404', async () => {
			const res = await api(s.base, 'GET', '/sse/blogs/no-such-blog');
			assert.equal(res.status, 404);
		});

		// lws does not read a streaming HTTP response's socket: a FIN or a
		// stray byte left it readable and the loop spinning (both cores
		// for 5 s after three hang-ups; for good after one stray byte).
		it('a stream whose peer hangs up or sends anything, or a request whose client sends more before its answer, is closed at once, without a busy loop', async () => {
			const b = await createBlog(s, { id: uniqueId('ssepeer') });
			const cpuS = () => {
				const f = readFileSync(`/proc/${s.daemon.pid}/stat`, 'utf8').split(') ')[1].split(' ');
				return (Number(f[11]) + Number(f[12])) / 100;   /* utime + stime, in ticks of 10 ms */
			};
			const streams = async () => {
				const t = (await api(s.base, 'GET', '/metrics')).text;
				return [...t.matchAll(/^liveblog_loop_streams\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
			};
			const before = await streams();
			const peers = await Promise.all(['fin', 'byte', 'gone', 'fin', 'byte'].map((how) => new Promise((resolve, reject) => {
				const c = net.connect(s.daemon.port, '127.0.0.1', () =>
					c.write(`GET /sse/blogs/${b.id} HTTP/1.1\r\nHost: x\r\n\r\n`));
				const p = { how, c, closed: false, text: '' };
				c.on('data', (d) => {
					p.text += d;
					if (p.text.includes('"live"'))
						resolve(p);
				});
				c.on('error', () => { });
				c.on('close', () => { p.closed = true; });
				setTimeout(() => reject(new Error(`no live on an SSE stream: ${p.text.slice(0, 300)}`)), 5000);
			})));
			assert.equal(await streams(), before + peers.length);
			const cpu0 = cpuS();
			for (const p of peers) {
				if (p.how === 'fin')
					p.c.end();            /* half-close: still reading */
				else if (p.how === 'byte')
					p.c.write('X');       /* a stray byte, connection kept */
				else
					p.c.destroy();
			}
			const t0 = performance.now();
			for (;;) {
				if (await streams() === before && peers.every((p) => p.how === 'gone' || p.closed))
					break;
				assert.ok(performance.now() - t0 < 2000,
					`streams still held 2 s after their peers stirred: ${await streams() - before} of ${peers.length}`);
				await sleep(50);
			}
			await sleep(1500);
			const used = cpuS() - cpu0;
			assert.ok(used < 0.5, `the daemon used ${used.toFixed(2)} s of CPU in the 1.5 s after the hang-ups`);
			for (const p of peers)
				p.c.destroy();

			// The same for an API request whose answer waits on Redis: a
			// byte sent meanwhile (a pipelined request) was read into lws'
			// buffer and served on every pass until the answer went out.
			const body = JSON.stringify({ text: 'while Redis waits' });
			s.redis.cli('CLIENT', 'PAUSE', '2500', 'WRITE');
			const c = net.connect(s.daemon.port, '127.0.0.1', () => c.write(
				`POST /api/blogs/${b.id}/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
				`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
			let answer = '';
			const closed = new Promise((resolve) => c.on('close', resolve));
			c.on('data', (d) => { answer += d; });
			c.on('error', () => { });
			await sleep(300);
			const cpu1 = cpuS();
			c.write('X');
			const t1 = performance.now();
			await Promise.race([closed, sleep(1500)]);
			assert.ok(c.destroyed || c.closed, `the connection is closed at once (${(performance.now() - t1).toFixed(0)} ms; answer ${JSON.stringify(answer.slice(0, 40))})`);
			assert.equal(answer, '', 'no answer on a connection closed for its stray byte');
			const used1 = cpuS() - cpu1;
			assert.ok(used1 < 0.5, `the daemon used ${used1.toFixed(2)} s of CPU while the answer was due`);
			c.destroy();
			await sleep(1500);   /* Redis answers again: the entry may be stored, nobody is told */
			const res = await api(s.base, 'GET', `/api/blogs/${b.id}`);
			assert.equal(res.status, 200, 'the server answers after it');
		});
	});

	describe('replay', () => {
		let rb;         // an ended blog with gaps of ~0, 600 and 1200 ms
		let revents;

		before(async () => {
			rb = await createBlog(s, { id: uniqueId('replay') });
			const e1 = await postEntry(s, rb, { text: 'first' });
			await sleep(600);
			await postEntry(s, rb, { text: 'second' });
			await sleep(1200);
			await postEntry(s, rb, { text: 'third' });
			await api(s.base, 'PATCH', `/api/blogs/${rb.id}/entries/${e1.id}`, { body: { text: 'first, fixed' }, token: rb.editor_token });
			await sleep(400);
			await endBlog(s.base, rb);
			revents = await allEvents(s.base, rb.id);
			assert.deepEqual(revents.map((e) => e.type), ['entry', 'entry', 'entry', 'edit', 'ended']);
		});

		it('WebSocket ?replay=4: original gaps / 4, ended last, close 1000', async () => {
			const rep = await paced('ws replay=4', async () => {
				const r = ws(`${s.wsBase}/ws/blogs/${rb.id}?replay=4`);
				await r.opened;
				const closed = await Promise.race([r.closed, sleep(8000).then(() => null)]);
				assert.ok(closed, 'the replay ends and the server closes');
				assert.equal(closed.code, 1000);
				const keep = r.messages.map((m, i) => [m, r.times[i]]).filter(([m]) => m.type !== 'stats');
				const msgs = keep.map(([m]) => m);
				const times = keep.map(([, t]) => t);
				assert.equal(msgs[0].type, 'hello');
				assert.deepEqual(msgs.slice(1), revents, 'hello, the events, nothing else');
				const report = checkPacing(msgs, times, revents, { speed: 4, what: 'ws replay=4' });
				// the first event does not wait
				if (times[1] - times[0] > 120)
					throw Object.assign(new Error(`first event ${Math.round(times[1] - times[0])} ms after hello`), { pacing: true });
				return report;
			});
			console.log(`# ws replay=4 gaps: ${JSON.stringify(rep)}`);
		});

		it('SSE ?replay=4: original gaps / 4, ended last, stream closed', async () => {
			const rep = await paced('sse replay=4', async () => {
				const st = sse(s.base, `/sse/blogs/${rb.id}?replay=4`);
				assert.equal((await st.response).status, 200);
				await Promise.race([st.ended, sleep(8000)]);
				assert.ok(st.endedAt !== null, 'the replay ends and the server closes');
				const blocks = st.blocks.filter((x) => x.json && x.json.type !== 'stats');
				const msgs = blocks.map((x) => x.json);
				assert.equal(msgs[0].type, 'hello');
				assert.deepEqual(msgs.slice(1), revents);
				checkBlocks(st);
				return checkPacing(msgs, blocks.map((x) => x.t), revents, { speed: 4, what: 'sse replay=4' });
			});
			console.log(`# sse replay=4 gaps: ${JSON.stringify(rep)}`);
		});

		it('replay of a live blog: paced history, then live, then live events at once', async () => {
			const b = await createBlog(s, { id: uniqueId('replaylive') });
			await postEntry(s, b, { text: 'a' });
			await sleep(800);
			await postEntry(s, b, { text: 'b' });
			const hist = await allEvents(s.base, b.id);
			await paced('live replay=2', async () => {
				const r = ws(`${s.wsBase}/ws/blogs/${b.id}?replay=2`);
				await r.waitFor((m) => m.type === 'live', 5000);
				const keep = r.messages.map((m, i) => [m, r.times[i]]).filter(([m]) => m.type !== 'stats');
				assert.deepEqual(keep.map(([m]) => m.type), ['hello', 'entry', 'entry', 'live']);
				assert.equal(keep[3][0].seq, hist.at(-1).seq);
				r.ws.terminate();
				checkPacing(keep.map(([m]) => m), keep.map(([, t]) => t), hist, { speed: 2, what: 'live replay=2' });
			});
			const r = ws(`${s.wsBase}/ws/blogs/${b.id}?replay=2`);
			await r.waitFor((m) => m.type === 'live', 5000);
			const t0 = performance.now();
			const e = await postEntry(s, b, { text: 'live now' });
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === e.id, 3000);
			const dt = r.times[r.messages.findIndex((m) => m.type === 'entry' && m.entry.id === e.id)] - t0;
			assert.ok(dt < 500, `a live event is not paced (${Math.round(dt)} ms)`);
			r.close();
		});

		it('long silences are capped by --replay-cap', async () => {
			const b = await createBlog(s, { id: uniqueId('replaycap') });
			await postEntry(s, b, { text: 'before the silence' });
			await sleep(2000);
			await postEntry(s, b, { text: 'after the silence' });
			await endBlog(s.base, b);
			const evs = await allEvents(s.base, b.id);
			const gap = seqMs(evs[1].seq) - seqMs(evs[0].seq);
			assert.ok(gap >= 2000, `original gap ${gap} ms`);

			const capped = await s.addDaemon({ args: ['--replay-cap', '300'] });
			// WebSocket, speed 1: 2 s becomes 300 ms
			await paced('ws cap 300', async () => {
				const r = ws(`${capped.wsBase}/ws/blogs/${b.id}?replay=1`);
				assert.equal((await r.closed).code, 1000);
				const keep = r.messages.map((m, i) => [m, r.times[i]]).filter(([m]) => m.type !== 'stats');
				checkPacing(keep.map(([m]) => m), keep.map(([, t]) => t), evs, { speed: 1, cap: 300, what: 'ws cap 300' });
			});
			// SSE, speed 1: the same
			await paced('sse cap 300', async () => {
				const st = sse(capped.base, `/sse/blogs/${b.id}?replay=1`);
				await Promise.race([st.ended, sleep(8000)]);
				assert.ok(st.endedAt !== null, 'the replay ends');
				const blocks = st.blocks.filter((x) => x.json && x.json.type !== 'stats');
				checkPacing(blocks.map((x) => x.json), blocks.map((x) => x.t), evs, { speed: 1, cap: 300, what: 'sse cap 300' });
			});
			// the default cap (5 s) keeps it: speed 2 gives half the gap
			await paced('ws default cap', async () => {
				const r2 = ws(`${s.wsBase}/ws/blogs/${b.id}?replay=2`);
				assert.equal((await r2.closed).code, 1000);
				const keep = r2.messages.map((m, i) => [m, r2.times[i]]).filter(([m]) => m.type !== 'stats');
				checkPacing(keep.map(([m]) => m), keep.map(([, t]) => t), evs, { speed: 2, what: 'ws default cap' });
			});
		});

		it('an invalid speed is refused with 400 (WebSocket handshake and SSE)', async () => {
			for (const v of ['0', '-1', '-0.5', 'abc', '', 'NaN', '4x', '0x']) {
				const r = wsOpen(`${s.wsBase}/ws/blogs/${rb.id}?replay=${encodeURIComponent(v)}`);
				await assert.rejects(r.opened, (e) => e.statusCode === 400, `ws replay=${v}`);
				assert.equal(r.handshakeStatus, 400, `ws replay=${v}`);
				const res = await api(s.base, 'GET', `/sse/blogs/${rb.id}?replay=${encodeURIComponent(v)}`);
				assertErrorBody(res, 400, 'bad_request', `sse replay=${v}`);
			}
			// valid speeds are accepted, fractions included
			for (const v of ['1', '2.5', '0.5', '1000']) {
				const r = ws(`${s.wsBase}/ws/blogs/${rb.id}?replay=${v}`);
				await r.opened;
				await r.waitFor((m) => m.type === 'hello');
				r.ws.terminate();
				const st = sse(s.base, `/sse/blogs/${rb.id}?replay=${v}`);
				assert.equal((await st.response).status, 200, `sse replay=${v}`);
				await st.waitFor((m) => m.type === 'hello');
				st.close();
			}
			// an unknown blog stays a 404, whatever the speed
			const r = wsOpen(`${s.wsBase}/ws/blogs/no-such-blog?replay=2`);
			await assert.rejects(r.opened, (e) => e.statusCode === 404);
		});
	});

	describe('cost', () => {
		it('reports the Redis commands spent when 200 readers join an ended blog at once', async () => {
			const N = 200;
			const b = await createBlog(s, { id: uniqueId('cost') });
			for (let i = 0; i < 20; i++)
				await postEntry(s, b, { text: `entry ${i}` });
			await endBlog(s.base, b);
			const all = await allEvents(s.base, b.id);
			// a fresh instance: no hub for this blog yet
			const d = await s.addDaemon();
			await sleep(500);

			const idleWindow = async (ms) => {
				const a = commandStats(s.redis);
				const t = performance.now();
				await sleep(ms);
				const delta = statsDelta(a, commandStats(s.redis));
				return { delta, ms: performance.now() - t };
			};
			const idle = await idleWindow(3000);

			const wave = async (label) => {
				const before = commandStats(s.redis);
				const t = performance.now();
				const readers = [];
				for (let i = 0; i < N; i++)
					readers.push(wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
				const closes = await Promise.all(readers.map((r) => r.closed));
				const ms = performance.now() - t;
				const delta = statsDelta(before, commandStats(s.redis));
				// every reader got the whole log and a normal close
				for (const [i, r] of readers.entries()) {
					assert.equal(closes[i].code, 1000, `${label} reader ${i} close`);
					assert.deepEqual(r.events(), all, `${label} reader ${i} events`);
				}
				const total = sum(delta);
				// per command: what the readers cost beyond the idle background
				const net = {};
				for (const [k, n] of Object.entries(delta)) {
					const v = Math.round(n - (idle.delta[k] ?? 0) / idle.ms * ms);
					if (v > 0)
						net[k] = v;
				}
				const line = `${label}: ${N} readers in ${Math.round(ms)} ms: ${total} Redis commands in all `
					+ `${JSON.stringify(delta)}; beyond the idle background: ${sum(net)} ${JSON.stringify(net)} `
					+ `= ${Math.round(sum(net) * 1000 / N)} per 1000 readers`;
				console.log(`# ${line}`);
				return { total, net, delta };
			};
			console.log(`# idle Redis commands over ${Math.round(idle.ms)} ms: ${JSON.stringify(idle.delta)}`);
			await wave('cold hub');
			await wave('second wave');
		});
	});
});
