/*
 * lib.mjs — helpers of the fault-injection suite (tests/faults/).
 *
 * Builds on tests/integration/harness.mjs (re-exported here) and adds:
 *
 *   faultTest(name, opts, fn)  an it() that records one row of
 *       docs/RELIABILITY.md. fn(t, row) fills row.fault, row.readers,
 *       row.writers, row.lost (plain sentences of what was measured) and
 *       may push lines to row.notes; the outcome (pass / FAIL: message /
 *       skipped: reason) is added by the wrapper. opts.skipReason: the test
 *       is skipped and the row says why.
 *   writeReport()      called at process exit: this file's rows go to
 *       build/faults-results/<file>.json and docs/RELIABILITY.md is
 *       regenerated from every results file present (run.sh clears them).
 *   startProxy(targetPort)     a loopback TCP proxy in front of Redis that
 *       can refuse every connection (like a Redis that is down, as seen by
 *       one daemon only) or stall the replies on the tail connection (the
 *       one that sent XREAD) while every other connection flows.
 *   rawWs(port, path)          a WebSocket client on a raw socket that can
 *       send any frame (unmasked, fragmented, invalid UTF-8) and parses the
 *       server's frames, the close frame included.
 *   rawRequest(port, bytes, {timeout})  like harness rawHttp but says how the
 *       exchange ended: 'closed' by the server or 'timeout' (a hang).
 *   resumingReader(bases, blogId)  a reader that reconnects with
 *       ?since=<last seq> (to the next base in the list) whenever its socket
 *       closes, collecting every event in arrival order.
 *   postWithRetry(bases, blog, text, {id})  a POST with a client id that is
 *       retried (same id) on the next base when a daemon does not answer,
 *       and after a 503, like the CLI.
 *   quickPost(base, path, body, token), bulkPost(base, blog, n, {concurrency,
 *       text, deadlineMs, onSend})  POSTs on fresh connections, for load loops
 *       bounded in count and time.
 *   rssKiB(pid), isSanitized(), PLAIN_BIN, seqsOf(events), dupes(list), median(xs),
 *   percentile(xs, p)
 *
 * The report: run.sh removes build/faults-results before a full run; a single
 * file run replaces only its own section.
 */
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import {
	REPO_ROOT, DAEMON_BIN, wsOpen, sleep, EVENT_TYPES, api,
} from '../integration/harness.mjs';

export * from '../integration/harness.mjs';

/* ---- RELIABILITY.md rows ------------------------------------------------ */

const RESULTS_DIR = path.join(REPO_ROOT, 'build', 'faults-results');
const REPORT = path.join(REPO_ROOT, 'docs', 'RELIABILITY.md');
const rows = [];
let fileTag = null;
let fileTitle = null;

/* Names this test file's section of the report (call once per file). */
export function reportSection(importMetaUrl, title) {
	fileTag = path.basename(new URL(importMetaUrl).pathname).replace(/\.test\.mjs$/, '');
	fileTitle = title;
}

const oneLine = (s) => String(s ?? '').replace(/\s+/g, ' ').trim();

/* One line for the report: the assertion's message and what was found. */
function failureText(e) {
	const msg = String(e?.message ?? e).split('\n')[0];
	let text = oneLine(msg);
	if (e?.code === 'ERR_ASSERTION' && 'actual' in e && e.operator !== 'fail' && e.operator !== '==') {
		const show = (v) => oneLine(typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));
		text += ` (got ${show(e.actual).slice(0, 240)}, expected ${e.operator === 'notStrictEqual' || e.operator === 'notDeepStrictEqual' ? 'not ' : ''}${show(e.expected).slice(0, 120)})`;
	}
	return text.slice(0, 500);
}

export function faultTest(name, opts, fn) {
	if (typeof opts === 'function') {
		fn = opts;
		opts = {};
	}
	const row = { test: name, fault: '', readers: '', writers: '', lost: '', notes: [], result: '' };
	const itOpts = { ...opts };
	delete itOpts.skipReason;
	if (opts.skipReason) {
		row.result = `skipped: ${opts.skipReason}`;
		row.fault = opts.fault ?? '';
		rows.push(row);
		return it(name, { ...itOpts, skip: opts.skipReason }, () => { });
	}
	return it(name, itOpts, async (t) => {
		const t0 = Date.now();
		try {
			await fn(t, row);
			row.result = row.result || 'pass';
		} catch (e) {
			// a todo test still runs and is reported, but is a known limitation
			row.result = opts.todo ? `KNOWN LIMITATION (${opts.todo}): ${failureText(e)}` :
				`FAIL: ${failureText(e)}`;
			throw e;
		} finally {
			row.seconds = ((Date.now() - t0) / 1000).toFixed(1);
			rows.push(row);
		}
	});
}

