// Several instances on one Redis (SPEC Rule 6), and readers surviving Redis
// connection loss (Rule 3 across reconnects).
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, sleep,
	wsOpen, assertErrorBody, withDiagnostics, EVENT_TYPES,
} from './harness.mjs';
import { endRace } from './races.mjs';

const isEvent = (m) => EVENT_TYPES.includes(m.type);

/*
 * A reader that behaves like the SPEC's clients: on close it reconnects with
 * ?since=<last seq seen>. It collects every event in arrival order.
 */
function resumingReader(wsBase, blogId) {
	const rr = { events: [], resets: 0, connections: 0, stopped: false, current: null };
	const connect = () => {
		if (rr.stopped)
			return;
		const since = rr.events.length ? `?since=${rr.events.at(-1).seq}` : '';
		const r = wsOpen(`${wsBase}/ws/blogs/${blogId}${since}`);
		rr.current = r;
		rr.connections++;
		r.ws.on('message', (data) => {
			let m;
			try { m = JSON.parse(data.toString()); } catch { return; }
			if (m.type === 'reset')
				rr.resets++;
			if (isEvent(m))
				rr.events.push(m);
		});
		r.closed.then(() => { if (!rr.stopped) setTimeout(connect, 100 + Math.random() * 100); });
	};
	connect();
	rr.stop = () => { rr.stopped = true; rr.current?.ws.terminate(); };
	return rr;
}

/* POST with a client id, retried with the same id until it is acknowledged. */
async function postRetrying(base, b, text, deadlineMs = 20000) {
	const id = randomUUID();
	const deadline = Date.now() + deadlineMs;
	let last;
	let unanswered = 0;	/* attempts that got no HTTP answer */
	let answered503 = 0;
	while (Date.now() < deadline) {
		try {
			last = await api(base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id, text }, token: b.editor_token });
		} catch (e) {
			last = e;
			unanswered++;
			await sleep(100);
			continue;
		}
		if (last.status === 201)
			return { id, entry: last.json };
		if (last.status === 200) {
			// a retry found the entry stored: only allowed if an earlier
			// attempt got no answer (a 503 means nothing was stored)
			assert.ok(unanswered > 0 || answered503 === 0,
				`post ${text}: a 503 answer had stored the entry (retry got 200)`);
			return { id, entry: last.json };
		}
		assertErrorBody(last, 503, 'unavailable', `post ${text} while Redis is away`);
		answered503++;
		await sleep(100);
	}
	throw new Error(`post ${text} not acknowledged: ${last?.status ?? last}`);
}

