// The embedded redis-server, supervised (SPEC Part two: "The embedded
// redis-server is supervised: if it dies it is restarted from its AOF
// (backoff), readers stay connected, writes get 503 meanwhile").
//
// liveblogd runs with no --redis (its own redis-server on a unix socket under
// its data dir, AOF on, appendfsync everysec); the redis-server child is found
// through /proc/<daemon>/task/*/children and killed with SIGKILL while
// WebSocket and SSE readers are connected and a writer posts. Nothing
// restarts liveblogd. The claim that appendfsync everysec loses nothing
// acknowledged when only redis-server dies (the AOF buffer is written to the
// file before the reply leaves) is checked, not assumed: every write that got
// 201, up to the last one before the kill, must be in the log afterwards.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
	reportSection, faultTest, startDaemon, createBlog, allEvents, wsOpen, uniqueId,
	sleep, waitUntil, quickPost, api, dupes, seqsOf, sseOpen } from './lib.mjs';

reportSection(import.meta.url, 'Embedded Redis supervised');

/* pids of the daemon's child processes (any thread's), with their state */
function children(pid) {
	const out = [];
	for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
		let kids = '';
		try { kids = fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8'); } catch { }
		for (const k of kids.trim().split(/\s+/).filter(Boolean)) {
			let stat = '';
			try { stat = fs.readFileSync(`/proc/${k}/stat`, 'utf8'); } catch { continue; }
			const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
			out.push({ pid: Number(k), comm, state: stat.slice(stat.lastIndexOf(')') + 2)[0] });
		}
	}
	return out;
}

function redisChild(d) {
	const kids = children(d.pid).filter((k) => k.comm.startsWith('redis-server') && k.state !== 'Z');
	return kids.length === 1 ? kids[0].pid : null;
}

