// Connection floods: --max-readers-per-ip and --max-readers turn readers
// away with close 1013 and a reason a person can read, without disturbing
// the readers already connected.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	reportSection, faultTest, startRedis, startDaemon, createBlog, postEntry, api,
	wsOpen, uniqueId, sleep, WebSocket, bulkPost, allEvents, teardown } from './lib.mjs';

reportSection(import.meta.url, 'Connection floods');

const PER_IP = 5;
const MAX = 3;

/* A reader from a given loopback source address. */
function readerFrom(url, localAddress) {
	const ws = new WebSocket(url, 'liveblog.v1', { localAddress });
	const r = { ws, messages: [] };
	ws.on('message', (d) => r.messages.push(JSON.parse(d.toString())));
	r.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	ws.on('error', () => { });
	r.live = () => r.messages.some((m) => m.type === 'live');
	return r;
}

/* Waits until r is live or closed; returns 'live' or the close info. */
async function outcome(r, timeout = 10000) {
	const deadline = Date.now() + timeout;
	while (Date.now() < deadline) {
		if (r.messages.some((m) => m.type === 'live'))
			return 'live';
		const c = await Promise.race([r.closed, sleep(20).then(() => null)]);
		if (c)
			return c;
	}
	return 'timeout';
}

describe('connection floods', { timeout: 90000 }, () => {
	let redis;
	let P;	/* --max-readers-per-ip 5 */
	let M;	/* --max-readers 3 */
	let D;	/* default reader limits, a ring smaller than the herd's log */
	let b;
	before(async () => {
		redis = await startRedis();
		P = await startDaemon({ redisUrl: redis.url, args: ['--max-readers-per-ip', String(PER_IP)] });
		M = await startDaemon({ redisUrl: redis.url, args: ['--max-readers', String(MAX)] });
		D = await startDaemon({ redisUrl: redis.url, args: ['--reader-backlog', '64'] });
		b = await createBlog(P, { id: uniqueId('flood') });
	});
	after(async () => {
		await teardown({ daemons: [P, M, D], redis });
	});

	faultTest(`--max-readers-per-ip ${PER_IP}: the 6th reader from 127.0.0.1 gets 1013; a burst of 40 admits exactly the free places`, async (t, row) => {
		row.fault = `${PER_IP} readers from 127.0.0.1, then a 6th; then one leaves and 40 connect at once; one reader from 127.0.0.2`;
		const url = `${P.wsBase}/ws/blogs/${b.id}`;
		const first = [...Array(PER_IP)].map(() => wsOpen(url));
		await Promise.all(first.map((r) => r.waitFor((m) => m.type === 'live')));
		const sixth = wsOpen(url);
		const c6 = await Promise.race([sixth.closed, sleep(5000).then(() => ({ code: 'open after 5 s' }))]);
		assert.equal(c6.code, 1013, 'the 6th reader is closed with 1013');
		assert.equal(c6.reason, 'too many readers from this address');
		assert.deepEqual(sixth.messages, [], 'the refused reader got no hello and no events');
		// another loopback address has its own count
		const other = readerFrom(url, '127.0.0.2');
		assert.equal(await outcome(other), 'live', 'a reader from 127.0.0.2 is admitted');
		// one leaves: exactly one place is free for a burst of 40
		await first[0].close();
		await sleep(300);
		const burst = [...Array(40)].map(() => readerFrom(url, '127.0.0.1'));
		const results = await Promise.all(burst.map((r) => outcome(r)));
		const admitted = results.filter((x) => x === 'live').length;
		const refused = results.filter((x) => x?.code === 1013 && x.reason === 'too many readers from this address').length;
		const otherResults = results.filter((x) => x !== 'live' && !(x?.code === 1013 && x.reason === 'too many readers from this address'));
		// the readers already in still get events
		const e = await postEntry(P, b, { text: 'after the flood' });
		for (const r of first.slice(1))
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
		const h = await api(P.base, 'GET', '/healthz');
		const refusedTotal = await (await fetch(`${P.base}/metrics`)).text().then((x) => Number(/^liveblog_readers_refused_total (\S+)$/m.exec(x)?.[1]));
		row.readers = `6th reader: close ${c6.code} "${c6.reason}"; 127.0.0.2 admitted; burst of 40 after one left: ${admitted} admitted, ${refused} refused with 1013; the 4 readers already in kept receiving`;
		row.writers = `POST 201 during the flood; /healthz ${h.status}; liveblog_readers_refused_total ${refusedTotal}`;
		row.lost = 'nothing';
		assert.deepEqual(otherResults, [], 'every burst reader was admitted or refused with 1013');
		assert.equal(admitted, 1, 'exactly the one free place was taken');
		assert.equal(refused, 39);
		assert.equal(h.status, 200);
		assert.ok(refusedTotal >= 40, `liveblog_readers_refused_total counts the refusals (${refusedTotal})`);
		for (const r of [...first.slice(1), other, ...burst])
			r.ws.terminate();
	});

	faultTest(`--max-readers ${MAX}: the 4th reader gets 1013 "server full"; a place frees when one leaves`, async (t, row) => {
		row.fault = `${MAX} readers on an instance started with --max-readers ${MAX}, then a 4th, then one leaves and another comes`;
		const url = `${M.wsBase}/ws/blogs/${b.id}`;
		const rs = [...Array(MAX)].map(() => wsOpen(url));
		await Promise.all(rs.map((r) => r.waitFor((m) => m.type === 'live')));
		const fourth = wsOpen(url);
		const c4 = await Promise.race([fourth.closed, sleep(5000).then(() => ({ code: 'open after 5 s' }))]);
		assert.equal(c4.code, 1013, 'the 4th reader is closed with 1013');
		assert.equal(c4.reason, 'server full');
		assert.deepEqual(fourth.messages, [], 'the refused reader got nothing');
		await rs[0].close();
		await sleep(300);
		const next = wsOpen(url);
		await next.waitFor((m) => m.type === 'live');
		const e = await postEntry(M, b, { text: 'to the admitted readers' });
		for (const r of [...rs.slice(1), next])
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
		row.readers = `4th reader: close ${c4.code} "${c4.reason}"; after one left a new reader was admitted; the 3 admitted readers got the next entry`;
		row.writers = 'POST 201';
		row.lost = 'nothing';
		for (const r of [...rs.slice(1), next])
			r.close();
	});

	faultTest('a herd of 30 readers joins a blog of 200 × 8 KiB entries at once: every one catches up', async (t, row) => {
		row.fault = '30 readers connect at the same moment, without since, to a blog whose log is 200 entries of 8 KiB (1.6 MiB): the log older than the ring is read from Redis in pages shared by the herd while one reader is live (--reader-backlog 64: the ring holds less than the log, as a blog of 4000+ entries does with the default 4096)';
		const big = await createBlog(D, { id: uniqueId('herd') });
		const live = wsOpen(`${D.wsBase}/ws/blogs/${big.id}`);
		await live.waitFor((m) => m.type === 'live');
		const { posted } = await bulkPost(D.base, big, 200, { concurrency: 8, text: (i) => `${i} ${'h'.repeat(8192)}` });
		assert.equal(posted.filter((p) => p.status === 201).length, 200);
		const stored = await allEvents(D.base, big.id);
		const err0 = D.stderr().length;
		const xrange = () => Number(/cmdstat_xrange:calls=(\d+)/.exec(redis.cli('INFO', 'commandstats'))?.[1] ?? 0);
		const x0 = xrange();
		const t0 = Date.now();
		const herd = [...Array(30)].map(() => wsOpen(`${D.wsBase}/ws/blogs/${big.id}`));
		// an editor keeps posting meanwhile (recorded, not asserted)
		const writes = [];
		const writer = (async () => {
			for (let i = 0; i < 10; i++) {
				const r = await api(D.base, 'POST', `/api/blogs/${big.id}/entries`, { body: { text: `during the herd ${i}` }, token: big.editor_token }).catch(() => ({ status: 'no answer' }));
				writes.push(r.status);
				await sleep(200);
			}
		})();
		const res = await Promise.all(herd.map((r) => r.waitFor((m) => m.type === 'live', 30000).then(
			() => 'live', () => r.closed.then((c) => `closed ${c.code} ${c.reason}`))));
		const ms = Date.now() - t0;
		const reads = xrange() - x0;
		await writer;
		const wc = writes.reduce((a, x) => ({ ...a, [x]: (a[x] ?? 0) + 1 }), {});
		const counts = res.reduce((a, x) => ({ ...a, [x]: (a[x] ?? 0) + 1 }), {});
		const h = await api(D.base, 'GET', '/healthz');
		const logged = D.stderr().slice(err0).split('\n').filter((l) => /redis/i.test(l));
		row.readers = `${counts.live ?? 0}/30 caught up (hello, 200 events, live) in ${ms} ms with ${reads} log reads (XRANGE) in all; ${Object.entries(counts).filter(([k]) => k !== 'live').map(([k, v]) => `${v} × ${k}`).join(', ') || 'none refused'}`;
		row.writers = `10 POSTs during the herd: ${Object.entries(wc).map(([k, v]) => `${v} × ${k}`).join(', ')}; /healthz ${h.status} afterwards${logged.length ? `; the daemon logged: ${[...new Set(logged.map((l) => l.replace(/^\[[^\]]*\] /, '')))].join(' / ')}` : ''}`;
		row.lost = counts.live === 30 ? 'nothing' : `${30 - (counts.live ?? 0)} readers were cut off (they must reconnect)`;
		assert.deepEqual(counts, { live: 30 }, 'every reader of the herd reaches live');
		for (const r of herd)
			assert.deepEqual(r.events().slice(0, stored.length), stored, 'each got the whole log in order');
		assert.equal(h.status, 200);
		/* one read per reader would be 30 or more: the pages are shared */
		assert.ok(reads < 20, `log reads for a herd of 30: ${reads}`);
		for (const r of [...herd, live])
			r.ws.terminate();
	});
});
