// Memory an anonymous reader can make the server keep (SPEC Part two: "any
// cache a reader can fill ... is bounded in bytes per instance (--cache-mb)
// ... and the bound holds under a spray of distinct since values").
// Measured on the daemon built without sanitizers (build/liveblogd): under
// ASan the RSS measures the tool.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	reportSection, faultTest, startRedis, startDaemon, createBlog, bulkPost,
	allEvents, wsOpen, uniqueId, sleep, rssKiB, PLAIN_BIN, teardown, api,
} from './lib.mjs';

reportSection(import.meta.url, 'Memory under a spray of readers');

const ENTRIES = 2000;
const SIZE = 8192;
const READERS = 2000;
const CACHE_MB = 256;

async function metric(base, name) {
	const t = await (await fetch(`${base}/metrics`)).text();
	const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(t);
	return m ? Number(m[1]) : null;
}

describe('memory', { timeout: 300000 }, () => {
	let redis;
	const daemons = [];
	before(async () => { redis = await startRedis(); });
	after(async () => { await teardown({ daemons, redis }); });

	faultTest(`a spray of ${READERS} distinct since values on a blog of ${ENTRIES} × 8 KiB entries: RSS grows less than --cache-mb + 64 MB`, {
		skipReason: PLAIN_BIN ? undefined : 'no daemon built without sanitizers (make)',
	}, async (t, row) => {
		row.fault = `${READERS} WebSocket readers, each with its own since (real events spread over the log, and invented ones), that never read; a blog of ${ENTRIES} entries of ${SIZE / 1024} KiB; --cache-mb ${CACHE_MB}; the daemon built without sanitizers`;
		const d = await startDaemon({ redisUrl: redis.url, bin: PLAIN_BIN, args: ['--cache-mb', String(CACHE_MB)] });
		daemons.push(d);
		const b = await createBlog({ base: d.base, adminToken: d.adminToken }, { id: uniqueId('spray') });
		const text = (i) => `${i} ${'s'.repeat(SIZE)}`;
		const fill = await bulkPost(d.base, b, ENTRIES, { concurrency: 12, text, deadlineMs: 120000 });
		assert.equal(fill.posted.filter((p) => p.status === 201).length, ENTRIES);
		const seqs = (await allEvents(d.base, b.id)).map((e) => e.seq);
		await sleep(500);
		const rss0 = rssKiB(d.pid);
		let peak = rss0;
		const sampler = setInterval(() => { try { peak = Math.max(peak, rssKiB(d.pid)); } catch { } }, 100);
		const readers = [];
		try {
			for (let i = 0; i < READERS; i++) {
				// every other one a real event, the others invented positions between them
				const s = seqs[(i * 7919) % seqs.length];
				const since = i % 2 ? s : `${Number(s.split('-')[0]) - 1 - (i % 97)}-${i % 5}`;
				const r = wsOpen(`${d.wsBase}/ws/blogs/${b.id}?since=${since}`);
				r.ws.on('open', () => r.ws.pause());   /* never read: the server's buffers fill */
				readers.push(r);
				if (i % 200 === 199)
					await sleep(100);
			}
			const failed = {};
			await Promise.all(readers.map((r) => r.opened.catch((e) => {
				failed[e.message] = (failed[e.message] ?? 0) + 1;
			})));
			assert.deepEqual(failed, {}, 'every reader is admitted');
			/*
			 * Let the server read and send what it will for 40 s (the
			 * readers' receive buffers keep growing, so it never quite
			 * stops; the cache does not grow past its budget meanwhile), well
			 * before --ping-interval's hang-up drops readers that never read.
			 */
			for (let i = 0; i < 40; i++) {
				await sleep(1000);
				if (i % 10 === 9)
					row.notes.push(`${i + 1} s: cache ${((await metric(d.base, 'liveblog_cache_bytes')) / 1048576).toFixed(1)} MiB, RSS ${(rssKiB(d.pid) / 1024).toFixed(0)} MiB, ${await metric(d.base, 'liveblog_frames_sent_total')} frames sent`);
			}
		} finally {
			clearInterval(sampler);
		}
		peak = Math.max(peak, rssKiB(d.pid));
		const open = await metric(d.base, 'liveblog_readers');
		assert.equal(open, READERS, 'the spray\'s readers are all still connected (none dropped as "unavailable")');
		const growthMiB = (peak - rss0) / 1024;
		const cacheMiB = (await metric(d.base, 'liveblog_cache_bytes')) / 1048576;
		const limitMiB = (await metric(d.base, 'liveblog_cache_limit_bytes')) / 1048576;
		// a normal reader is still served, from the start, completely
		const normal = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
		await normal.waitFor((m) => m.type === 'live', 60000).catch((e) => {
			throw new Error(`${e.message}\n${d.stderr().split('\n').slice(-15).join('\n')}`);
		});
		assert.equal(normal.events().length, ENTRIES, 'a normal reader gets the whole log');
		assert.equal((await api(d.base, 'GET', '/healthz')).status, 200);
		normal.close();
		for (const r of readers)
			r.ws.terminate();
		assert.ok(cacheMiB <= limitMiB, `the cache stays within its budget: ${cacheMiB.toFixed(1)} of ${limitMiB} MiB`);
		assert.ok(growthMiB < CACHE_MB + 64, `RSS grew ${growthMiB.toFixed(0)} MiB; the bound is ${CACHE_MB} + 64`);
		row.readers = `${READERS} readers admitted; RSS grew ${growthMiB.toFixed(0)} MiB (peak), the cache held ${cacheMiB.toFixed(1)} MiB of its ${limitMiB} MiB; a normal reader then got all ${ENTRIES} events`;
		row.writers = `${ENTRIES} × 201 before the spray`;
		row.lost = `nothing; memory bounded (< ${CACHE_MB} + 64 MiB)`;
	});
});