function alive(pid) {
	try {
		return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}

async function metric(d, name) {
	const text = (await api(d.base, 'GET', '/metrics')).text;
	const type = new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(text)?.[1];
	const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
	return { type, value: m ? Number(m[1]) : null };
}

const health = async (d) => (await api(d.base, 'GET', '/healthz')).status;

const sseEvents = (sse) => sse.messages.filter((m) => ['entry', 'edit', 'delete', 'ended'].includes(m.type));

/*
 * One writer posting with client ids until stop(); every answer recorded
 * with the time it was sent and how long it took.
 */
function writer(d, b) {
	const w = { results: [], stopped: false };
	w.done = (async () => {
		for (let n = 0; !w.stopped; n++) {
			const id = randomUUID();
			const sent = Date.now();
			let res;
			try {
				res = await quickPost(d.base, `/api/blogs/${b.id}/entries`, { id, text: `w.${n}` }, b.editor_token, { timeout: 10000 });
			} catch (e) {
				res = { status: 'no answer', text: e.message };
			}
			w.results.push({ id, sent, ms: Date.now() - sent, status: res.status, error: res.json?.error });
			await sleep(15);
		}
	})();
	w.stop = async () => { w.stopped = true; await w.done; };
	w.acked = () => w.results.filter((r) => r.status === 201);
	return w;
}

/* Kills the redis-server child with SIGKILL; resolves {old, next, gapMs}
 * once a new child is running (gapMs: kill → new pid seen). */
async function killRedis(d) {
	const old = redisChild(d);
	assert.ok(old, `one redis-server child of liveblogd: ${JSON.stringify(children(d.pid))}`);
	const t0 = Date.now();
	process.kill(old, 'SIGKILL');
	let next = null;
	await waitUntil(() => {
		next = redisChild(d);
		return next && next !== old;
	}, { timeout: 10000, interval: 5, message: 'a new redis-server child' });
	return { old, next, gapMs: Date.now() - t0, t0 };
}

describe('embedded redis-server killed under load', { timeout: 180000 }, () => {
	let d;
	before(async () => {
		d = await startDaemon({ redisUrl: null, timeout: 20000, args: ['--workers', '2'] });
	});
	after(async () => {
		if (d?.alive())
			assert.equal(await d.stop(), 0);
	});

	faultTest('redis-server killed -9 with WS and SSE readers and a writer: back without restarting liveblogd, nothing acknowledged lost', async (t, row) => {
		row.fault = 'liveblogd with its embedded redis-server (AOF, appendfsync everysec, --workers 2); 2 WebSocket readers and 1 SSE reader on a blog, one writer posting every ~15 ms; the redis-server child SIGKILLed once';
		const b = await createBlog(d, { id: uniqueId('embedded') });
		const ws = [wsOpen(`${d.wsBase}/ws/blogs/${b.id}`), wsOpen(`${d.wsBase}/ws/blogs/${b.id}`)];
		await Promise.all(ws.map((r) => r.waitFor((m) => m.type === 'live')));
		const sse = sseOpen(d.base, `/sse/blogs/${b.id}`);
		await waitUntil(() => sse.messages.some((m) => m.type === 'live'), { message: 'SSE reader live' });
		const w = writer(d, b);
		let before, k, back;
		try {
			await sleep(1500);
			before = w.acked().length;
			k = await killRedis(d);
			await waitUntil(() => w.results.some((r) => r.sent > k.t0 && r.status === 201),
				{ timeout: 15000, interval: 20, message: 'a write sent after the kill succeeds' });
			back = w.results.find((r) => r.sent > k.t0 && r.status === 201);
			await sleep(1500);
		} finally {
			await w.stop();
		}
		const recoverMs = back.sent + back.ms - k.t0;

		const statuses = {};
		for (const r of w.results)
			statuses[r.status] = (statuses[r.status] ?? 0) + 1;
		const odd = w.results.filter((r) => r.status !== 201 && !(r.status === 503 && r.error === 'unavailable'));
		assert.deepEqual(odd, [], `every write answered 201, or 503 unavailable while Redis was down: ${JSON.stringify(statuses)}`);
		const slowest = Math.max(...w.results.map((r) => r.ms));
		assert.ok(slowest < 5000, `no write hung: the slowest answer took ${slowest} ms`);
		assert.ok(recoverMs < 5000, `writes succeed again within a few seconds of the kill: ${recoverMs} ms`);
		const at503 = w.results.filter((r) => r.status === 503);
		assert.ok(at503.length > 0, 'writes sent while Redis was down got 503');

		const stored = await allEvents(d.base, b.id);
		const storedIds = stored.map((e) => e.entry.id);
		assert.deepEqual(dupes(storedIds), [], 'no entry twice in the log');
		const missing = w.acked().filter((r) => !storedIds.includes(r.id));
		assert.deepEqual(missing, [], 'every acknowledged write is in the log after the restart');
		const lastBefore = w.acked().filter((r) => r.sent + r.ms <= k.t0);
		const justBefore = lastBefore.filter((r) => r.sent + r.ms > k.t0 - 1000);
		assert.ok(justBefore.length > 0, 'writes were acknowledged in the second before the kill (the AOF claim is exercised)');
		const refusedStored = at503.filter((r) => storedIds.includes(r.id));

		for (const [i, r] of ws.entries()) {
			await waitUntil(() => r.events().length >= stored.length, { timeout: 10000, message: `WS reader ${i} caught up` });
			assert.equal(r.ws.readyState, 1, `WS reader ${i} never disconnected`);
			assert.equal(r.messages.filter((m) => m.type === 'reset').length, 0, `WS reader ${i}: no reset`);
			assert.deepEqual(seqsOf(r.events()), seqsOf(stored), `WS reader ${i}: every event once, in log order`);
		}
		await waitUntil(() => sseEvents(sse).length >= stored.length, { timeout: 10000, message: 'SSE reader caught up' });
		assert.equal(sse.endedAt, null, 'the SSE stream stayed open');
		assert.deepEqual(seqsOf(sseEvents(sse)), seqsOf(stored), 'SSE reader: every event once, in log order');
		assert.equal((await metric(d, 'liveblog_redis_restarts_total')).value, 1);
		assert.deepEqual(children(d.pid).filter((c) => c.state === 'Z'), [], 'no zombie child');

		row.readers = `3/3 readers (2 WebSocket, 1 SSE) stayed connected; each got all ${stored.length} events once, in log order, no reset`;
		row.writers = `${w.results.length} posts: ${statuses[201] ?? 0} × 201, ${statuses[503] ?? 0} × 503 unavailable (none hung: slowest answer ${slowest} ms); the first write after the kill succeeded ${recoverMs} ms after it (new redis-server seen ${k.gapMs} ms after the kill), liveblogd never restarted`;
		row.lost = `nothing: all ${w.acked().length} acknowledged writes in the log, including the ${justBefore.length} acknowledged in the last second before the kill (${before} before the writer's 1.5 s mark); ${refusedStored.length} of the 503'd writes were stored`;
		assert.deepEqual(refusedStored, [], 'no 503\'d write was stored');
		for (const r of ws)
			r.close();
		sse.close();
	});

	faultTest('redis-server killed 3 more times in a row: the restart delay doubles (200, 400, 800 ms after the first kill\'s 100 ms); liveblog_redis_restarts_total counts them; readers stay', async (t, row) => {
		row.fault = 'the redis-server child SIGKILLed 3 more times, each time as soon as the new one answered /healthz 200 (well within the 30 s after which the backoff resets)';
		const b = await createBlog(d, { id: uniqueId('backoff') });
		const r = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
		await r.waitFor((m) => m.type === 'live');
		const m0 = await metric(d, 'liveblog_redis_restarts_total');
		assert.equal(m0.type, 'counter');
		const logBefore = d.stderr().length;
		const gaps = [];
		const posted = [];
		for (let i = 0; i < 3; i++) {
			await waitUntil(async () => (await health(d)) === 200, { timeout: 15000, message: `healthy before kill ${i + 1}` });
			gaps.push((await killRedis(d)).gapMs);
		}
		await waitUntil(async () => (await health(d)) === 200, { timeout: 15000, message: 'healthy after the third restart' });
		for (let i = 0; i < 3; i++) {
			const res = await quickPost(d.base, `/api/blogs/${b.id}/entries`, { text: `after ${i}` }, b.editor_token);
			assert.equal(res.status, 201, res.text);
			posted.push(res.json.id);
		}
		await r.waitFor((m) => m.type === 'entry' && m.entry.id === posted[2], 10000);
		assert.deepEqual(r.events().map((e) => e.entry.id), posted);
		assert.equal(r.ws.readyState, 1, 'the reader stayed connected through the three restarts');

		const log = d.stderr().slice(logBefore);
		const planned = [...log.matchAll(/embedded redis-server \(pid \d+\) was killed by signal 9 \(Killed\) after [\d.]+ s; restarting it from its AOF in (\d+) ms/g)].map((m) => Number(m[1]));
		/* the first test's kill was restart 1 (100 ms), less than 30 s ago */
		assert.deepEqual(planned, [200, 400, 800], `each death logged with its backoff, doubling:\n${log}`);
		const restarted = [...log.matchAll(/embedded redis-server restarted \(pid \d+, restart (\d+)\), accepting connections after (\d+) ms/g)];
		assert.deepEqual(restarted.map((m) => Number(m[1])), [2, 3, 4], 'each restart logged');
		for (const [i, g] of gaps.entries())
			assert.ok(g >= planned[i] - 5, `kill ${i + 1}: new child after ${g} ms, not before its ${planned[i]} ms backoff`);
		const m1 = await metric(d, 'liveblog_redis_restarts_total');
		assert.equal(m1.value - m0.value, 3, 'liveblog_redis_restarts_total counted the 3 restarts');
		assert.deepEqual(children(d.pid).filter((c) => c.state === 'Z'), [], 'no zombie child');
		row.readers = '1 WebSocket reader stayed connected through the 3 restarts and got the 3 entries posted after them';
		row.writers = `new redis-server ${gaps.join(', ')} ms after each kill (backoff logged: ${planned.join(', ')} ms); writes succeed after the third; liveblog_redis_restarts_total ${m0.value} → ${m1.value}; no zombie`;
		row.lost = 'nothing';
		r.close();
	});

	faultTest('SIGTERM to liveblogd while its redis-server is down (in the backoff): clean exit, no redis-server left', async (t, row) => {
		row.fault = 'redis-server SIGKILLed, then SIGTERM to liveblogd at once, before the restart (800 ms+ backoff)';
		const old = redisChild(d);
		process.kill(old, 'SIGKILL');
		await sleep(50);
		const t0 = Date.now();
		assert.equal(await d.stop('SIGTERM'), 0, 'liveblogd exits 0');
		const ms = Date.now() - t0;
		const left = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
			try {
				return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${d.dataDir}/redis.sock`);
			} catch {
				return false;
			}
		});
		assert.deepEqual(left, [], 'no redis-server of this data dir is left');
		assert.ok(!alive(old), 'the killed one was reaped');
		row.readers = '—';
		row.writers = `liveblogd exited 0 in ${ms} ms without starting a new redis-server`;
		row.lost = 'nothing';
	});
});

describe('liveblogd killed -9 after a restart', { timeout: 60000 }, () => {
	faultTest('the restarted redis-server dies with liveblogd (PR_SET_PDEATHSIG set by the supervisor thread, which lives as long as the daemon)', async (t, row) => {
		row.fault = 'redis-server SIGKILLed and restarted by the supervisor thread, then liveblogd alone (not its process group) SIGKILLed';
		const d = await startDaemon({ redisUrl: null, timeout: 20000, args: ['--workers', '1'] });
		const k = await killRedis(d);
		await waitUntil(async () => (await health(d)) === 200, { timeout: 15000, message: 'healthy after the restart' });
		await sleep(500);
		assert.ok(alive(k.next), 'the restarted redis-server keeps running while liveblogd runs');
		process.kill(d.pid, 'SIGKILL');
		const t0 = Date.now();
		await waitUntil(() => !alive(k.next), { timeout: 10000, message: `redis-server ${k.next} exits after liveblogd died` });
		await d.kill9();
		row.readers = '—';
		row.writers = `the restarted redis-server (pid ${k.next}) exited ${Date.now() - t0} ms after liveblogd was killed`;
		row.lost = 'nothing acknowledged (redis-server got SIGTERM: it writes its AOF out)';
	});
});
