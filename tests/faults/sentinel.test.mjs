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


/*
 * A reader as a page renders it: its view is the events since its last
 * reset; it reconnects to the same instance with ?since=<last in view>
 * whenever its socket closes. r.view, r.resets, r.connections, r.stop().
 */
function viewReader(base, blogId) {
	const r = { view: [], resets: 0, connections: 0, closes: [], stopped: false, current: null };
	const connect = () => {
		if (r.stopped)
			return;
		const since = r.view.length ? `?since=${r.view.at(-1).seq}` : '';
		const ws = wsOpen(`${base}/ws/blogs/${blogId}${since}`);
		r.current = ws;
		r.connections++;
		ws.ws.on('message', (data) => {
			const m = JSON.parse(data.toString());
			if (m.type === 'reset') {
				r.resets++;
				r.view = [];
			} else if (['entry', 'edit', 'delete', 'ended'].includes(m.type)) {
				r.view.push(m);
			}
		});
		ws.closed.then((c) => {
			r.closes.push(c.code);
			if (!r.stopped)
				setTimeout(connect, 50 + Math.random() * 100);
		});
	};
	connect();
	r.stop = () => {
		r.stopped = true;
		r.current?.ws.terminate();
	};
	return r;
}

/* A writer posting new entries (client ids) to d until stop(); every answer kept. */
function writer(d, b, name) {
	const w = { results: [], stopped: false };
	w.done = (async () => {
		for (let n = 0; !w.stopped; n++) {
			const id = randomUUID();
			const sent = Date.now();
			let res;
			try {
				res = await post(d, b, id, `${name}.${n}`);
			} catch (e) {
				res = { status: 'no answer' };
			}
			w.results.push({ id, sent, ms: Date.now() - sent, status: res.status, error: res.json?.error });
			await sleep(20);
		}
	})();
	w.stop = async () => { w.stopped = true; await w.done; };
	return w;
}

const tally = (results) => results.reduce((a, r) => ({ ...a, [r.status]: (a[r.status] ?? 0) + 1 }), {});

/*
 * kill -9 of the master under 4 writers (2 per instance) and 4 readers (2
 * per instance) on two liveblogd with --ack-replicas ack: the numbers of
 * the run, asserting what must hold whatever ack is.
 */
async function killMaster(ack, row) {
	const t = await topology();
	const ds = [await daemon(t, ['--ack-replicas', String(ack)]),
		await daemon(t, ['--ack-replicas', String(ack)])];
	const pids = ds.map((d) => d.pid);
	const b = await createBlog(ds[0], { id: uniqueId(`kill-ack${ack}`) });
	const readers = [0, 0, 1, 1].map((i) => viewReader(ds[i].wsBase, b.id));
	const writers = [0, 1, 0, 1].map((i, k) => writer(ds[i], b, `w${k}`));
	let kill, back;
	try {
		await sleep(2000);
		kill = Date.now();
		t.kill9(t.master);
		await waitUntil(() => writers.every((w) => w.results.some((r) => r.sent > kill && r.status === 201)),
			{ timeout: 30000, interval: 50, message: 'every writer succeeds again after the kill' });
		back = Math.max(...writers.map((w) => { const r = w.results.find((x) => x.sent > kill && x.status === 201); return r.sent + r.ms; })) - kill;
		await sleep(1500);
	} finally {
		await Promise.all(writers.map((w) => w.stop()));
	}
	const results = writers.flatMap((w) => w.results);
	const first = Math.min(...results.filter((r) => r.sent > kill && r.status === 201).map((r) => r.sent + r.ms)) - kill;
	const next = await t.masterPort();
	assert.notEqual(next, t.master, 'the sentinels promoted a replica');
	const odd = results.filter((r) => r.status !== 201 && r.status !== 503);
	assert.deepEqual(odd, [], `every write answered 201 or 503: ${JSON.stringify(tally(results))}`);
	assert.deepEqual(ds.map((d) => d.alive() && d.pid), pids, 'no instance restarted');
	assert.ok(back < 15000, `every writer succeeds again within 15 s of the kill: ${back} ms`);

	const stored = await allEvents(ds[1].base, b.id);
	const ids = stored.map((e) => e.entry.id);
	assert.deepEqual(dupes(ids), [], 'no entry twice in the log');
	const acked = results.filter((r) => r.status === 201);
	const lost = acked.filter((r) => !ids.includes(r.id));
	const refusedStored = results.filter((r) => r.status === 503 && ids.includes(r.id));
	for (const [i, r] of readers.entries()) {
		await waitUntil(() => r.view.length >= stored.length, { timeout: 15000, message: `reader ${i} caught up` });
		assert.deepEqual(seqsOf(r.view), seqsOf(stored), `reader ${i}: the log, each event once, in order (after ${r.resets} resets)`);
	}
	for (const r of readers)
		r.stop();
	const failovers = await Promise.all(ds.map((d) => metric(d, 'liveblog_redis_failovers_total')));
	assert.deepEqual(failovers, [1, 1]);
	return { t, ds, results, stored, acked, lost, refusedStored, readers, back, first, kill };
}

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
		assert.equal((await health(d2)).failovers, 1);
		assert.match((await api(d1.base, 'GET', '/metrics')).text,
			new RegExp(`^liveblog_redis_master\\{address="127\\.0\\.0\\.1:${next}"\\} 1$`, 'm'));
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