function mdCell(s) {
	return oneLine(s).replace(/\|/g, '\\|') || '—';
}

function daemonVersion() {
	try {
		return execFileSync(DAEMON_BIN, ['--version'], { encoding: 'utf8', timeout: 5000 }).trim();
	} catch {
		return 'unknown';
	}
}

export function renderReport() {
	let files = [];
	try {
		files = fs.readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort();
	} catch { /* none yet */ }
	const sections = files.map((f) => {
		try {
			return JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, f), 'utf8'));
		} catch {
			return null;
		}
	}).filter(Boolean);
	const all = sections.flatMap((s) => s.rows);
	const passed = all.filter((r) => r.result === 'pass').length;
	const failed = all.filter((r) => r.result.startsWith('FAIL')).length;
	const skipped = all.length - passed - failed;
	const out = [];
	out.push('<!-- Generated by tests/faults/ (sh tests/faults/run.sh). Do not edit by hand: the next run overwrites it. -->');
	out.push('# Reliability: fault-injection results');
	out.push('');
	out.push('This page is produced by the fault-injection suite in `tests/faults/`. Each row is one test: the');
	out.push('fault it injected into real `liveblogd` and `redis-server` processes on loopback, what WebSocket');
	out.push('readers and HTTP writers observed, and what (if anything) was lost. The observations are the');
	out.push('numbers measured in that run, not a description of intent. A row marked FAIL is a place where the');
	out.push('daemon broke `SPEC.md` in that run; its message is the failing assertion.');
	out.push('');
	out.push(`- daemon: \`${path.relative(REPO_ROOT, DAEMON_BIN)}\` (${daemonVersion()})`);
	out.push(`- generated: ${new Date().toISOString()}`);
	out.push(`- tests: ${all.length} — ${passed} passed, ${failed} failed, ${skipped} skipped`);
	out.push('');
	for (const s of sections) {
		out.push(`## ${s.title} (\`tests/faults/${s.file}.test.mjs\`)`);
		out.push('');
		out.push('| test | fault injected | what readers saw | what writers saw | what was lost | result |');
		out.push('|---|---|---|---|---|---|');
		for (const r of s.rows)
			out.push(`| ${mdCell(r.test)} | ${mdCell(r.fault)} | ${mdCell(r.readers)} | ${mdCell(r.writers)} | ${mdCell(r.lost)} | ${mdCell(r.result)}${r.seconds ? ` (${r.seconds} s)` : ''} |`);
		out.push('');
		const notes = s.rows.filter((r) => r.notes?.length);
		for (const r of notes) {
			out.push(`Measurements, ${oneLine(r.test)}:`);
			out.push('');
			for (const n of r.notes)
				out.push(`- ${oneLine(n)}`);
			out.push('');
		}
	}
	fs.mkdirSync(path.dirname(REPORT), { recursive: true });
	fs.writeFileSync(REPORT, out.join('\n'));
}

export function writeReport() {
	if (!fileTag)
		return;
	try {
		fs.mkdirSync(RESULTS_DIR, { recursive: true });
		fs.writeFileSync(path.join(RESULTS_DIR, `${fileTag}.json`),
			JSON.stringify({ file: fileTag, title: fileTitle, rows }, null, 1));
		renderReport();
	} catch (e) {
		console.error(`could not write the reliability report: ${e.message}`);
	}
}
process.on('exit', writeReport);

/* ---- small things ------------------------------------------------------- */

export const isEvent = (m) => EVENT_TYPES.includes(m.type);
export const seqsOf = (evs) => evs.map((e) => e.seq);

/* Values that occur more than once in list. */
export function dupes(list) {
	const seen = new Set();
	const d = new Set();
	for (const x of list) {
		if (seen.has(x))
			d.add(x);
		seen.add(x);
	}
	return [...d];
}

export function rssKiB(pid) {
	const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const m = /^VmRSS:\s+(\d+) kB$/m.exec(s);
	if (!m)
		throw new Error(`no VmRSS in /proc/${pid}/status`);
	return Number(m[1]);
}

