// Slow readers (SPEC Rule 4): a reader that stops reading is dropped with
// 1008 "slow" once its backlog passes --reader-backlog, the daemon's memory
// stays bounded while 20 such readers sit connected during a burst of
// thousands of events, a normal reader keeps getting everything promptly,
// and an idle reader that answers pings survives --ping-interval.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
	reportSection, faultTest, startStack, createBlog, postEntry, api, allEvents,
	wsOpen, uniqueId, sleep, waitUntil, rssKiB, PLAIN_BIN, bulkPost, median,
	percentile, seqsOf, dupes,
} from './lib.mjs';

reportSection(import.meta.url, 'Slow readers, memory, latency and pings');

const BACKLOG = 64;
const PING_SECS = 5;

async function metricValue(base, name) {
	const text = await (await fetch(`${base}/metrics`)).text();
	const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
	return m ? Number(m[1]) : null;
}

/*
 * Opens n readers, waits until each is live, then stops reading on each.
 * They take plain frames: compressed, the posts below (one letter
 * repeated) would be a few bytes each and never fill a socket.
 */
async function stuckReaders(wsBase, blogId, n) {
	const rs = [];
	for (let i = 0; i < n; i++)
		rs.push(wsOpen(`${wsBase}/ws/blogs/${blogId}`, { perMessageDeflate: false }));
	await Promise.all(rs.map((r) => r.waitFor((m) => m.type === 'live')));
	for (const r of rs)
		r.ws.pause();	/* stop reading: the socket's buffers fill up */
	return rs;
}

