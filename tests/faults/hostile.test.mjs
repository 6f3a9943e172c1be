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

	/*
	 * Sends chunks (gapMs apart) on a fresh socket and reads until the
	 * server closes it or timeout ms pass. Resolves {responses: [{status,
	 * headers, body, json}], end: 'closed'|'timeout', ms}; every response
	 * must carry a Content-Length (ours do).
	 */
	function exchange(chunks, { gapMs = 0, timeout = 5000 } = {}) {
		return new Promise((resolve) => {
			const t0 = Date.now();
			const sock = net.connect(port, '127.0.0.1');
			const got = [];
			let done = false;
			const finish = (end) => {
				if (done)
					return;
				done = true;
				clearTimeout(timer);
				sock.destroy();
				resolve({ responses: parseResponses(Buffer.concat(got)), end, ms: Date.now() - t0 });
			};
			const timer = setTimeout(() => finish('timeout'), timeout);
			sock.on('data', (d) => got.push(d));
			sock.on('end', () => finish('closed'));
			sock.on('close', () => finish('closed'));
			sock.on('error', () => finish('closed'));
			sock.on('connect', async () => {
				for (const c of chunks) {
					if (done)
						return;
					sock.write(c);
					if (gapMs)
						await sleep(gapMs);
				}
			});
		});
	}

	function parseResponses(buf) {
		const out = [];
		let at = 0;
		for (;;) {
			const sep = buf.indexOf('\r\n\r\n', at);
			if (sep < 0)
				return out;
			const head = buf.subarray(at, sep).toString('latin1');
			const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
			const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
			const body = buf.subarray(sep + 4, sep + 4 + len).toString('utf8');
			let json = null;
			try { json = JSON.parse(body); } catch { }
			out.push({ status: m ? Number(m[1]) : null, head, body, json });
			at = sep + 4 + len;
		}
	}

	const get = (extra = '', target = '/healthz') => `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
	const header = (n) => `X-Big: ${'a'.repeat(n)}\r\n`;

	faultTest('request heads up to 8 KiB are served; over 8 KiB, 64 fields or 24 query arguments get 431 too_large and the connection closes', async (t, row) => {
		row.fault = 'heads of 5,000 and 8,150 bytes; a WebSocket handshake with a 6,000-byte cookie; one of 9,000 bytes (one header); a 9,000-byte request line; 200 headers of 42 bytes (8.4 KB); 65 short headers; 60 known headers (Accept); 24 and 25 query arguments; a 9,000-byte head sent in 30 pieces 20 ms apart';
		const ok = [
			['5,000-byte head', [get(header(4950))]],
			['8,150-byte head', [get(header(8100))]],
			['60 Accept headers', [get('Accept: x\r\n'.repeat(60))]],
			['24 query arguments', [get('', `/healthz?${Array.from({ length: 24 }, (_, i) => `a${i}=1`).join('&')}`)]],
		];
		const big = get(header(9000));
		const refused = [
			['9,000-byte header', [big], 'The request head is larger than 8192 bytes.'],
			['9,000-byte request line', [get('', `/${'u'.repeat(9000)}`)], 'The request head is larger than 8192 bytes.'],
			['200 headers of 42 bytes (8.4 KB)', [get(Array.from({ length: 200 }, (_, i) => `X-H${String(i).padStart(3, '0')}: ${'b'.repeat(32)}\r\n`).join(''))],
				'The request has more than 64 header fields.'],
			['65 short headers', [get('X-A: 1\r\n'.repeat(65))], 'The request has more than 64 header fields.'],
			['25 query arguments', [get('', `/healthz?${Array.from({ length: 25 }, (_, i) => `a${i}=1`).join('&')}`)],
				'The request line has more than 24 query arguments.'],
			['9,000-byte head in 30 pieces', Array.from({ length: 30 }, (_, i) => big.slice(i * 300, (i + 1) * 300)),
				'The request head is larger than 8192 bytes.'],
		];
		const seen = [];
		for (const [name, chunks] of ok) {
			const r = await exchange(chunks, { timeout: 3000 });
			seen.push(`${name}: ${r.responses[0]?.status ?? 'nothing'}`);
			assert.equal(r.responses[0]?.status, 200, `${name}: served (${r.end})`);
			assert.equal(r.responses[0].json?.status, 'ok', name);
		}
		/* a reader's handshake with a big cookie: too big for a fan-out loop's lws, served by the front */
		const w = await rawWs(port, `/ws/blogs/${b.id}`, { extraHeaders: `Cookie: c=${'c'.repeat(6000)}\r\n` });
		await w.waitMessage((m) => m.type === 'live');
		w.sock.destroy();
		seen.push('WebSocket handshake with a 6,000-byte cookie: live');
		for (const [name, chunks, message] of refused) {
			const r = await exchange(chunks, { gapMs: chunks.length > 1 ? 20 : 0 });
			const res = r.responses[0];
			seen.push(`${name}: ${res?.status ?? 'nothing'} ${res?.json?.error ?? ''}, connection ${r.end} after ${r.ms} ms`);
			assert.equal(res?.status, 431, `${name}: 431, got ${res ? res.head.split('\r\n')[0] : 'no response'} (${r.end})`);
			assert.deepEqual(res.json, { error: 'too_large', message }, `${name}: the JSON error body`);
			assert.match(res.head, /\r\nconnection: close/i, `${name}: Connection: close`);
			assert.equal(r.responses.length, 1, `${name}: nothing else was answered`);
			assert.equal(r.end, 'closed', `${name}: the server closed the connection`);
			await stillFine(name);
		}
		row.writers = seen.join('; ');
		row.readers = 'n/a';
		row.lost = 'nothing: log unchanged, /healthz 200 after each';
	});

	faultTest('a head that never ends is closed by the server within 12 s; one sent slowly but whole is served', async (t, row) => {
		row.fault = 'a request line and one header line, then silence (slowloris); a whole head sent 10 bytes every 100 ms (2.5 s)';
		const slowHead = get('X-Slow: yes\r\n');
		const pieces = [];
		for (let i = 0; i < slowHead.length; i += 10)
			pieces.push(slowHead.slice(i, i + 10));
		const slow = exchange(pieces, { gapMs: 100, timeout: 8000 });
		const lor = await exchange(['GET /healthz HTTP/1.1\r\nX-Slow: '], { timeout: 15000 });
		const s1 = await slow;
		row.writers = `never-ending head: connection ${lor.end} after ${lor.ms} ms with ${lor.responses.length} responses; slow whole head: ${s1.responses[0]?.status} after ${s1.ms} ms`;
		row.readers = 'n/a';
		row.lost = 'nothing';
		assert.equal(lor.end, 'closed', 'the server ends a head that never completes');
		assert.ok(lor.ms >= 9000 && lor.ms < 12500, `closed after the 10 s bound, took ${lor.ms} ms`);
		assert.equal(s1.responses[0]?.status, 200, 'a slow but complete head is served');
		await stillFine('slowloris');
	});

	/* A POST that would store an entry if it were ever run. */
	const smuggled = () => {
		const body = JSON.stringify({ text: `smuggled ${uniqueId('s')}` });
		return `POST /api/blogs/${b.id}/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
			`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
	};
	const framing = [
		['two Content-Length headers', (n) => `Content-Length: 3\r\nContent-Length: ${n}\r\n`, 'The request has more than one Content-Length header.'],
		['a non-numeric Content-Length', () => 'Content-Length: abc\r\n', 'The Content-Length header must be a decimal number of bytes.'],
		['Transfer-Encoding with Content-Length', (n) => `Transfer-Encoding: chunked\r\nContent-Length: ${n}\r\n`,
			'The request has both Transfer-Encoding and Content-Length.'],
	];

	faultTest('ambiguous framing gets 400 bad_request and the connection closes: first request and keep-alive requests; the request hidden in the body never runs', async (t, row) => {
		row.fault = 'POST entries with two Content-Length headers (3 and the real length), a non-numeric one, and Transfer-Encoding with Content-Length, each followed by a complete, valid POST of an entry; as a connection\'s first request and as its second (after a GET answered on the same connection)';
		const seen = [];
		for (const [name, hdrs, message] of framing) {
			for (const second of [false, true]) {
				const inner = smuggled();
				const outer = `POST /api/blogs/${b.id}/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
					`${hdrs(inner.length)}\r\n${inner}`;
				const chunks = second ? [get(), outer] : [outer];
				const r = await exchange(chunks, { gapMs: second ? 300 : 0, timeout: 3000 });
				const res = r.responses.at(-1);
				const label = `${name}${second ? ' (second request)' : ''}`;
				seen.push(`${label}: ${r.responses.map((x) => x.status).join(', ') || 'nothing'}, ${r.end}`);
				if (second)
					assert.equal(r.responses[0]?.status, 200, `${label}: the first request was answered`);
				assert.equal(r.responses.length, second ? 2 : 1, `${label}: one answer for the framed request, none for the hidden one`);
				assert.equal(res.status, 400, `${label}: 400, got ${res.status}`);
				assert.deepEqual(res.json, { error: 'bad_request', message }, `${label}: the JSON error`);
				assert.equal(r.end, 'closed', `${label}: connection closed`);
				await stillFine(label);
			}
		}
		row.writers = seen.join('; ');
		row.readers = 'n/a';
		row.lost = 'nothing: no entry stored by the framed or the hidden request';
	});

	faultTest('pipelined requests with bodies do not wedge the front loop', async (t, row) => {
		row.fault = 'in one packet: GET /healthz then a valid POST of an entry; a POST then another POST; a GET then a POST then a GET';
		const post = smuggled;
		const cases = [
			['GET + POST', () => [get() + post()]],
			['POST + POST', () => [post() + post()]],
			['GET + POST + GET', () => [get() + post() + get()]],
		];
		const seen = [];
		for (const [name, chunks] of cases) {
			const before = (await allEvents(s.base, b.id)).length;
			const r = await exchange(chunks(), { timeout: 3000 });
			const t0 = performance.now();
			const h = await Promise.race([api(s.base, 'GET', '/healthz'), sleep(3000).then(() => ({ status: 'no answer in 3 s' }))]);
			const after = (await allEvents(s.base, b.id)).length;
			seen.push(`${name}: answers ${r.responses.map((x) => x.status).join(', ') || 'none'}, connection ${r.end}; /healthz ${h.status} in ${(performance.now() - t0).toFixed(0)} ms; ${after - before} stored`);
			assert.equal(h.status, 200, `${name}: the server still answers`);
			assert.ok(r.responses.length >= 1, `${name}: the first request was answered`);
			/* a pipelined write either runs and is answered, or never runs */
			const posts = r.responses.filter((x) => x.status === 201).length;
			assert.equal(after - before, posts, `${name}: as many entries stored as answered 201`);
			baseline = await allEvents(s.base, b.id);
		}
		row.writers = seen.join('; ');
		row.readers = 'n/a';
		row.lost = 'nothing: a pipelined POST is run and answered, or the connection is closed before it runs';
		assert.ok(s.daemon.alive());
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