/*
 * The daemon without sanitizers (build/liveblogd, which `make test` builds
 * beside the sanitizer build), for the tests that measure memory: under
 * ASan the RSS measures the tool, not the daemon. Null when there is none.
 */
export const PLAIN_BIN = (() => {
	const bin = process.env.LIVEBLOGD_PLAIN || path.join(REPO_ROOT, 'build', 'liveblogd');
	try {
		const bytes = fs.readFileSync(bin);
		return bytes.includes('__asan_init') || bytes.includes('__ubsan_handle') ? null : bin;
	} catch {
		return null;
	}
})();

let sanitized = null;
/* True when the daemon binary is built with ASan/UBSan (RSS is meaningless then). */
export function isSanitized() {
	if (sanitized === null) {
		try {
			const bin = fs.readFileSync(DAEMON_BIN);
			sanitized = bin.includes('__asan_init') || bin.includes('__ubsan_handle');
		} catch {
			sanitized = false;
		}
	}
	return sanitized || process.env.LIVEBLOG_VALGRIND === '1';
}

export function median(xs) {
	if (!xs.length)
		return NaN;
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs, p) {
	if (!xs.length)
		return NaN;
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/* ---- a reader that resumes like the SPEC's clients ---------------------- */

/*
 * Connects to bases[0]; when the socket closes it reconnects with
 * ?since=<last seq seen> to the next base (round robin) after 50–150 ms.
 * rr.events: every event in arrival order; rr.resets; rr.connections;
 * rr.closes: [{code, reason, base}]; rr.stop().
 */
export function resumingReader(bases, blogId, { pickBase } = {}) {
	const rr = {
		events: [], resets: 0, connections: 0, closes: [], stopped: false,
		current: null, base: null, invalid: 0,
	};
	let n = 0;
	const connect = () => {
		if (rr.stopped)
			return;
		const base = pickBase ? pickBase(n, rr) : bases[n % bases.length];
		n++;
		const since = rr.events.length ? `?since=${rr.events.at(-1).seq}` : '';
		const r = wsOpen(`${base}/ws/blogs/${blogId}${since}`);
		rr.current = r;
		rr.base = base;
		rr.connections++;
		r.ws.on('message', (data) => {
			let m;
			try {
				m = JSON.parse(data.toString());
			} catch {
				rr.invalid++;
				return;
			}
			if (m.type === 'reset')
				rr.resets++;
			if (isEvent(m))
				rr.events.push(m);
		});
		r.closed.then((c) => {
			rr.closes.push({ ...c, base });
			if (!rr.stopped)
				setTimeout(connect, 50 + Math.random() * 100);
		});
	};
	connect();
	rr.stop = () => {
		rr.stopped = true;
		rr.current?.ws.terminate();
	};
	rr.waitCount = async (count, timeoutMs = 10000) => {
		const deadline = Date.now() + timeoutMs;
		while (rr.events.length < count && Date.now() < deadline)
			await sleep(25);
		return rr.events.length >= count;
	};
	return rr;
}

/* ---- TCP proxy in front of Redis ---------------------------------------- */

/*
 * proxy.port / proxy.url; proxy.refuse() closes the listener and every
 * connection (clients get ECONNREFUSED, like a stopped Redis);
 * proxy.accept() listens again on the same port. proxy.stallTail(true)
 * holds every reply to a connection that has sent XREAD (its socket stays
 * open, nothing arrives: a half-dead link); stallTail(false) lets held
 * bytes through. proxy.stats: {connections, tailConnections, heldBytes}.
 * delayMs: [min, max]: every chunk Redis sends is held for a random time in
 * that range (in order: a chunk never overtakes the one before it).
 */
export async function startProxy(targetPort, { port, delayMs } = {}) {
	const p = {
		port: port ?? 0, conns: new Set(), stalled: false,
		stats: { connections: 0, tailConnections: 0, heldBytes: 0 },
		server: null,
	};
	const XREAD = Buffer.from('XREAD');
	const onConn = (client) => {
		p.stats.connections++;
		const c = { client, upstream: net.connect(targetPort, '127.0.0.1'), tail: false, held: [] };
		p.conns.add(c);
		const done = () => {
			p.conns.delete(c);
			client.destroy();
			c.upstream.destroy();
		};
		client.on('error', done);
		c.upstream.on('error', done);
		client.on('close', done);
		c.upstream.on('close', done);
		client.on('data', (d) => {
			if (!c.tail && d.includes(XREAD)) {
				c.tail = true;
				p.stats.tailConnections++;
			}
			c.upstream.write(d);
		});
		c.releaseAt = 0;
		c.upstream.on('data', (d) => {
			if (delayMs) {
				const [lo, hi] = delayMs;
				c.releaseAt = Math.max(c.releaseAt, Date.now() + lo + Math.random() * (hi - lo));
				(c.queue ??= []).push([c.releaseAt, d]);
				const pump = () => {
					c.timer = null;
					while (c.queue.length && c.queue[0][0] <= Date.now())
						if (!client.destroyed)
							client.write(c.queue.shift()[1]);
						else
							c.queue.shift();
					if (c.queue.length)
						c.timer = setTimeout(pump, c.queue[0][0] - Date.now());
				};
				if (!c.timer)
					c.timer = setTimeout(pump, c.releaseAt - Date.now());
				return;
			}
			if (c.tail && p.stalled) {
				c.held.push(d);
				p.stats.heldBytes += d.length;
			} else {
				client.write(d);
			}
		});
	};
	const listen = () => new Promise((resolve, reject) => {
		const srv = net.createServer(onConn);
		srv.on('error', reject);
		srv.listen(p.port, '127.0.0.1', () => {
			p.port = srv.address().port;
			p.server = srv;
			resolve();
		});
	});
	await listen();
	p.url = `redis://127.0.0.1:${p.port}`;
	p.refuse = async () => {
		const srv = p.server;
		p.server = null;
		for (const c of [...p.conns]) {
			c.client.destroy();
			c.upstream.destroy();
		}
		p.conns.clear();
		if (srv)
			await new Promise((r) => srv.close(r));
	};
	p.accept = async () => {
		if (p.server)
			return;
		for (let i = 0; ; i++) {
			try {
				await listen();
				return;
			} catch (e) {
				if (i > 50)
					throw e;
				await sleep(50);
			}
		}
	};
	p.stallTail = (on) => {
		p.stalled = on;
		if (!on)
			for (const c of p.conns) {
				for (const d of c.held)
					c.client.write(d);
				c.held = [];
			}
	};
	p.tailCount = () => [...p.conns].filter((c) => c.tail).length;
	p.close = p.refuse;
	return p;
}

/* ---- raw sockets -------------------------------------------------------- */

/*
 * Sends bytes (or `chunks`, gapMs apart), collects the reply until a whole
 * response (with content-length) arrived, the server closes the connection
 * or `timeout` ms pass. Resolves {status, raw, end: 'response'|'closed'|
 * 'timeout'|'error', ms}.
 */
export function rawRequest(port, bytes, { timeout = 5000, chunks = null, gapMs = 0 } = {}) {
	return new Promise((resolve) => {
		const t0 = Date.now();
		const sock = net.connect(port, '127.0.0.1');
		const got = [];
		let settled = false;
		const finish = (end) => {
			if (settled)
				return;
			settled = true;
			clearTimeout(timer);
			sock.destroy();
			const raw = Buffer.concat(got).toString('latin1');
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
			resolve({ status: m ? Number(m[1]) : null, raw, end, ms: Date.now() - t0 });
		};
		const timer = setTimeout(() => finish('timeout'), timeout);
		sock.on('data', (d) => {
			got.push(d);
			/* a complete response (status line, headers, content-length body) */
			const all = Buffer.concat(got);
			const sep = all.indexOf('\r\n\r\n');
			if (sep < 0)
				return;
			const m = /\r\ncontent-length: *(\d+)/i.exec(all.subarray(0, sep).toString('latin1'));
			if (m && all.length >= sep + 4 + Number(m[1]))
				finish('response');
		});
		sock.on('end', () => finish('closed'));
		sock.on('close', () => finish('closed'));
		sock.on('error', () => finish('error'));
		sock.on('connect', async () => {
			if (chunks) {
				for (const c of chunks) {
					if (settled)
						return;
					sock.write(c);
					if (gapMs)
						await sleep(gapMs);
				}
			} else {
				sock.write(bytes);
			}
		});
	});
}

/* Builds one client→server WebSocket frame. */
export function wsFrame(opcode, payload, { fin = true, mask = true, rsv = 0 } = {}) {
	const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
	const len = data.length;
	let head;
	if (len < 126) {
		head = Buffer.alloc(2);
		head[1] = len;
	} else if (len < 65536) {
		head = Buffer.alloc(4);
		head[1] = 126;
		head.writeUInt16BE(len, 2);
	} else {
		head = Buffer.alloc(10);
		head[1] = 127;
		head.writeBigUInt64BE(BigInt(len), 2);
	}
	head[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
	if (!mask)
		return Buffer.concat([head, data]);
	head[1] |= 0x80;
	const key = crypto.randomBytes(4);
	const masked = Buffer.alloc(len);
	for (let i = 0; i < len; i++)
		masked[i] = data[i] ^ key[i & 3];
	return Buffer.concat([head, key, masked]);
}

/*
 * permessage-deflate (RFC 7692 7.2.2): one message's payload, its trailer
 * removed by the sender, inflated with a fresh raw inflater.
 */
export function inflateMessage(payload) {
	return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0x00, 0x00, 0xff, 0xff])]),
		{ finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/*
 * A WebSocket client on a raw socket. Resolves once the 101 arrived:
 * {sock, head (the 101 response's status line and headers), frames:
 * [{opcode, fin, rsv1, payload, raw (the frame's bytes as received)}],
 * messages (parsed JSON text frames, inflated first when RSV1 is set),
 * send(buf), frame(opcode, payload, opts), closed: Promise<{closeCode,
 * reason, gotCloseFrame, end: 'closed'|'timeout', ms}>}.
 * closed resolves when the server closes the TCP connection, or after
 * closeTimeout ms from the first call of waitClosed().
 */
export function rawWs(port, urlPath, { protocol = 'liveblog.v1', extraHeaders = '' } = {}) {
	return new Promise((resolve, reject) => {
		const sock = net.connect(port, '127.0.0.1');
		const key = crypto.randomBytes(16).toString('base64');
		let buf = Buffer.alloc(0);
		let upgraded = false;
		const ws = { sock, frames: [], messages: [], closeFrame: null, ended: false };
		let endResolve;
		const endP = new Promise((r) => { endResolve = r; });
		const parse = () => {
			for (;;) {
				if (buf.length < 2)
					return;
				const fin = (buf[0] & 0x80) !== 0;
				const opcode = buf[0] & 0x0f;
				let len = buf[1] & 0x7f;
				let off = 2;
				if (len === 126) {
					if (buf.length < 4)
						return;
					len = buf.readUInt16BE(2);
					off = 4;
				} else if (len === 127) {
					if (buf.length < 10)
						return;
					len = Number(buf.readBigUInt64BE(2));
					off = 10;
				}
				if (buf[1] & 0x80)
					off += 4;	/* servers never mask; tolerate */
				if (buf.length < off + len)
					return;
				const payload = buf.subarray(off, off + len);
				const raw = Buffer.from(buf.subarray(0, off + len));
				const rsv1 = (buf[0] & 0x40) !== 0;
				buf = buf.subarray(off + len);
				const f = { opcode, fin, rsv1, payload: Buffer.from(payload), raw };
				ws.frames.push(f);
				if (opcode === 1) {
					try {
						const text = rsv1 ? inflateMessage(f.payload) : f.payload;
						ws.messages.push(JSON.parse(text.toString('utf8')));
					} catch { }
				}
				if (opcode === 8 && !ws.closeFrame) {
					/* answer like a client would: echo the close code */
					ws.send(wsFrame(8, f.payload.subarray(0, 2)));
				}
				if (opcode === 8 && !ws.closeFrame)
					ws.closeFrame = {
						code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null,
						reason: f.payload.subarray(2).toString('utf8'),
					};
			}
		};
		sock.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			if (!upgraded) {
				const i = buf.indexOf('\r\n\r\n');
				if (i < 0)
					return;
				const head = buf.subarray(0, i).toString('latin1');
				ws.head = head;
				buf = buf.subarray(i + 4);
				if (!/^HTTP\/1\.1 101/.test(head)) {
					sock.destroy();
					reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
					return;
				}
				upgraded = true;
				resolve(ws);
			}
			parse();
		});
		const onEnd = () => {
			if (ws.ended)
				return;
			ws.ended = true;
			endResolve();
			if (!upgraded)
				reject(new Error('connection closed before the upgrade'));
		};
		sock.on('close', onEnd);
		sock.on('end', onEnd);
		sock.on('error', onEnd);
		sock.on('connect', () => {
			sock.write(`GET ${urlPath} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
				'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
				`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
				(protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
				`${extraHeaders}\r\n`);
		});
		ws.send = (b) => { if (!sock.destroyed) sock.write(b); };
		ws.frame = (opcode, payload, opts) => ws.send(wsFrame(opcode, payload, opts));
		/* Waits until the server closed the TCP connection (or timeout). */
		ws.waitClosed = async (timeout = 5000) => {
			const t0 = Date.now();
			const end = await Promise.race([endP.then(() => 'closed'), sleep(timeout).then(() => 'timeout')]);
			if (end === 'timeout')
				sock.destroy();
			return {
				end, ms: Date.now() - t0, gotCloseFrame: !!ws.closeFrame,
				closeCode: ws.closeFrame?.code ?? null, reason: ws.closeFrame?.reason ?? null,
			};
		};
		ws.waitMessage = async (pred, timeout = 5000) => {
			const deadline = Date.now() + timeout;
			while (Date.now() < deadline) {
				const m = ws.messages.find(pred);
				if (m)
					return m;
				if (ws.ended)
					break;
				await sleep(10);
			}
			throw new Error(`rawWs: no message matched ${pred}; got ${JSON.stringify(ws.messages).slice(0, 500)}`);
		};
	});
}

