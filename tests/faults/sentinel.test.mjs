// Redis high availability (SPEC Part two): --redis sentinel://.../MASTER
// follows the master across a failover without a restart; --ack-replicas N
// acknowledges a write only once N replicas hold it (WAIT), else 503, and
// the retry with the same entry id answers 200.
//
// Every test runs the compose file's Redis topology natively (a master, two
// replicas, three sentinels from deploy/redis/, on free loopback ports:
// tests/faults/topology.mjs) and real liveblogd processes with
// --redis sentinel://... --redis-password-file.
import { describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
	reportSection, faultTest, startDaemon, createBlog, allEvents, wsOpen, uniqueId,
	sleep, waitUntil, quickPost, api, dupes, seqsOf, DAEMON_BIN } from './lib.mjs';
import { startTopology } from './topology.mjs';

reportSection(import.meta.url, 'Redis Sentinel failover and acknowledged writes');

const cleanups = [];
after(async () => {
	for (const c of cleanups.reverse())
		await c();
});

async function topology(opts) {
	const t = await startTopology(opts);
	cleanups.push(() => t.stop());
	return t;
}

async function daemon(t, args = [], opts = {}) {
	const d = await startDaemon({ redisUrl: t.url, timeout: 20000,
		args: ['--redis-password-file', t.pwfile, '--workers', '2', ...args], ...opts });
	cleanups.push(async () => {
		if (d.alive())
			assert.equal(await d.stop(), 0);
	});
	return d;
}

async function metric(d, name) {
	const text = (await api(d.base, 'GET', '/metrics')).text;
	const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
	return m ? Number(m[1]) : null;
}

const health = async (d) => (await api(d.base, 'GET', '/healthz')).json;
const post = (d, b, id, text) => quickPost(d.base, `/api/blogs/${b.id}/entries`,
	{ id, text }, b.editor_token, { timeout: 20000 });

describe('Sentinel: following the master', { timeout: 180000 }, () => {
	faultTest('SENTINEL FAILOVER: both instances follow the new master without a restart', async (t0, row) => {
		row.fault = 'master + 2 replicas + 3 sentinels (deploy/redis); 2 liveblogd (--workers 2) on sentinel://; SENTINEL FAILOVER (the old master becomes a replica)';
		const t = await topology();
		const d1 = await daemon(t);
		const d2 = await daemon(t);
		const b = await createBlog(d1, { id: uniqueId('follow') });
		const r = wsOpen(`${d2.wsBase}/ws/blogs/${b.id}`);
		await r.waitFor((m) => m.type === 'live');
		assert.equal((await post(d1, b, randomUUID(), 'before')).status, 201);
		assert.equal((await health(d1)).master, `127.0.0.1:${t.master}`);

		assert.equal(await t.cli(t.sentinels[0], ['SENTINEL', 'FAILOVER', 'liveblog']), 'OK');
		const t0ms = Date.now();
		const next = await t.waitMaster((p) => p !== t.master);
		// Writes sent while an instance still talks to the old master would
		// be lost when it is demoted (see the README): wait for the switch.
		await waitUntil(async () => (await health(d1)).master === `127.0.0.1:${next}` &&
			(await health(d2)).master === `127.0.0.1:${next}`,
		{ timeout: 15000, message: '/healthz of both instances names the new master' });
		const switched = Date.now() - t0ms;
		let first = null;
		await waitUntil(async () => {
			const res = await post(d1, b, randomUUID(), 'after');
			if (res.status === 201)
				first = Date.now() - t0ms;
			return res.status === 201;
		}, { timeout: 20000, interval: 100, message: 'a write through the new master' });
		assert.equal(await metric(d1, 'liveblog_redis_failovers_total'), 1);
		const stored = await allEvents(d2.base, b.id);
		await waitUntil(() => r.events().length >= stored.length, { timeout: 10000, message: 'reader caught up' });
		assert.deepEqual(seqsOf(r.events()), seqsOf(stored), 'the reader got every event once, in order');
		assert.equal(r.ws.readyState, 1, 'the reader stayed connected');
		row.readers = `1 WebSocket reader on the other instance stayed connected and got all ${stored.length} events once`;
		row.writers = `both instances on the new master (/healthz) ${switched} ms after SENTINEL FAILOVER, a write through it succeeded at ${first} ms; liveblog_redis_failovers_total 1`;
		row.lost = 'nothing';
		r.close();
	});
});