describe('two instances on one Redis', { timeout: 120000 }, () => {
	let s;
	let A;
	let B;
	before(async () => {
		s = await startStack({ appendonly: true });
		A = s.daemon;
		B = await s.addDaemon();
	});
	const cleanups = [];
	afterEach(() => {
		while (cleanups.length)
			cleanups.pop()();
	});
	const withLogs = (fn) => withDiagnostics(() => [A, B], fn);
	after(async () => { await s?.stop(); });

	it('a blog created on A is visible on B', async () => {
		const b = await createBlog(A, { id: uniqueId('ab') });
		const res = await api(B.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(res.status, 200);
		assert.equal(res.json.title, b.title);
		// and B accepts A's editor token
		await postEntry(B, b, { text: 'via B' });
	});

	it('a post on A reaches a reader on B, and both readers see the same sequence', async () => {
		const b = await createBlog(A, { id: uniqueId('fan') });
		const rA = wsOpen(`${A.wsBase}/ws/blogs/${b.id}`);
		const rB = wsOpen(`${B.wsBase}/ws/blogs/${b.id}`);
		await rA.waitFor((m) => m.type === 'live');
		await rB.waitFor((m) => m.type === 'live');
		const posted = [];
		for (let i = 0; i < 20; i++)
			posted.push(await postEntry(i % 2 ? A : B, b, { text: `alt ${i}` }));
		const last = posted.at(-1);
		await rB.waitFor((m) => m.type === 'entry' && m.entry.id === last.id);
		await rA.waitFor((m) => m.type === 'entry' && m.entry.id === last.id);
		const stored = await allEvents(A.base, b.id);
		assert.deepEqual(rB.events(), stored);
		assert.deepEqual(rA.events(), stored);
		rA.close();
		rB.close();
	});

	it('end on A → writes on B get 409 ended; B\'s readers get ended + 1000', async () => {
		const b = await createBlog(A, { id: uniqueId('endab') });
		await postEntry(B, b, { text: 'x' });
		const rB = wsOpen(`${B.wsBase}/ws/blogs/${b.id}`);
		await rB.waitFor((m) => m.type === 'live');
		const end = await api(A.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		assertErrorBody(await api(B.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'late' }, token: b.editor_token }), 409, 'ended');
		const again = await api(B.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(again.status, 200);
		assert.equal(again.json.ended_at, end.json.ended_at);
		assert.equal((await rB.closed).code, 1000);
		assert.equal(rB.events().at(-1).type, 'ended');
		assert.deepEqual(rB.events(), await allEvents(B.base, b.id));
	});

	it('the ended race across instances: posts on B while A ends', async () => {
		let created = 0;
		let refused = 0;
		for (let round = 0; round < 2; round++) {
			const b = await createBlog(A, { id: uniqueId(`xrace${round}`) });
			const r = await endRace(B.base, A.base, b, { endDelayMs: 30 + 20 * round });
			created += r.created;
			refused += r.refused;
		}
		assert.ok(created > 0 && refused > 0, `race raced: ${created} created, ${refused} refused`);
	});

	it('concurrent retries of one entry id on both instances: exactly one 201', async () => {
		const b = await createBlog(A, { id: uniqueId('idemab') });
		const id = randomUUID();
		const body = { id, text: 'twice, two places' };
		const rs = await Promise.all(Array.from({ length: 10 }, (_, i) =>
			api((i % 2 ? A : B).base, 'POST', `/api/blogs/${b.id}/entries`, { body, token: b.editor_token })));
		assert.deepEqual(rs.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
		assert.equal((await allEvents(A.base, b.id)).length, 1);
	});

	it('Redis connections killed (CLIENT KILL) while posting on A: the reader on B gets every event once, in order', withLogs(async () => {
		const b = await createBlog(A, { id: uniqueId('kill') });
		const rr = resumingReader(B.wsBase, b.id);
		cleanups.push(() => rr.stop());
		await rr.current.waitFor((m) => m.type === 'live');
		const N = 40;
		const acked = [];
		for (let i = 0; i < N; i++) {
			if (i === 10 || i === 25)
				s.redis.cli('CLIENT', 'KILL', 'TYPE', 'normal');
			acked.push(await postRetrying(A.base, b, `k${i}`));
			await sleep(10);
		}
		const stored = await allEvents(A.base, b.id);
		assert.equal(stored.length, N, 'each acknowledged post stored once');
		assert.deepEqual(stored.map((e) => e.entry.id), acked.map((a) => a.id));
		const deadline = Date.now() + 15000;
		while (rr.events.length < N && Date.now() < deadline)
			await sleep(50);
		await sleep(200);
		rr.stop();
		assert.equal(rr.resets, 0, 'no reset: the since was known');
		assert.deepEqual(rr.events.map((e) => e.seq), stored.map((e) => e.seq), `no gap, no duplicate, same order (${rr.connections} connections)`);
		assert.deepEqual(rr.events, stored);
	}));

	it('Redis restarted (AOF on) while posting: readers resume, nothing lost or repeated', withLogs(async () => {
		const b = await createBlog(A, { id: uniqueId('restart') });
		const rrB = resumingReader(B.wsBase, b.id);
		const rrA = resumingReader(A.wsBase, b.id);
		cleanups.push(() => rrA.stop(), () => rrB.stop());
		await rrB.current.waitFor((m) => m.type === 'live');
		await rrA.current.waitFor((m) => m.type === 'live');
		const N = 30;
		const acked = [];
		for (let i = 0; i < N; i++) {
			if (i === 12)
				await s.redis.restart();
			acked.push(await postRetrying(i % 3 ? A.base : B.base, b, `r${i}`));
			await sleep(10);
		}
		const stored = await allEvents(A.base, b.id);
		assert.deepEqual(stored.map((e) => e.entry.id), acked.map((a) => a.id));
		for (const [name, rr] of [['B', rrB], ['A', rrA]]) {
			const deadline = Date.now() + 15000;
			while (rr.events.length < N && Date.now() < deadline)
				await sleep(50);
			await sleep(200);
			rr.stop();
			assert.equal(rr.resets, 0, `reader on ${name}: no reset`);
			assert.deepEqual(rr.events.map((e) => e.seq), stored.map((e) => e.seq), `reader on ${name} (${rr.connections} connections): no gap, no duplicate`);
		}
		// both instances are healthy again
		assert.equal((await api(A.base, 'GET', '/healthz')).status, 200);
		assert.equal((await api(B.base, 'GET', '/healthz')).status, 200);
	}));
});
