// permessage-deflate (SPEC "Bandwidth", RFC 7692): negotiated when a reader
// offers it, with server_no_context_takeover and client_no_context_takeover;
// each event compressed once, the same bytes to every reader that
// negotiated; plain frames for a reader that did not offer it and with
// --compress off; what readers send may be compressed too.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	REPO_ROOT, startStack, createBlog, postEntry, allEvents, uniqueId, sleep,
	wsOpen, EVENT_TYPES,
} from './harness.mjs';
import { rawWs, wsFrame, inflateMessage } from '../faults/lib.mjs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

const OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';
const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
const isEvent = (m) => EVENT_TYPES.includes(m.type);
const DEMO = fs.readFileSync(path.join(REPO_ROOT, 'demo', 'article-fr.jsonl'), 'utf8')
	.split('\n').filter(Boolean).map((l) => JSON.parse(l));

/* The Sec-WebSocket-Extensions of a 101 response head, or null. */
function extHeader(head) {
	const m = /\r\nSec-WebSocket-Extensions: *([^\r\n]*)/i.exec(head);
	return m ? m[1] : null;
}

/* The event frames of a raw reader (text frames that are log events). */
function eventFrames(w) {
	return w.frames.filter((f) => {
		if (f.opcode !== 1)
			return false;
		const text = f.rsv1 ? inflateMessage(f.payload) : f.payload;
		return isEvent(JSON.parse(text.toString('utf8')));
	});
}

/* A raw reader of blog with offer (a header line or ''), live. */
async function rawReader(s, blog, offer = OFFER, query = '') {
	const w = await rawWs(s.daemon.port, `/ws/blogs/${blog}${query}`, { extraHeaders: offer });
	const t0 = Date.now();
	while (!w.messages.some((m) => m.type === 'live') && Date.now() - t0 < 5000)
		await sleep(20);
	assert.ok(w.messages.some((m) => m.type === 'live'), `live within 5 s: ${JSON.stringify(w.messages)}`);
	return w;
}

async function waitEvents(w, n, ms = 8000) {
	const t0 = Date.now();
	while (w.messages.filter(isEvent).length < n && Date.now() - t0 < ms)
		await sleep(20);
	return w.messages.filter(isEvent);
}