describe('Sentinel: a sentinel dies', { timeout: 180000 }, () => {
	faultTest('the sentinel in use killed -9: instances ask another one, and still follow a failover', async (t0, row) => {
		row.fault = 'the first sentinel of the URL (the one every loop talks to first) SIGKILLed, then SENTINEL FAILOVER through another; one instance names the sentinels "localhost" (resolved off the loop)';
		const t = await topology();
		const d1 = await daemon(t);
		const byName = t.url.replace(/127\.0\.0\.1/g, 'localhost');
		const d2 = await daemon(t, [], { redisUrl: byName });
		const b = await createBlog(d1, { id: uniqueId('sentinel-dies') });
		const r = wsOpen(`${d1.wsBase}/ws/blogs/${b.id}`);
		await r.waitFor((m) => m.type === 'live');
		t.kill9(t.sentinels[0]);
		await sleep(500);
		assert.equal((await post(d2, b, randomUUID(), 'sentinel 0 is gone')).status, 201,
			'writes go on: the master is still there');
		assert.equal(await t.cli(t.sentinels[1], ['SENTINEL', 'FAILOVER', 'liveblog']), 'OK');
		const t0ms = Date.now();
		const next = await t.waitMaster((p) => p !== t.master);
		await waitUntil(async () => (await health(d1)).master === `127.0.0.1:${next}` &&
			(await health(d2)).master === `127.0.0.1:${next}`,
		{ timeout: 20000, message: '/healthz of both instances names the new master' });
		const switched = Date.now() - t0ms;
		assert.equal((await post(d2, b, randomUUID(), 'after the failover')).status, 201);
		assert.equal((await post(d1, b, randomUUID(), 'after the failover')).status, 201);
		const stored = await allEvents(d1.base, b.id);
		assert.equal(stored.length, 3);
		await waitUntil(() => r.events().length >= stored.length, { timeout: 10000, message: 'reader caught up' });
		assert.deepEqual(seqsOf(r.events()), seqsOf(stored), 'the reader got every event once, in order');
		for (const d of [d1, d2])
			assert.match(d.stderr(), new RegExp(`sentinel: disconnected from (127\\.0\\.0\\.1|localhost):${t.sentinels[0]}`),
				'the instances saw the sentinel go');
		row.readers = `1 WebSocket reader stayed connected, all ${stored.length} events once`;
		row.writers = `a write right after the kill succeeded (the master was still there); both instances on the new master ${switched} ms after SENTINEL FAILOVER (sent to the second sentinel), writes through both succeeded`;
		row.lost = 'nothing';
		r.close();
	});
});

describe('--ack-replicas: a write waits for its replicas', { timeout: 180000 }, () => {
	faultTest('a replica stopped: 503 within --ack-timeout, then the retry with the same id answers 200', async (t0, row) => {
		row.fault = 'liveblogd --ack-replicas 2 --ack-timeout 500; one of the two replicas SIGSTOPped during 4 concurrent posts, then SIGCONTed; again during an end';
		const t = await topology();
		const d = await daemon(t, ['--ack-replicas', '2', '--ack-timeout', '500']);
		const b = await createBlog(d, { id: uniqueId('ack') });
		assert.equal((await post(d, b, randomUUID(), 'both replicas up')).status, 201);

		t.pause(t.replicas[1]);
		const ids = Array.from({ length: 4 }, () => randomUUID());
		const t1 = Date.now();
		const refused = await Promise.all(ids.map(async (id, i) => {
			const res = await post(d, b, id, `replica stopped ${i}`);
			return { ...res, ms: Date.now() - t1 };
		}));
		for (const res of refused) {
			assert.equal(res.status, 503, JSON.stringify(res.json));
			assert.equal(res.json.error, 'unavailable');
			assert.match(res.json.message, /1 of the 2 replicas .* within 500 ms; it may be stored: retry with the same id/);
		}
		const slowest = Math.max(...refused.map((r) => r.ms));
		assert.ok(slowest < 2 * 500 + 700, `4 concurrent writes all answered within twice the timeout: ${slowest} ms`);
		assert.ok((await metric(d, 'liveblog_writes_unacknowledged_total')) >= 4);
		assert.equal((await health(d)).status, 'ok', 'reads and /healthz are not held up');

		t.resume(t.replicas[1]);
		const retried = await Promise.all(ids.map((id, i) => post(d, b, id, `replica stopped ${i}`)));
		assert.deepEqual(retried.map((r) => r.status), [200, 200, 200, 200], 'each retry finds its write stored');
		assert.deepEqual(retried.map((r) => r.json.id), ids);
		t.pause(t.replicas[0]);
		const end = await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 503, 'ending waits for the replicas too');
		t.resume(t.replicas[0]);
		const ended = await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(ended.status, 200, 'ending again: 200');
		const stored = await allEvents(d.base, b.id);
		const entries = stored.filter((e) => e.type === 'entry').map((e) => e.entry.id);
		assert.deepEqual(dupes(entries), []);
		assert.equal(stored.length, 6, 'one entry before, the 4 refused-then-retried ones once each, ended');
		const acks = (await api(d.base, 'GET', '/metrics')).text;
		assert.match(acks, /^liveblog_write_acks_total\{replicas="1"\} [1-9]/m);
		assert.match(acks, /^liveblog_write_acks_total\{replicas="2"\} [1-9]/m);
		row.writers = `4 concurrent posts with one replica stopped: all 503 unavailable ("may be stored"), the slowest after ${slowest} ms (--ack-timeout 500: one WAIT in flight, then one for the 3 held); /healthz stayed ok; after SIGCONT the 4 retries with the same ids answered 200 with the stored entry; an end with a replica stopped 503, ended again after SIGCONT 200`;
		row.lost = `nothing, nothing twice: the log holds each entry once (${stored.length} events)`;
	});
});

describe('Sentinel: bad URLs', () => {
	faultTest('a bad sentinel URL: exit 2 with one line', async (t0, row) => {
		row.fault = 'liveblogd --redis with malformed sentinel:// URLs';
		const bad = ['sentinel://127.0.0.1:26379', 'sentinel:///liveblog', 'sentinel://h:0/m',
			'sentinel://h/m a', 'sentinel://:s3cret@h:1'];
		for (const url of bad) {
			const res = await new Promise((resolve) => execFile(DAEMON_BIN, ['--redis', url],
				{ timeout: 5000 }, (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stderr })));
			assert.equal(res.code, 2, url);
			assert.equal(res.stderr.trim().split('\n').length, 1, `one line for ${url}: ${res.stderr}`);
			assert.match(res.stderr, /^liveblogd: invalid value '.*' for --redis: /);
			assert.ok(!res.stderr.includes('s3cret'), 'the password is not echoed');
		}
		row.writers = `${bad.length} malformed URLs: each exit 2 with one line naming the problem, no password shown`;
	});
});