describe('slow readers', { timeout: 170000 }, () => {
	let s;
	let pingReader;
	let pingOpenedAt;
	let pings = 0;
	before(async () => {
		s = await startStack({ daemon: { args: ['--reader-backlog', String(BACKLOG), '--ping-interval', String(PING_SECS)] } });
		// the ping test's reader idles through the other tests of this file
		const b = await createBlog(s, { id: uniqueId('idle') });
		pingReader = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		pingReader.ws.on('ping', () => { pings++; });
		await pingReader.waitFor((m) => m.type === 'live');
		pingOpenedAt = Date.now();
	});
	after(async () => { await s?.stop(); });

	faultTest('keep-alive HTTP answers are not held back by Nagle + delayed ACK', async (t, row) => {
		row.fault = 'none: 12 GET /healthz one after the other on one keep-alive connection (what browsers, the CLI and proxies do)';
		const sock = net.connect(s.daemon.port, '127.0.0.1');
		sock.setNoDelay(true);
		await new Promise((r, j) => { sock.on('connect', r); sock.on('error', j); });
		let buf = '';
		let waiter = null;
		sock.on('data', (d) => {
			buf += d;
			const sep = buf.indexOf('\r\n\r\n');
			const m = /content-length: *(\d+)/i.exec(buf.slice(0, sep));
			if (sep >= 0 && m && buf.length >= sep + 4 + Number(m[1]) && waiter) {
				const w = waiter;
				waiter = null;
				buf = '';
				w();
			}
		});
		const times = [];
		try {
			for (let i = 0; i < 12; i++) {
				const t0 = performance.now();
				await Promise.race([
					new Promise((r) => { waiter = r; sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'); }),
					sleep(5000).then(() => { throw new Error(`keep-alive request ${i} unanswered in 5 s`); }),
				]);
				times.push(performance.now() - t0);
			}
		} finally {
			sock.destroy();
		}
		const later = times.slice(1);
		row.writers = `first request ${times[0].toFixed(1)} ms; requests 2–12 on the same connection: median ${median(later).toFixed(1)} ms, max ${Math.max(...later).toFixed(1)} ms`;
		row.readers = 'n/a';
		row.lost = 'nothing (latency only)';
		assert.ok(median(later) < 25, `keep-alive requests answered in < 25 ms (median ${median(later).toFixed(1)} ms; ≥ 40 ms means the header and body writes wait for a delayed ACK: no TCP_NODELAY)`);
	});

	faultTest(`a reader that stops reading is dropped with 1008 "slow" past --reader-backlog ${BACKLOG}, then resumes`, async (t, row) => {
		row.fault = `one reader stops reading (socket paused) while 400 entries of 8 KiB are posted; --reader-backlog ${BACKLOG}; a normal reader alongside`;
		const b = await createBlog(s, { id: uniqueId('slow') });
		const normal = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await normal.waitFor((m) => m.type === 'live');
		const [stuck] = await stuckReaders(s.wsBase, b.id, 1);
		const culled0 = await metricValue(s.base, 'liveblog_readers_dropped_slow_total');
		const { posted } = await bulkPost(s.base, b, 400, { concurrency: 8, text: (i) => `${i} ${'s'.repeat(8192)}`, deadlineMs: 60000 });
		assert.deepEqual(posted.filter((p) => p.status !== 201).map((p) => p.status), [], 'every post 201');
		assert.equal(posted.length, 400, 'all 400 posted within 60 s');
		await waitUntil(async () => (await metricValue(s.base, 'liveblog_readers_dropped_slow_total')) > culled0,
			{ timeout: 5000, message: 'liveblog_readers_dropped_slow_total counts the dropped reader' });
		const tResume = Date.now();
		stuck.ws.resume();
		const c = await Promise.race([stuck.closed, sleep(15000).then(() => ({ code: 'still open 15 s after resuming' }))]);
		const stored = await allEvents(s.base, b.id);
		assert.equal(stored.length, 400);
		assert.equal(c.code, 1008, 'close code 1008');
		assert.equal(c.reason, 'slow', 'close reason "slow"');
		const got = stuck.events();
		assert.ok(got.length < stored.length, `dropped before the end (${got.length} of ${stored.length})`);
		assert.deepEqual(got, stored.slice(0, got.length), 'what it got before the drop is the head of the log, in order');
		// it resumes from its last seq
		const since = got.length ? `?since=${got.at(-1).seq}` : '';
		const again = wsOpen(`${s.wsBase}/ws/blogs/${b.id}${since}`);
		await again.waitFor((m) => m.type === 'live', 15000);
		assert.equal(again.messages.filter((m) => m.type === 'reset').length, 0, 'no reset on resume');
		assert.deepEqual([...got, ...again.events()], stored, 'after resuming: the whole log, no gap, no duplicate');
		await waitUntil(() => normal.events().length >= stored.length, { timeout: 10000, message: 'normal reader got everything' });
		assert.deepEqual(normal.events(), stored, 'the normal reader got every event in order');
		assert.equal(normal.ws.readyState, 1, 'the normal reader was not dropped');
		row.readers = `the stuck reader had ${got.length}/400 events (the head of the log, in order) when it resumed reading, then close 1008 "slow" (${Date.now() - tResume} ms after resuming); reconnecting with ?since got the other ${again.events().length}, no gap, no duplicate; the normal reader got 400/400`;
		row.writers = '400 × 201';
		row.lost = 'nothing: the dropped reader resumed from its last seq';
		again.close();
		normal.close();
	});

	faultTest('20 readers that never read during a burst of 2000 × 8 KiB events: memory bounded, a normal reader stays prompt', {
		skipReason: PLAIN_BIN ? undefined : 'no daemon built without sanitizers (make): under ASan the RSS measures the tool',
	}, async (t, row) => {
		/* measured on the daemon built without sanitizers, on the same Redis */
		const p = await s.addDaemon({ bin: PLAIN_BIN });
		const ps = { base: p.base, adminToken: p.adminToken };
		const N = 2000;
		const SIZE = 8192;
		row.fault = `20 readers stop reading; 200 entries warm up; then ${N} entries of ${SIZE / 1024} KiB (${(N * SIZE / 1048576).toFixed(0)} MiB of text) are posted by 12 writers; --reader-backlog ${BACKLOG}`;
		const b = await createBlog(ps, { id: uniqueId('rss') });
		const sentAt = new Map();
		const latency = [];
		const normal = wsOpen(`${p.wsBase}/ws/blogs/${b.id}`);
		normal.ws.on('message', (d) => {
			const m = JSON.parse(d.toString());
			if (m.type === 'entry' && sentAt.has(m.entry.id))
				latency.push(performance.now() - sentAt.get(m.entry.id));
		});
		await normal.waitFor((m) => m.type === 'live');
		const culled0 = await metricValue(p.base, 'liveblog_readers_dropped_slow_total');
		const stuck = await stuckReaders(p.wsBase, b.id, 20);
		const text = (i) => `${i} ${'m'.repeat(SIZE)}`;
		const onSend = (id) => sentAt.set(id, performance.now());
		// warm up: the ring fills, the allocator reaches its working set
		const warm = await bulkPost(p.base, b, 200, { concurrency: 12, text, onSend });
		await waitUntil(() => latency.length >= 200, { timeout: 10000, message: 'warm-up delivered' });
		const baseLatency = latency.splice(0);
		await sleep(200);
		const rss0 = rssKiB(p.pid);
		let peak = rss0;
		const sampler = setInterval(() => { try { peak = Math.max(peak, rssKiB(p.pid)); } catch { } }, 50);
		let burst;
		try {
			burst = await bulkPost(p.base, b, N, { concurrency: 12, text, onSend, deadlineMs: 45000 });
		} finally {
			clearInterval(sampler);
		}
		const n = burst.posted.length;
		assert.deepEqual(burst.posted.filter((p) => p.status !== 201).map((p) => p.status), [], 'every post 201');
		await waitUntil(() => normal.events().length >= 200 + n, { timeout: 15000, message: 'the normal reader received the burst' });
		const rss1 = rssKiB(p.pid);
		peak = Math.max(peak, rss1);
		const growthMiB = (peak - rss0) / 1024;
		const burstMiB = (n * SIZE) / 1048576;
		/*
		 * The bound: 12 MiB, or three quarters of the burst's text when
		 * fewer events could be posted in 45 s. Keeping the backlog of the
		 * stuck readers even once (shared frames) would take the whole burst
		 * (16 MiB); per reader, 20 × that. The ring of 64 frames is ~0.5 MiB.
		 */
		const boundMiB = Math.min(12, 0.75 * burstMiB);
		const stored = await allEvents(p.base, b.id);
		assert.equal(stored.length, 200 + n);
		assert.deepEqual(seqsOf(normal.events()), seqsOf(stored), 'the normal reader got every event once, in order');
		assert.equal(normal.ws.readyState, 1, 'the normal reader was not dropped');
		const culled = (await metricValue(p.base, 'liveblog_readers_dropped_slow_total')) - culled0;
		const p50 = median(latency);
		const p95 = percentile(latency, 95);
		const p99 = percentile(latency, 99);
		const b50 = median(baseLatency);
		row.notes.push(`RSS ${(rss0 / 1024).toFixed(1)} MiB before the burst, peak ${(peak / 1024).toFixed(1)} MiB during it (sampled every 50 ms), ${(rss1 / 1024).toFixed(1)} MiB after; growth to the peak ${growthMiB.toFixed(1)} MiB, bound ${boundMiB.toFixed(1)} MiB`);
		row.notes.push(`burst: ${n} events in ${(burst.ms / 1000).toFixed(1)} s (${(n / (burst.ms / 1000)).toFixed(0)}/s); warm-up 200 in ${(warm.ms / 1000).toFixed(1)} s`);
		row.notes.push(`normal reader, POST sent → event received: warm-up median ${b50.toFixed(1)} ms; during the burst median ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...latency).toFixed(1)} ms`);
		row.readers = `the normal reader got ${200 + n}/${200 + n} events in order (median latency ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms); ${culled}/20 stuck readers dropped as slow (liveblog_readers_dropped_slow_total)`;
		row.writers = `${200 + n} × 201`;
		row.lost = `nothing; daemon peak RSS grew ${growthMiB.toFixed(1)} MiB over ${burstMiB.toFixed(1)} MiB of events (bound ${boundMiB.toFixed(1)} MiB)`;
		assert.ok(growthMiB < boundMiB, `RSS growth ${growthMiB.toFixed(1)} MiB < ${boundMiB.toFixed(1)} MiB`);
		assert.equal(culled, 20, 'all 20 stuck readers were dropped once their backlog passed the bound');
		assert.ok(p95 < 1000, `the normal reader's p95 latency stays under 1 s during the burst (${p95.toFixed(0)} ms)`);
		for (const r of stuck)
			r.ws.terminate();
		normal.close();
	});

	faultTest(`an idle reader that answers pings stays connected past 3 × --ping-interval ${PING_SECS}`, async (t, row) => {
		row.fault = `a reader opened at the start of this file idles (it only answers pings, as ws does by itself); --ping-interval ${PING_SECS}`;
		const wait = pingOpenedAt + 16000 - Date.now();
		if (wait > 0)
			await sleep(wait);
		const idle = ((Date.now() - pingOpenedAt) / 1000).toFixed(1);
		row.readers = `still connected after ${idle} s; ${pings} ping(s) received`;
		row.writers = 'n/a';
		row.lost = 'nothing';
		assert.equal(pingReader.ws.readyState, 1, `still connected after ${idle} s`);
		assert.ok(pings >= 2, `the server pinged the idle reader (${pings} pings in ${idle} s, interval ${PING_SECS} s)`);
		pingReader.close();
	});
});