describe('permessage-deflate', { timeout: 120000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('a ws reader that offers it gets every event intact and in order, history and live', async () => {
		const b = await createBlog(s, { id: uniqueId('pmd') });
		for (const e of DEMO.slice(0, 3))
			await postEntry(s, b, e);
		const r = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await r.opened;
		assert.equal(r.ws.extensions, 'permessage-deflate', 'negotiated');
		await r.waitFor((m) => m.type === 'live');
		for (const e of DEMO.slice(3))
			await postEntry(s, b, e);
		// small, empty-ish, big, and not ASCII
		await postEntry(s, b, { text: 'x' });
		await postEntry(s, b, { text: 'Ça déborde — «ok» ✓ 日本語 '.repeat(400) });
		const stored = await allEvents(s.base, b.id);
		await r.waitFor((m, i, all) => all.filter(isEvent).length >= stored.length);
		assert.deepEqual(r.events(), stored);
		assert.ok(r.messages.every((m) => m.type !== '__invalid__'));
		r.close();
	});

	it('the answer names both no_context_takeover; two readers get byte-identical compressed frames', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdraw') });
		for (const e of DEMO.slice(0, 2))
			await postEntry(s, b, e);
		const a = await rawReader(s, b.id);
		const c = await rawReader(s, b.id);
		assert.equal(extHeader(a.head), ANSWER);
		for (const e of DEMO.slice(2))
			await postEntry(s, b, e);
		const stored = await allEvents(s.base, b.id);
		assert.deepEqual(await waitEvents(a, stored.length), stored);
		assert.deepEqual(await waitEvents(c, stored.length), stored);
		const fa = eventFrames(a);
		const fc = eventFrames(c);
		assert.equal(fa.length, DEMO.length);
		for (let i = 0; i < fa.length; i++) {
			assert.ok(fa[i].rsv1, `event frame ${i} has RSV1`);
			assert.deepEqual(fa[i].raw, fc[i].raw, `event frame ${i}: the same bytes for both readers`);
			// what the RFC asks: raw deflate, the 00 00 ff ff trailer removed
			const plain = Buffer.from(JSON.stringify(stored[i]));
			assert.ok(fa[i].payload.length < plain.length, `frame ${i} is compressed`);
			assert.notDeepEqual(fa[i].payload.subarray(-4), Buffer.from([0, 0, 0xff, 0xff]));
		}
		// hello and live are one reader's own: plain (RSV1 is per message)
		const hello = a.frames.find((f) => f.opcode === 1);
		assert.equal(hello.rsv1, false);
		assert.equal(JSON.parse(hello.payload).type, 'hello');
		a.sock.destroy();
		c.sock.destroy();
	});

	it('catch-up frames read back from the log are compressed once and shared too', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdpage') });
		for (const e of DEMO)
			await postEntry(s, b, e);
		// resuming after the first event: the rest comes from a shared page
		const stored = await allEvents(s.base, b.id);
		const q = `?since=${stored[0].seq}`;
		const a = await rawReader(s, b.id, OFFER, q);
		const c = await rawReader(s, b.id, OFFER, q);
		assert.deepEqual(a.messages.filter(isEvent), stored.slice(1));
		const fa = eventFrames(a);
		const fc = eventFrames(c);
		assert.ok(fa.every((f) => f.rsv1));
		assert.deepEqual(fa.map((f) => f.raw), fc.map((f) => f.raw));
		a.sock.destroy();
		c.sock.destroy();
	});

	it('a reader that does not offer it, or offers nothing we can take, gets plain frames', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdplain') });
		await postEntry(s, b, DEMO[0]);
		const offers = [
			'',
			'Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n',
			// we compress with a 2^15 window, once for everyone
			'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n',
			'Sec-WebSocket-Extensions: permessage-deflate; unknown_param\r\n',
			'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_no_context_takeover\r\n',
			'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=16\r\n',
			'Sec-WebSocket-Extensions: permessage-deflate;;\r\n',
		];
		for (const offer of offers) {
			const w = await rawReader(s, b.id, offer);
			await postEntry(s, b, { text: `plain for ${offer}` });
			const stored = await allEvents(s.base, b.id);
			assert.deepEqual(await waitEvents(w, stored.length), stored);
			assert.equal(extHeader(w.head), null, `no extension for ${JSON.stringify(offer)}`);
			assert.ok(w.frames.length > 2 && w.frames.every((f) => !f.rsv1), `plain frames for ${JSON.stringify(offer)}`);
			w.sock.destroy();
		}
		const r = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`, { perMessageDeflate: false });
		await r.opened;
		assert.equal(r.ws.extensions, '');
		r.close();
	});

	it('the offers we can take: server_max_window_bits=15 is answered, a second offer may be the one', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdoffers') });
		await postEntry(s, b, DEMO[1]);
		const cases = [
			['permessage-deflate; server_max_window_bits=15', `${ANSWER}; server_max_window_bits=15`],
			['permessage-deflate; server_max_window_bits="15"; client_max_window_bits=9', `${ANSWER}; server_max_window_bits=15`],
			['permessage-deflate; server_max_window_bits=10, permessage-deflate', ANSWER],
			['permessage-deflate;client_no_context_takeover;server_no_context_takeover', ANSWER],
			['x-foo, permessage-deflate', ANSWER],
		];
		for (const [offer, answer] of cases) {
			const w = await rawReader(s, b.id, `Sec-WebSocket-Extensions: ${offer}\r\n`);
			assert.equal(extHeader(w.head), answer, offer);
			const ev = eventFrames(w);
			assert.equal(ev.length, 1);
			assert.ok(ev[0].rsv1, offer);
			w.sock.destroy();
		}
	});

	it('readers may compress what they send: read and ignored, over the limit 1009, not deflate fails', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdrx') });
		const deflate = (t) => {
			const z = zlib.deflateRawSync(Buffer.from(t), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
			return z.subarray(0, z.length - 4);
		};
		// a small compressed message, then one in three fragments: the reader stays
		const w = await rawReader(s, b.id);
		w.frame(1, deflate('{"hello":"server"}'), { rsv: 4 });
		const z = deflate('a quiet reader says nothing much '.repeat(20));
		const third = Math.ceil(z.length / 3);
		w.send(wsFrame(1, z.subarray(0, third), { rsv: 4, fin: false }));
		await sleep(50);
		w.send(wsFrame(0, z.subarray(third, 2 * third), { fin: false }));
		await sleep(50);
		w.send(wsFrame(0, z.subarray(2 * third), {}));
		const e = await postEntry(s, b, { text: 'still reading' });
		await waitEvents(w, 1);
		assert.equal(w.messages.filter(isEvent)[0].entry.id, e.id);
		assert.equal(w.closeFrame, null);
		// 5000 bytes of text in a few compressed ones: over --max-ws-message
		const big = await rawReader(s, b.id);
		big.frame(1, deflate('x'.repeat(5000)), { rsv: 4 });
		await big.waitClosed();
		assert.equal(big.closeFrame?.code, 1009);
		// bytes that are not deflate: the connection fails (RFC 7692 8)
		const bad = await rawReader(s, b.id);
		bad.frame(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]), { rsv: 4 });
		const end = await bad.waitClosed();
		assert.equal(end.end, 'closed');
		// and the others carry on
		const e2 = await postEntry(s, b, { text: 'after all that' });
		await waitEvents(w, 2);
		assert.equal(w.messages.filter(isEvent)[1].entry.id, e2.id);
		w.sock.destroy();
	});

	it('a reader that did not negotiate and sends RSV1 is closed with 1002 (lws 4.1.6)', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdrsv') });
		const w = await rawReader(s, b.id, '');
		w.frame(1, Buffer.from([0x4b, 0x04, 0x00]), { rsv: 4 });
		await w.waitClosed();
		assert.equal(w.closeFrame?.code, 1002);
	});
});

describe('a compressed reader that stops reading', { timeout: 120000 }, () => {
	let s;
	before(async () => { s = await startStack({ daemon: { args: ['--reader-backlog', '64'] } }); });
	after(async () => { await s?.stop(); });

	it('is dropped with 1008 "slow" like any other; the one that reads gets everything', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdslow') });
		const normal = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		const stuck = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await normal.waitFor((m) => m.type === 'live');
		await stuck.waitFor((m) => m.type === 'live');
		assert.equal(stuck.ws.extensions, 'permessage-deflate');
		stuck.ws.pause();
		// base64 of random bytes: compressed, still 6 KiB a frame
		let n = 0;
		for (; n < 1200 && stuck.ws.readyState === 1; n += 20) {
			await Promise.all(Array.from({ length: 20 }, () =>
				postEntry(s, b, { text: crypto.randomBytes(6144).toString('base64') })));
			const m = await (await fetch(`${s.base}/metrics`)).text();
			if (/^liveblog_readers_dropped_slow_total [1-9]/m.test(m))
				break;
		}
		stuck.ws.resume();
		const c = await Promise.race([stuck.closed, sleep(15000).then(() => ({ code: 'open' }))]);
		assert.equal(c.code, 1008, `after ${n} posts: ${JSON.stringify(c)}`);
		assert.equal(c.reason, 'slow');
		const stored = await allEvents(s.base, b.id);
		await normal.waitFor((m, i, all) => all.filter(isEvent).length >= stored.length, 10000);
		assert.deepEqual(normal.events(), stored);
		assert.deepEqual(stuck.events(), stored.slice(0, stuck.events().length));
		normal.close();
	});
});

describe('--compress off', { timeout: 60000 }, () => {
	let s;
	before(async () => { s = await startStack({ daemon: { args: ['--compress', 'off'] } }); });
	after(async () => { await s?.stop(); });

	it('a reader that offers permessage-deflate gets no extension and plain frames', async () => {
		const b = await createBlog(s, { id: uniqueId('pmdoff') });
		await postEntry(s, b, DEMO[0]);
		const w = await rawReader(s, b.id);
		await postEntry(s, b, DEMO[1]);
		await waitEvents(w, 2);
		assert.equal(extHeader(w.head), null);
		assert.ok(w.frames.every((f) => !f.rsv1));
		assert.deepEqual(w.messages.filter(isEvent), await allEvents(s.base, b.id));
		const r = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await r.opened;
		assert.equal(r.ws.extensions, '');
		r.close();
		w.sock.destroy();
	});
});
