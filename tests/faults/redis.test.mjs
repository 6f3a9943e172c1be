// Redis faults (SPEC Rules 1, 3, 6; /healthz; 503 unavailable): Redis stopped
// under connected readers while another instance writes as soon as it can,
// and Redis restarted from its AOF (SIGTERM and SIGKILL) under busy writers.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	reportSection, faultTest, startRedis, startDaemon, startProxy, createBlog,
	postEntry, api, allEvents, wsOpen, uniqueId, sleep, waitUntil,
	assertErrorBody, resumingReader, postWithRetry, dupes, seqsOf, teardown } from './lib.mjs';

reportSection(import.meta.url, 'Redis faults');

const health = async (d) => {
	const r = await api(d.base, 'GET', '/healthz');
	return { status: r.status, json: r.json };
};

describe('Redis stopped and restarted', { timeout: 150000 }, () => {
	let redis;
	let proxy;
	let A;	/* reaches Redis through a proxy that can keep it cut off longer */
	let B;	/* reaches Redis directly */
	before(async () => {
		redis = await startRedis({ appendonly: true });
		proxy = await startProxy(redis.port);
		A = await startDaemon({ redisUrl: proxy.url });
		B = await startDaemon({ redisUrl: redis.url });
	});
	after(async () => {
		await teardown({ daemons: [A, B], proxy, redis });
	});

	faultTest('Redis stopped under connected readers; B writes before A reconnects; A\'s readers get it all in order', async (t, row) => {
		row.fault = 'Redis stopped (SIGTERM) with 3 readers on A and 1 on B; Redis started again on the same port (AOF on); A kept cut off 2 s longer (proxy refusing) while B, back first, writes 10 entries, an edit and a delete';
		const b = await createBlog(B, { id: uniqueId('outage') });
		const pre = [];
		for (let i = 0; i < 5; i++)
			pre.push(await postEntry(A, b, { text: `before ${i}` }));
		const onA = [0, 1, 2].map(() => wsOpen(`${A.wsBase}/ws/blogs/${b.id}`));
		const onB = wsOpen(`${B.wsBase}/ws/blogs/${b.id}`);
		await Promise.all([...onA, onB].map((r) => r.waitFor((m) => m.type === 'live')));

		await proxy.refuse();
		await redis.stop();
		const tDown = Date.now();
		await waitUntil(async () => (await health(A)).status === 503 && (await health(B)).status === 503,
			{ timeout: 6000, message: '/healthz 503 on A and B after Redis stopped' });
		const hA = await health(A);
		assert.equal(hA.json?.redis, 'down', `A's /healthz says redis down: ${JSON.stringify(hA.json)}`);
		assert.ok(A.alive() && B.alive(), 'both daemons stay up');

		// writes during the outage: 503 unavailable, nothing stored
		const refusedIds = [];
		for (const [d, n] of [[A, 3], [B, 2]]) {
			for (let i = 0; i < n; i++) {
				const id = randomUUID();
				refusedIds.push(id);
				const res = await api(d.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id, text: 'during the outage' }, token: b.editor_token });
				assertErrorBody(res, 503, 'unavailable', `post on ${d === A ? 'A' : 'B'} while Redis is down`);
			}
		}
		assertErrorBody(await api(A.base, 'PATCH', `/api/blogs/${b.id}/entries/${pre[0].id}`, { body: { text: 'x' }, token: b.editor_token }), 503, 'unavailable', 'edit while down');
		assertErrorBody(await api(A.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token }), 503, 'unavailable', 'end while down');
		await sleep(1000);
		for (const [i, r] of [...onA, onB].entries())
			assert.equal(r.ws.readyState, 1, `reader ${i} still connected during the outage`);

		await redis.start();
		await waitUntil(async () => (await health(B)).status === 200,
			{ timeout: 10000, message: 'B healthy again after Redis came back' });
		const tBBack = Date.now();
		assert.equal((await health(A)).status, 503, 'A still cut off (proxy refusing)');
		const during = [];
		for (let i = 0; i < 10; i++)
			during.push(await postEntry(B, b, { text: `while A is away ${i}` }));
		const ed = await api(B.base, 'PATCH', `/api/blogs/${b.id}/entries/${pre[1].id}`, { body: { text: 'edited while A is away' }, token: b.editor_token });
		assert.equal(ed.status, 200, ed.text);
		const del = await api(B.base, 'DELETE', `/api/blogs/${b.id}/entries/${pre[2].id}`, { token: b.editor_token });
		assert.equal(del.status, 200, del.text);
		await sleep(2000 - (Date.now() - tBBack) > 0 ? 2000 - (Date.now() - tBBack) : 0);
		for (const r of onA)
			assert.equal(r.events().length, 5, 'A\'s readers got nothing while A was cut off');

		await proxy.accept();
		const tOpen = Date.now();
		await waitUntil(async () => (await health(A)).status === 200,
			{ timeout: 10000, interval: 100, message: 'A reconnects by itself (/healthz 200)' });
		const reconnectMs = Date.now() - tOpen;
		assert.ok(reconnectMs < 6000, `A reconnects within its 3 s backoff cap (+ margin): ${reconnectMs} ms`);

		const stored = await allEvents(B.base, b.id);
		assert.equal(stored.length, 5 + 10 + 2, 'the log: 5 before, 10 entries + edit + delete during A\'s outage');
		const storedIds = new Set(stored.filter((e) => e.type === 'entry').map((e) => e.entry.id));
		assert.deepEqual(refusedIds.filter((id) => storedIds.has(id)), [], 'no 503\'d write was stored');
		for (const [i, r] of onA.entries())
			await waitUntil(() => r.events().length >= stored.length,
				{ timeout: 10000, message: `reader ${i} on A received the events B wrote during the gap` });
		await waitUntil(() => onB.events().length >= stored.length, { timeout: 5000, message: 'reader on B' });
		await sleep(300);
		for (const [i, r] of onA.entries()) {
			assert.equal(r.ws.readyState, 1, `reader ${i} on A never disconnected`);
			assert.equal(r.messages.filter((m) => m.type === 'reset').length, 0, `reader ${i} on A: no reset`);
			assert.deepEqual(r.events(), stored, `reader ${i} on A: every event once, in log order`);
		}
		assert.deepEqual(onB.events(), stored, 'reader on B: every event once, in log order');
		// the tail is live again on A: a new post on A reaches A's readers
		const live = await postEntry(A, b, { text: 'after the outage' });
		for (const r of onA)
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === live.id);
		row.readers = `4/4 readers stayed connected through the ${((tOpen - tDown) / 1000).toFixed(1)} s outage; A's 3 readers got the 12 events B wrote while A was away once A reconnected, in log order, no duplicate, no reset`;
		row.writers = `during the outage 5/5 posts (A and B), the edit and the end got 503 unavailable; /healthz 503 on both; A reconnected by itself ${reconnectMs} ms after its path to Redis reopened (no restart)`;
		row.lost = 'nothing acknowledged; none of the 503\'d writes was stored';
		for (const r of [...onA, onB])
			r.close();
	});

	faultTest('Redis restarted from its AOF (SIGTERM, then SIGKILL) under busy writers: no acknowledged write is lost', async (t, row) => {
		row.fault = '4 writers (2 on A, 2 on B) post continuously; Redis restarted with SIGTERM, then killed with SIGKILL and started again from its AOF; every unacknowledged write is then retried with its id';
		const b = await createBlog(B, { id: uniqueId('aof') });
		const rrA = resumingReader([A.wsBase], b.id);
		const rrB = resumingReader([B.wsBase], b.id);
		await Promise.all([rrA, rrB].map((rr) => rr.current.waitFor((m) => m.type === 'live')));
		const results = [];
		let stop = false;
		const writer = async (d, k) => {
			for (let n = 0; !stop && n < 2000; n++) {
				const id = randomUUID();
				const text = `w${k}.${n}`;
				let res;
				try {
					res = await api(d.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id, text }, token: b.editor_token });
				} catch {
					res = { status: 'no answer' };
				}
				results.push({ id, text, status: res.status, error: res.json?.error, at: Date.now() });
				await sleep(res.status === 201 ? 5 : 50);
			}
		};
		const running = [writer(A, 'A0'), writer(A, 'A1'), writer(B, 'B0'), writer(B, 'B1')];
		const guard = setTimeout(() => { stop = true; }, 40000);
		try {
			await sleep(500);
			const before1 = results.filter((r) => r.status === 201).length;
			await redis.restart();		/* SIGTERM */
			for (const d of [A, B])
				await waitUntil(async () => (await health(d)).status === 200, { timeout: 10000, message: 'healthy after the SIGTERM restart' });
			await sleep(500);
			const before2 = results.filter((r) => r.status === 201).length;
			redis.proc.kill('SIGKILL');
			await redis.proc.exited;
			await redis.start();
			for (const d of [A, B])
				await waitUntil(async () => (await health(d)).status === 200, { timeout: 10000, message: 'healthy after the SIGKILL restart' });
			await sleep(500);
			row.notes.push(`201s before the SIGTERM restart: ${before1}; before the SIGKILL: ${before2}`);
		} finally {
			stop = true;
			clearTimeout(guard);
			await Promise.all(running);
		}
		const acked = results.filter((r) => r.status === 201);
		const unacked = results.filter((r) => r.status !== 201);
		const weird = unacked.filter((r) => r.status !== 503 && r.status !== 'no answer');
		assert.deepEqual(weird.map((r) => `${r.status} ${r.error}`), [], 'a write gets 201, 503 or (while Redis dies) no answer');
		for (const r of unacked.filter((x) => x.status === 503))
			assert.equal(r.error, 'unavailable', '503 says unavailable');
		const storedBefore = await allEvents(B.base, b.id);
		const idsBefore = storedBefore.map((e) => e.entry.id);
		assert.deepEqual(dupes(idsBefore), [], 'no entry twice in the log');
		const inLog = new Set(idsBefore);
		const lost = acked.filter((r) => !inLog.has(r.id));
		assert.deepEqual(lost.map((r) => r.text), [], 'every 201 survived both restarts');
		// 503'd / unanswered writes found stored anyway (ambiguous outcomes)
		const unackedStored = unacked.filter((r) => inLog.has(r.id));
		// retry every unacknowledged write with its id: applied at most once
		const retried = [];
		for (const r of unacked) {
			const again = await postWithRetry([B.base], b, r.text, { id: r.id });
			retried.push({ ...r, again: again.status });
		}
		assert.deepEqual(retried.filter((r) => r.again !== 201 && r.again !== 200).map((r) => r.again), [], 'each retry is acknowledged');
		assert.deepEqual(retried.filter((r) => (r.again === 200) !== inLog.has(r.id)).map((r) => `${r.id} ${r.again}`), [],
			'a retry answers 200 exactly when the first attempt had been stored');
		const stored = await allEvents(B.base, b.id);
		const ids = stored.map((e) => e.entry.id);
		assert.deepEqual(dupes(ids), [], 'still no entry twice after the retries');
		assert.equal(ids.length, results.length, 'every write stored exactly once in the end');
		for (const [name, rr] of [['A', rrA], ['B', rrB]]) {
			await rr.waitCount(stored.length, 15000);
			await sleep(200);
			rr.stop();
			assert.equal(rr.resets, 0, `reader on ${name}: no reset`);
			assert.deepEqual(dupes(seqsOf(rr.events)), [], `reader on ${name}: no duplicate`);
			assert.deepEqual(seqsOf(rr.events), seqsOf(stored), `reader on ${name}: the whole log in order`);
		}
		const n503 = unacked.filter((r) => r.status === 503).length;
		const nNo = unacked.length - n503;
		row.writers = `${results.length} posts: ${acked.length} × 201, ${n503} × 503 unavailable, ${nNo} without an answer; retried with the same id: ${retried.filter((r) => r.again === 201).length} × 201, ${retried.filter((r) => r.again === 200).length} × 200 (already stored)`;
		row.readers = `resuming readers on A and B: ${rrA.connections} and ${rrB.connections} connections, each saw all ${stored.length} events in order, 0 duplicates, 0 resets`;
		row.lost = `nothing: ${acked.length}/${acked.length} acknowledged writes in the log after the restarts; ${unackedStored.length} unacknowledged write(s) had been stored anyway (${unackedStored.filter((r) => r.status === 503).length} of them answered 503), found by the retry`;
	});
});
