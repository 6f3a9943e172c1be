// Connection floods: --max-readers-per-ip and --max-readers turn readers
// away with close 1013 and a reason a person can read, without disturbing
// the readers already connected.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
	reportSection, faultTest, startRedis, startDaemon, createBlog, postEntry, api,
	wsOpen, uniqueId, sleep, WebSocket, bulkPost, allEvents, teardown, waitUntil, rawWs } from './lib.mjs';

reportSection(import.meta.url, 'Connection floods');

const PER_IP = 5;
const MAX = 3;

/* A reader from a given loopback source address (and request headers). */
function readerFrom(url, localAddress, headers) {
	const ws = new WebSocket(url, 'liveblog.v1', { localAddress, headers });
	const r = { ws, messages: [] };
	ws.on('message', (d) => r.messages.push(JSON.parse(d.toString())));
	r.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	ws.on('error', () => { });
	r.live = () => r.messages.some((m) => m.type === 'live');
	return r;
}

/*
 * GET /sse/blogs/{blog} on a raw socket from localAddress with extra header
 * lines. Resolves once the response head (and, for an error, its body) is
 * in: {status, head, json, sock} (the socket stays open on a 200).
 */
function sseFrom(port, blog, { localAddress = '127.0.0.1', headers = '' } = {}) {
	return new Promise((resolve, reject) => {
		const sock = net.connect({ port, host: '127.0.0.1', localAddress });
		let buf = Buffer.alloc(0);
		const timer = setTimeout(() => reject(new Error('no SSE answer in 5 s')), 5000);
		sock.on('data', (c) => {
			buf = Buffer.concat([buf, c]);
			const sep = buf.indexOf('\r\n\r\n');
			if (sep < 0)
				return;
			const head = buf.subarray(0, sep).toString('latin1');
			const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
			const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? -1);
			if (status !== 200 && buf.length < sep + 4 + len)
				return;
			clearTimeout(timer);
			let json = null;
			try { json = JSON.parse(buf.subarray(sep + 4, sep + 4 + len).toString()); } catch { }
			resolve({ status, head, json, sock });
		});
		sock.on('error', reject);
		sock.write(`GET /sse/blogs/${blog} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n${headers}\r\n`);
	});
}