describe('kill -9 of the master under load', { timeout: 240000 }, () => {
	for (const ack of [1, 0])
		faultTest(`master killed -9 with --ack-replicas ${ack}: writes back within 15 s, no restart, readers without gap or duplicate${ack ? ', no acknowledged write lost' : ' (acknowledged writes lost: measured)'}`, async (t0, row) => {
			row.fault = `master + 2 replicas + 3 sentinels (deploy/redis: down-after-milliseconds 5000, quorum 2); 2 liveblogd --ack-replicas ${ack} --workers 2; the master SIGKILLed 2 s into the run`;
			const m = await killMaster(ack, row);
			const resets = m.readers.map((r) => r.resets);
			const conns = m.readers.map((r) => r.connections);
			row.readers = `4 WebSocket readers (2 per instance): each ends with the new master's log, all ${m.stored.length} events once and in order; resets ${JSON.stringify(resets)}, connections ${JSON.stringify(conns)}`;
			row.writers = `4 writers (2 per instance), ${m.results.length} posts: ${JSON.stringify(tally(m.results))}; first success ${m.first} ms after the kill, every writer succeeding again by ${m.back} ms; no restart`;
			row.lost = `${m.lost.length} of ${m.acked.length} acknowledged writes missing from the new master's log; ${m.refusedStored.length} of the 503'd writes are stored anyway`;
			row.notes.push(`failover time (kill -9 to every writer succeeding again): ${m.back} ms, with sentinel down-after-milliseconds 5000`);
			if (ack)
				assert.deepEqual(m.lost.map((r) => r.id), [], 'every acknowledged write is in the new master\'s log');
		});
});