/* ---- writers ------------------------------------------------------------- */

/*
 * POSTs one entry with a client id, like the CLI: on no answer (socket
 * error, daemon gone) or a 503 it retries the same id, moving to the next
 * base on no answer, until deadlineMs. Returns {id, status (the final one),
 * attempts: [{base, status|'no answer'}], entry}. Never throws on HTTP
 * statuses; the caller asserts.
 */
export async function postWithRetry(bases, blog, text, { id = crypto.randomUUID(), deadlineMs = 15000, start = 0 } = {}) {
	const deadline = Date.now() + deadlineMs;
	const attempts = [];
	let i = start;
	for (;;) {
		const base = bases[i % bases.length];
		let res;
		try {
			res = await api(base, 'POST', `/api/blogs/${blog.id}/entries`, { body: { id, text }, token: blog.editor_token });
		} catch {
			attempts.push({ base, status: 'no answer' });
			i++;
			if (Date.now() > deadline)
				return { id, status: 'no answer', attempts };
			await sleep(50);
			continue;
		}
		attempts.push({ base, status: res.status });
		if (res.status !== 503 || Date.now() > deadline)
			return { id, status: res.status, attempts, entry: res.json, res };
		await sleep(100);
	}
}

/*
 * One POST on a fresh connection (Connection: close), for load loops: it
 * sidesteps keep-alive reuse so that the load measures the daemon, not a
 * client's connection pool. Resolves {status, json, text}; rejects on a
 * socket error or after `timeout` ms.
 */
