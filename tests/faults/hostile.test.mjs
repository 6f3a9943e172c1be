// Hostile input over raw sockets (SPEC Rule 5, RFC 6455): malformed HTTP,
// oversized heads, chunked bodies, slow and half-sent requests, hostile
// WebSocket frames, and token brute force. After every fault the daemon must
// still answer /healthz and the blog's log must be unchanged.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import {
	reportSection, faultTest, startStack, createBlog, postEntry, api, allEvents,
	rawRequest, rawWs, uniqueId, sleep, assertErrorBody, median, quickPost,
} from './lib.mjs';

reportSection(import.meta.url, 'Hostile input');

describe('hostile input', { timeout: 120000 }, () => {
	let s;
	let b;
	let port;
	let baseline;

	/* The daemon is up, healthy and the blog's log is as it was. */
	async function stillFine(what) {
		assert.ok(s.daemon.alive(), `${what}: daemon still running`);
		const h = await api(s.base, 'GET', '/healthz');
		assert.equal(h.status, 200, `${what}: /healthz answers 200 afterwards`);
		assert.deepEqual(await allEvents(s.base, b.id), baseline, `${what}: the log is unchanged`);
	}

	before(async () => {
		s = await startStack();
		port = s.daemon.port;
		b = await createBlog(s, { id: uniqueId('hostile') });
		await postEntry(s, b, { text: 'the only entry' });
		baseline = await allEvents(s.base, b.id);
	});
	after(async () => { await s?.stop(); });

	faultTest('malformed HTTP request lines get a 4xx and the connection ends', async (t, row) => {
		row.fault = 'request lines that are not HTTP: garbage word, bare method, binary bytes, no URI, method with spaces';
		const cases = [
			['garbage word', 'GARBAGE\r\n\r\n'],
			['bare GET', 'GET\r\n\r\n'],
			['binary', Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 13, 10, 13, 10])],
			['no URI', 'GET  HTTP/1.1\r\nHost: x\r\n\r\n'],
			['spaces in method', 'G E T /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
		];
		const seen = [];
		for (const [name, bytes] of cases) {
			const r = await rawRequest(port, bytes, { timeout: 5000 });
			seen.push(`${name}: ${r.status ?? 'no status'} (${r.end}, ${r.ms} ms)`);
			assert.notEqual(r.end, 'timeout', `${name}: the server answered or closed within 5 s (no hang)`);
			assert.ok(r.status === null || (r.status >= 400 && r.status < 500),
				`${name}: a 4xx or a closed connection, got ${r.status}`);
			await stillFine(name);
		}
		row.writers = seen.join('; ');
		row.readers = 'n/a';
		row.lost = 'nothing: log unchanged, /healthz 200 after each';
	});

	faultTest('a request head over 4 KiB gets a 4xx error, not a silent close', {
		todo: 'libwebsockets 4.1.6 closes a connection whose head overflows its header buffer without answering; it never hangs',
	}, async (t, row) => {
		row.fault = 'one header of 5000 bytes; a request line of 8000 bytes; 200 headers of 40 bytes';
		const cases = [
			['5000-byte header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`],
			['8000-byte URI', `GET /${'a'.repeat(8000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
			['200 headers', `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-H${i}: ${'b'.repeat(32)}\r\n`).join('')}\r\n`],
		];
		const seen = [];
		const failures = [];
		for (const [name, req] of cases) {
			const r = await rawRequest(port, req, { timeout: 5000 });
			seen.push(`${name}: ${r.status ?? 'connection closed, no response'} (${r.end}, ${r.ms} ms)`);
			assert.notEqual(r.end, 'timeout', `${name}: no hang`);
			if (!(r.status >= 400 && r.status < 500))
				failures.push(`${name}: expected a 4xx response (431/414/400), got ${r.status === null ? 'the connection closed without any response' : r.status}`);
			await stillFine(name);
		}
		row.writers = seen.join('; ');
		row.readers = 'n/a';
		row.lost = 'nothing: log unchanged, /healthz 200 after each';
		assert.deepEqual(failures, [], 'a clear error for an oversized request head (Rule 5)');
	});

	faultTest('a chunked POST gets 411 at once and stores nothing; a half-sent body does not block others', async (t, row) => {
		row.fault = 'POST entries with Transfer-Encoding: chunked; then 20 POSTs announcing 1000 bytes that send 10 and stall; then 50 requests whose head never ends (slowloris)';
		const chunked = `POST /api/blogs/${b.id}/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
			'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
		const body = '{"text":"chunked entry"}';
		const r = await rawRequest(port, null, {
			chunks: [chunked, `${body.length.toString(16)}\r\n${body}\r\n`, '0\r\n\r\n'], gapMs: 20, timeout: 5000,
		});
		assert.notEqual(r.end, 'timeout', 'the chunked POST is answered or closed within 5 s');
		assert.ok(r.status === 411 || (r.status >= 400 && r.status < 500), `411 (or another 4xx) for a chunked body, got ${r.status}`);
		await stillFine('chunked POST');

		// half-sent bodies and never-ending heads, held open while others are served
		const held = [];
		for (let i = 0; i < 20; i++) {
			const sock = net.connect(port, '127.0.0.1');
			sock.on('error', () => { });
			sock.write(`POST /api/blogs/${b.id}/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
				'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text":"ha');
			held.push(sock);
		}
		for (let i = 0; i < 50; i++) {
			const sock = net.connect(port, '127.0.0.1');
			sock.on('error', () => { });
			sock.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow-${i}: `);
			held.push(sock);
		}
		await sleep(300);
		const times = [];
		for (let i = 0; i < 10; i++) {
			const t0 = performance.now();
			const h = await api(s.base, 'GET', '/healthz');
			times.push(performance.now() - t0);
			assert.equal(h.status, 200, '/healthz answers while 70 requests hang half-sent');
		}
		const e = await postEntry(s, b, { text: 'posted while others stall' });
		for (const sock of held)
			sock.destroy();
		await sleep(100);
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs.map((x) => x.entry?.id), [...baseline.map((x) => x.entry.id), e.id],
			'only the complete POST was stored; the chunked and half-sent ones were not');
		// put the baseline back in step with the log
		baseline = evs;
		row.writers = `chunked POST: ${r.status} in ${r.ms} ms; with 70 half-sent requests held open, /healthz took median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)} ms) and a normal POST got 201`;
		row.readers = 'n/a';
		row.lost = 'nothing; no partial or chunked body was stored';
	});

	/* Opens a raw WebSocket reader that has reached 'live'. */
	async function liveRaw() {
		const w = await rawWs(port, `/ws/blogs/${b.id}`);
		await w.waitMessage((m) => m.type === 'live');
		return w;
	}

	faultTest('hostile WebSocket frames close the reader with the right code', async (t, row) => {
		row.fault = 'on a raw socket: one 5000-byte text frame; a message fragmented 3 × 2000 bytes (6000 > 4 KiB); invalid UTF-8 in a text frame; a continuation frame with no message; a reserved opcode; a 200-byte ping';
		const cases = [
			['5000-byte frame', (w) => w.frame(1, 'x'.repeat(5000)), 1009],
			['fragmented 3 × 2000 bytes', (w) => {
				w.frame(1, 'a'.repeat(2000), { fin: false });
				w.frame(0, 'a'.repeat(2000), { fin: false });
				w.frame(0, 'a'.repeat(2000), { fin: true });
			}, 1009],
			['invalid UTF-8', (w) => w.frame(1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), 1007],
			['continuation first', (w) => w.frame(0, 'x'), 1002],
			['reserved opcode 3', (w) => w.frame(3, 'x'), 1002],
			['200-byte ping', (w) => w.frame(9, 'p'.repeat(200)), 'close'],
		];
		const seen = [];
		for (const [name, send, want] of cases) {
			const w = await liveRaw();
			send(w);
			const c = await w.waitClosed(5000);
			seen.push(`${name}: ${c.gotCloseFrame ? `close ${c.closeCode} "${c.reason}"` : 'no close frame'}, TCP ${c.end} after ${c.ms} ms`);
			assert.equal(c.end, 'closed', `${name}: the server closes the connection`);
			if (want === 'close')
				assert.ok(!c.gotCloseFrame || c.closeCode === 1002, `${name}: no close frame or 1002, got ${c.closeCode}`);
			else
				assert.equal(c.closeCode, want, `${name}: close code`);
			await stillFine(name);
		}
		row.readers = seen.join('; ');
		row.writers = 'n/a';
		row.lost = 'nothing: log unchanged, /healthz 200 after each';
	});

	faultTest('an unmasked client frame is a protocol error (RFC 6455 §5.1)', {
		todo: 'the libwebsockets 4.1.6 server parser does not check the mask bit of client frames',
	}, async (t, row) => {
		row.fault = 'a text frame without the mask bit from a reader';
		const w = await liveRaw();
		w.frame(1, 'hello', { mask: false });
		const c = await w.waitClosed(3000);
		row.readers = c.gotCloseFrame ? `close ${c.closeCode} "${c.reason}", TCP ${c.end}` : `no close frame; TCP ${c.end === 'timeout' ? 'still open after 3 s' : 'closed'}`;
		row.writers = 'n/a';
		row.lost = 'nothing';
		await stillFine('unmasked frame');
		assert.equal(c.end, 'closed', 'the server closes a connection that sent an unmasked frame');
		assert.ok(!c.gotCloseFrame || c.closeCode === 1002, `close code 1002 if any, got ${c.closeCode}`);
	});

	faultTest('a frame with reserved bits set: close 1002, nothing after the close frame, connection closed', {
		todo: 'libwebsockets 4.1.6 sends 1002 but still delivers queued frames while awaiting the close ack',
	}, async (t, row) => {
		row.fault = 'a text frame with RSV1 set (no extension was negotiated), then 3 entries posted 0–100 ms later; 8 attempts (the outcome depends on timing)';
		const seen = [];
		const bad = [];
		for (let attempt = 0; attempt < 8; attempt++) {
			const w = await liveRaw();
			w.frame(1, 'x', { rsv: 4 });
			await sleep([0, 20, 50, 100][attempt % 4]);
			for (let i = 0; i < 3; i++)
				await postEntry(s, b, { text: `posted after a reader sent RSV bits ${attempt}.${i}` });
			const c = await w.waitClosed(1500);
			const closeAt = w.frames.findIndex((f) => f.opcode === 8);
			const after = closeAt >= 0 ? w.frames.length - closeAt - 1 : 0;
			seen.push(`#${attempt + 1}: ${c.gotCloseFrame ? `close ${c.closeCode}` : 'no close frame'}, ${after} data frame(s) after it, TCP ${c.end === 'timeout' ? 'still open 1.5 s after our close reply' : 'closed'}`);
			if (c.closeCode !== 1002 || after || c.end !== 'closed')
				bad.push(seen.at(-1));
		}
		baseline = await allEvents(s.base, b.id);
		row.readers = seen.join('; ');
		row.writers = '24 POSTs, all 201';
		row.lost = 'nothing';
		await stillFine('rsv bits');
		assert.deepEqual(bad, [], 'after a close 1002 the server sends no more frames (RFC 6455 §5.5.1) and closes the connection once the client answered');
	});

	faultTest('token brute force: 200 wrong tokens all get 401 and store nothing', async (t, row) => {
		row.fault = '200 POSTs with wrong bearer tokens of different lengths and prefixes (including the real token with one character changed, its uppercase, a prefix of it, another blog\'s valid token)';
		const other = await createBlog(s, { id: uniqueId('other') });
		const real = b.editor_token;
		const flip = (str, i) => str.slice(0, i) + (str[i] === '0' ? '1' : '0') + str.slice(i + 1);
		const hex = (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
		const kinds = [
			['1 char', () => hex(1)],
			['8 random hex', () => hex(8)],
			['same length, random', () => hex(real.length)],
			['real with last char changed', () => flip(real, real.length - 1)],
			['real with first char changed', () => flip(real, 0)],
			['real prefix (half)', () => real.slice(0, real.length >> 1)],
			['real + 1 char', () => `${real}0`],
			['real uppercased', () => real.toUpperCase()],
			['another blog\'s editor token', () => other.editor_token],
			['200 random hex', () => hex(200)],
		];
		const perKind = 20;
		const timing = new Map();
		let n401 = 0;
		const wrong = [];
		for (let round = 0; round < perKind; round++) {
			for (const [name, gen] of kinds) {
				const token = gen();
				assert.notEqual(token, real);
				/* a fresh connection each: keep-alive timing would measure TCP, not the check */
				const t0 = performance.now();
				const res = await quickPost(s.base, `/api/blogs/${b.id}/entries`, { text: 'brute' }, token);
				const ms = performance.now() - t0;
				if (!timing.has(name))
					timing.set(name, []);
				timing.get(name).push(ms);
				if (res.status === 401 && res.json?.error === 'unauthorized')
					n401++;
				else
					wrong.push(`${name}: ${res.status} ${res.text.slice(0, 100)}`);
			}
		}
		const total = kinds.length * perKind;
		assert.equal(total, 200);
		// the admin endpoint too
		for (const token of ['test-admin-toke', 'test-admin-token0', 'TEST-ADMIN-TOKEN', hex(16), real])
			assertErrorBody(await api(s.base, 'POST', '/api/blogs', { body: { title: 'x' }, token }), 401, 'unauthorized', `admin with ${token.slice(0, 20)}`);
		row.writers = `${n401}/${total} editor-token guesses got 401 unauthorized; 5/5 admin-token guesses got 401`;
		row.readers = 'n/a';
		row.lost = 'nothing stored by a wrong token';
		for (const [name, xs] of timing)
			row.notes.push(`wrong token "${name}": median ${median(xs).toFixed(2)} ms over ${xs.length} requests on fresh connections (reported, not asserted)`);
		assert.deepEqual(wrong, [], 'every wrong token gets 401 unauthorized');
		await stillFine('brute force');
		assert.deepEqual(await allEvents(s.base, other.id), [], 'nothing stored in the other blog either');
	});
});