/* The daemon's liveblog_readers gauge. */
async function readersGauge(d) {
	const text = await (await fetch(`${d.base}/metrics`)).text();
	return Number(/^liveblog_readers (\S+)$/m.exec(text)?.[1]);
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
	let T;	/* --trusted-proxy 127.0.0.1/32 --max-readers-per-ip 2 */
	let U;	/* --max-readers-per-ip 2, no trusted proxy */
	let b;
	before(async () => {
		redis = await startRedis();
		P = await startDaemon({ redisUrl: redis.url, args: ['--max-readers-per-ip', String(PER_IP)] });
		M = await startDaemon({ redisUrl: redis.url, args: ['--max-readers', String(MAX)] });
		D = await startDaemon({ redisUrl: redis.url, args: ['--reader-backlog', '64'] });
		T = await startDaemon({ redisUrl: redis.url, args: ['--trusted-proxy', '127.0.0.1/32', '--max-readers-per-ip', '2'] });
		U = await startDaemon({ redisUrl: redis.url, args: ['--max-readers-per-ip', '2'] });
		b = await createBlog(P, { id: uniqueId('flood') });
	});
	after(async () => {
		await teardown({ daemons: [P, M, D, T, U], redis });
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

	faultTest('SSE streams go through the same admission: per address, per instance, shared with WebSocket readers; a refusal is 503 unavailable with Retry-After', async (t, row) => {
		row.fault = `on --max-readers-per-ip ${PER_IP}: ${PER_IP} SSE streams from 127.0.0.3, then a 6th SSE and a WebSocket reader from it, one SSE from 127.0.0.4; one stream leaves and another comes; on --max-readers ${MAX}: ${MAX - 1} WebSocket readers, an SSE stream, then a 2nd SSE stream`;
		const streams = [];
		for (let i = 0; i < PER_IP; i++)
			streams.push(await sseFrom(P.port, b.id, { localAddress: '127.0.0.3' }));
		assert.deepEqual(streams.map((x) => x.status), Array(PER_IP).fill(200), `${PER_IP} SSE streams admitted`);
		const sixth = await sseFrom(P.port, b.id, { localAddress: '127.0.0.3' });
		assert.equal(sixth.status, 503, 'the 6th SSE stream from the address is refused');
		assert.deepEqual(sixth.json, { error: 'unavailable', message: 'There are too many readers from this address; try again later.' });
		assert.match(sixth.head, /\r\nretry-after: 5(\r\n|$)/i, 'with Retry-After');
		const ws = readerFrom(`${P.wsBase}/ws/blogs/${b.id}`, '127.0.0.3');
		const wsOut = await outcome(ws);
		assert.equal(wsOut?.code, 1013, 'a WebSocket reader from the same address is refused too (one count for both)');
		const other = await sseFrom(P.port, b.id, { localAddress: '127.0.0.4' });
		assert.equal(other.status, 200, 'another address has its own count');
		streams[0].sock.destroy();
		/* an SSE stream's end is seen at the next stats tick (5 s) */
		const again = await waitUntil(async () => {
			const x = await sseFrom(P.port, b.id, { localAddress: '127.0.0.3' });
			if (x.status === 200)
				return x;
			x.sock.destroy();
			return null;
		}, { timeout: 9000, interval: 500, message: 'a place freed by a stream that left' });
		/* --max-readers counts SSE streams and WebSocket readers together */
		await waitUntil(async () => await readersGauge(M) === 0, { message: 'the last test\'s readers gone' });
		const ms = [...Array(MAX - 1)].map(() => wsOpen(`${M.wsBase}/ws/blogs/${b.id}`));
		await Promise.all(ms.map((r) => r.waitFor((m) => m.type === 'live')));
		const lastPlace = await sseFrom(M.port, b.id);
		const full = await sseFrom(M.port, b.id);
		row.readers = `6th SSE from one address: ${sixth.status} ${sixth.json?.error} "${sixth.json?.message}" (${/retry-after: *\d+/i.exec(sixth.head)?.[0]}); WebSocket from it: close ${wsOut?.code} "${wsOut?.reason}"; SSE from another address: ${other.status}; after one left: ${again.status}; --max-readers ${MAX}: SSE ${lastPlace.status} then ${full.status} "${full.json?.message}"`;
		row.writers = 'n/a';
		row.lost = 'nothing';
		assert.equal(lastPlace.status, 200, 'the last place goes to an SSE stream');
		assert.equal(full.status, 503, 'then the instance is full for SSE as for WebSocket');
		assert.deepEqual(full.json, { error: 'unavailable', message: 'The server has as many readers as it can take; try again later.' });
		for (const x of [...streams, sixth, other, again, lastPlace, full])
			x.sock.destroy();
		for (const r of ms)
			r.ws.terminate();
		ws.ws.terminate();
	});

	faultTest('--trusted-proxy: readers behind a trusted proxy are counted by their X-Forwarded-For address; without the flag, or from an untrusted peer, the header is ignored', async (t, row) => {
		row.fault = 'on --trusted-proxy 127.0.0.1/32 --max-readers-per-ip 2: WebSocket readers from 127.0.0.1 with X-Forwarded-For 10.1.1.1, 10.1.1.2, 10.1.1.3, then two more for 10.1.1.1, one "6.6.6.6, 10.1.1.1" (a forged left part), an SSE stream for 10.1.1.2; three raw readers each sending two X-Forwarded-For headers (10.7.7.N, then 10.8.8.8); three readers from the untrusted 127.0.0.2 with three X-Forwarded-For values; on a daemon without the flag, three readers from 127.0.0.1 with three X-Forwarded-For values';
		const url = (d) => `${d.wsBase}/ws/blogs/${b.id}`;
		const xff = (v) => ({ 'X-Forwarded-For': v });
		const distinct = ['10.1.1.1', '10.1.1.2', '10.1.1.3'].map((a) => readerFrom(url(T), '127.0.0.1', xff(a)));
		const distinctOut = await Promise.all(distinct.map((r) => outcome(r)));
		assert.deepEqual(distinctOut, ['live', 'live', 'live'], 'three readers behind the proxy with three addresses are not lumped together');
		const same = readerFrom(url(T), '127.0.0.1', xff('10.1.1.1'));
		assert.equal(await outcome(same), 'live', 'a second reader for 10.1.1.1 is admitted');
		const third = readerFrom(url(T), '127.0.0.1', xff('10.1.1.1'));
		const thirdOut = await outcome(third);
		assert.equal(thirdOut?.code, 1013, 'a third for 10.1.1.1 is refused');
		assert.equal(thirdOut?.reason, 'too many readers from this address');
		const forged = readerFrom(url(T), '127.0.0.1', xff('6.6.6.6, 10.1.1.1'));
		const forgedOut = await outcome(forged);
		assert.equal(forgedOut?.code, 1013, 'a forged leftmost entry does not help: the rightmost untrusted address counts');
		const sse = await sseFrom(T.port, b.id, { headers: 'X-Forwarded-For: 10.1.1.2\r\n' });
		const sse2 = await sseFrom(T.port, b.id, { headers: 'X-Forwarded-For: 10.1.1.2\r\n' });
		assert.equal(sse.status, 200, 'an SSE stream for 10.1.1.2 (its second reader)');
		assert.equal(sse2.status, 503, 'and a third reader for 10.1.1.2 is refused, SSE or not');
		/* several X-Forwarded-For headers are one list, in order: the last names the client here */
		const joined = [];
		for (let i = 1; i <= 3; i++)
			joined.push(await rawWs(T.port, `/ws/blogs/${b.id}`, {
				extraHeaders: `X-Forwarded-For: 10.7.7.${i}\r\nX-Forwarded-For: 10.8.8.8\r\n` }));
		const joinedOut = await Promise.all(joined.map((w) => w.waitClosed(1500)
			.then((c) => (c.gotCloseFrame ? c.closeCode : 'live'))));
		assert.equal(joinedOut.map(String).sort().join('/'), '1013/live/live',
			'two readers whose last X-Forwarded-For header says 10.8.8.8, the third refused');
		const untrusted = ['10.2.2.1', '10.2.2.2', '10.2.2.3'].map((a) => readerFrom(url(T), '127.0.0.2', xff(a)));
		const untrustedOut = await Promise.all(untrusted.map((r) => outcome(r)));
		const tally = (xs) => xs.map((x) => x === 'live' ? 'live' : x?.code).sort().join('/');
		assert.equal(tally(untrustedOut), '1013/live/live',
			'from an untrusted peer the header is ignored: the peer address counts');
		const plain = ['10.3.3.1', '10.3.3.2', '10.3.3.3'].map((a) => readerFrom(url(U), '127.0.0.1', xff(a)));
		const plainOut = await Promise.all(plain.map((r) => outcome(r)));
		assert.equal(tally(plainOut), '1013/live/live',
			'without --trusted-proxy the header is ignored');
		row.readers = `behind the trusted proxy: 3 distinct addresses ${distinctOut.join('/')}; 3 readers with two X-Forwarded-For headers each, the last 10.8.8.8: ${joinedOut.map(String).sort().join('/')}; 2nd for 10.1.1.1 admitted, 3rd ${thirdOut?.code} "${thirdOut?.reason}"; forged "6.6.6.6, 10.1.1.1": ${forgedOut?.code}; SSE for 10.1.1.2: ${sse.status} then ${sse2.status}; untrusted peer 127.0.0.2 with 3 addresses: ${tally(untrustedOut)}; no --trusted-proxy: ${tally(plainOut)}`;
		row.writers = 'n/a';
		row.lost = 'nothing';
		for (const r of [...distinct, same, third, forged, ...untrusted, ...plain])
			r.ws.terminate();
		for (const w of joined)
			w.sock.destroy();
		for (const x of [sse, sse2])
			x.sock.destroy();
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