export function quickPost(base, urlPath, body, token, { timeout = 15000 } = {}) {
	const u = new URL(base);
	const payload = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: u.hostname, port: u.port, path: urlPath, method: 'POST', agent: false,
			headers: {
				'content-type': 'application/json', 'content-length': payload.length,
				authorization: `Bearer ${token}`, connection: 'close',
			},
			timeout,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try { json = JSON.parse(text); } catch { }
				resolve({ status: res.statusCode, json, text });
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`POST ${urlPath}: no answer in ${timeout} ms`)));
		req.on('error', reject);
		req.end(payload);
	});
}

/*
 * Posts n entries (client ids) to blog b with `concurrency` writers, each
 * on fresh connections, stopping early at deadlineMs. onSend(id) is called
 * just before each request. Resolves {posted: [{id, status}], ms}.
 */
export async function bulkPost(base, b, n, { concurrency = 8, text = 'x', deadlineMs = 60000, onSend } = {}) {
	const t0 = Date.now();
	const posted = [];
	let next = 0;
	await Promise.all([...Array(concurrency)].map(async () => {
		while (next < n && Date.now() - t0 < deadlineMs) {
			const i = next++;
			const id = crypto.randomUUID();
			onSend?.(id, i);
			const res = await quickPost(base, `/api/blogs/${b.id}/entries`, { id, text: typeof text === 'function' ? text(i) : text }, b.editor_token);
			posted.push({ id, status: res.status, i });
		}
	}));
	return { posted, ms: Date.now() - t0 };
}

/* Stops daemons, then the proxy and Redis; rethrows the first daemon
 * failure (e.g. a sanitizer report found when it stopped). */
export async function teardown({ daemons = [], proxy, redis }) {
	const errs = [];
	for (const d of daemons)
		await d?.stop().catch((e) => errs.push(e));
	await proxy?.close();
	await redis?.stop();
	if (errs.length)
		throw errs[0];
}