describe('kill -9 of the master while its replicas lag', { timeout: 240000 }, () => {
	faultTest('replicas behind at the kill: --ack-replicas 0 loses what it acknowledged, 1 loses nothing acknowledged; readers who saw lost events get one reset, then the new log', async (t0, row) => {
		row.fault = 'both replicas SIGSTOPped and their links cut (CLIENT KILL TYPE replica) while 3 entries are posted through an instance with --ack-replicas 0 and 3 through one with --ack-replicas 1; the master SIGKILLed, the replicas SIGCONTed: the promoted one lacks those 6 events, which readers on both instances were sent';
		const t = await topology();
		const [d0, d1] = [await daemon(t, ['--ack-replicas', '0']), await daemon(t, ['--ack-replicas', '1'])];
		const b = await createBlog(d0, { id: uniqueId('lag') });
		for (const d of [d0, d1])
			assert.equal((await post(d, b, randomUUID(), 'replicated')).status, 201);
		const readers = [d0, d0, d1, d1].map((d) => viewReader(d.wsBase, b.id));
		await waitUntil(() => readers.every((r) => r.view.length === 2), { message: 'readers have the first 2' });

		t.pause(t.replicas[0]);
		t.pause(t.replicas[1]);
		// A stopped process still receives into its socket buffer: cut the
		// links too, so that what follows reaches no replica at all.
		assert.equal(await t.cli(t.master, ['CLIENT', 'KILL', 'TYPE', 'replica']), '2');
		const during = await Promise.all([d0, d0, d0, d1, d1, d1].map(async (d, i) => {
			const id = randomUUID();
			const res = await post(d, b, id, `while the replicas lag ${i}`);
			return { id, ack: d === d0 ? 0 : 1, status: res.status };
		}));
		await waitUntil(() => readers.every((r) => r.view.length === 8),
			{ message: 'every reader was sent the 6 unreplicated events' });
		const kill = Date.now();
		t.kill9(t.master);
		t.resume(t.replicas[0]);
		t.resume(t.replicas[1]);
		await t.waitMaster((p) => p !== t.master, { timeout: 30000 });
		const after = [];
		await waitUntil(async () => {
			const res = await Promise.all([d0, d1].map((d) => post(d, b, randomUUID(), 'after the failover')));
			after.push(...res.filter((r) => r.status === 201));
			return res.every((r) => r.status === 201);
		}, { timeout: 20000, interval: 200, message: 'writes through both instances again' });
		const back = Date.now() - kill;

		const stored = await allEvents(d1.base, b.id);
		const ids = stored.map((e) => e.entry.id);
		const acked0 = during.filter((w) => w.ack === 0 && w.status === 201);
		const acked1 = during.filter((w) => w.ack === 1 && w.status === 201);
		const lost0 = acked0.filter((w) => !ids.includes(w.id));
		const lost1 = acked1.filter((w) => !ids.includes(w.id));
		assert.deepEqual(during.filter((w) => w.ack === 1).map((w) => w.status), [503, 503, 503],
			'--ack-replicas 1 refused what no replica had');
		assert.deepEqual(lost1, [], 'nothing acknowledged with --ack-replicas 1 is lost');
		assert.equal(stored.length, 2 + ids.filter((id) => during.some((w) => w.id === id)).length + after.length);
		for (const [i, r] of readers.entries()) {
			await waitUntil(() => r.view.length >= stored.length && seqsOf(r.view).join() === seqsOf(stored).join(),
				{ timeout: 15000, message: `reader ${i} shows the new master's log` }).catch(() => { });
			assert.deepEqual(seqsOf(r.view), seqsOf(stored), `reader ${i}: the new log once, in order, after its reset`);
			assert.equal(r.resets, 1, `reader ${i}: one reset, no loop`);
		}
		const rewinds = await Promise.all([d0, d1].map((d) => metric(d, 'liveblog_hub_rewinds_total')));
		assert.ok(rewinds.every((n) => n >= 1), `both instances reloaded the blog's ring: ${rewinds}`);
		for (const r of readers)
			r.stop();
		row.readers = `4 readers (2 per instance) had been sent the 6 events; each got exactly 1 reset, then the new master's log (${stored.length} events) once and in order; liveblog_hub_rewinds_total ${JSON.stringify(rewinds)}`;
		row.writers = `--ack-replicas 0: ${acked0.length}/3 acknowledged (201) while the replicas lagged; --ack-replicas 1: all 3 answered 503; writes through both instances again ${back} ms after the kill`;
		row.lost = `--ack-replicas 0: ${lost0.length} of its ${acked0.length} acknowledged writes lost; --ack-replicas 1: ${lost1.length} acknowledged writes lost`;
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
