/*
 * harness.mjs — start real redis-server and liveblogd processes for tests.
 *
 * Shared by the integration, CLI and browser suites: keep this API stable.
 * Every process started here is killed when the test process exits, and every
 * temp dir is removed. Nothing here reads ../shared.
 *
 *   REPO_ROOT                      absolute path of the repository
 *   DAEMON_BIN                     liveblogd path ($LIVEBLOGD or build/liveblogd)
 *   VALGRIND                       true when LIVEBLOG_VALGRIND=1
 *
 *   freePort() -> Promise<number>  a free TCP port on 127.0.0.1 (never the same
 *                                  one twice in one process)
 *   tempDir(prefix) -> string      a fresh temp dir, removed at exit
 *   sleep(ms) -> Promise
 *   waitUntil(fn, {timeout=5000, interval=50, message}) -> Promise<value>
 *                                  polls async fn until it returns a truthy
 *                                  value; throws `message` (plus the last
 *                                  value/error) after the deadline
 *
 *   startRedis({dir?, appendonly=false, port?, unixsocket=false}) -> Promise<redis>
 *     redis.port, redis.url ('redis://127.0.0.1:PORT'), redis.dir,
 *     redis.socket, redis.unixUrl ('unix:///DIR/redis.sock'; with unixsocket),
 *     redis.cli(...args) -> stdout string (sync; runs redis-cli -p PORT ...;
 *       a Redis error reply is returned on stdout, not thrown),
 *     redis.stop() -> Promise (SIGTERM, waits for exit),
 *     redis.start() -> Promise (start again after stop(): same port and dir),
 *     redis.restart() -> Promise (stop() then start()),
 *     redis.proc (the ChildProcess)
 *
 *   startDaemon({redisUrl, adminToken='test-admin-token', args=[], env={},
 *                dataDir?, www?, port?, timeout?, bin?, cwd?}) -> Promise<daemon>
 *     Runs DAEMON_BIN --listen 127.0.0.1:P [--redis URL] [--admin-token T]
 *     --www <repo>/www --data-dir <tmp> --log-level warn ...args
 *     (redisUrl null/undefined: no --redis, the daemon embeds its own redis;
 *      adminToken null: no --admin-token; env {NAME: undefined} unsets NAME;
 *      www false: no --www, the pages compiled into the binary; bin: another
 *      liveblogd binary; the daemon's cwd is `cwd`, else its data dir).
 *     Resolves once GET /healthz is 200;
 *     throws with the captured stderr after `timeout` (10 s; 60 s under
 *     valgrind) or if the process exits first. LIVEBLOG_VALGRIND=1 wraps it
 *     in valgrind --error-exitcode=99 --leak-check=full
 *     --errors-for-leak-kinds=definite.
 *     daemon.port, .base ('http://127.0.0.1:P'), .wsBase ('ws://127.0.0.1:P'),
 *     .adminToken, .dataDir, .proc, .pid,
 *     .stderr() -> all stderr text so far, .stdout() -> all stdout text,
 *     .exited (Promise<{code, signal}>), .alive() -> bool,
 *     .stop(signal='SIGTERM', {timeout}) -> Promise<exit code> (128+signo if
 *       killed by a signal); THROWS if stderr holds a sanitizer/valgrind
 *       report, if it exited before stop() was called (a crash), if it died
 *       of another signal than the one sent, or if it ignores the signal for
 *       `timeout` ms (then it is SIGKILLed). Prints the stderr tail on failure.
 *     .kill9() -> Promise (SIGKILL to its process group; throws only if
 *       stderr already holds a sanitizer report)
 *
 *   startStack(opts) -> Promise<stack>    one redis + one daemon
 *     stack.redis, stack.daemon, stack.base, stack.wsBase, stack.adminToken,
 *     stack.addDaemon(opts) -> another daemon on the same redis (stopped by
 *       stack.stop()), stack.stop() -> Promise (daemons first, checked)
 *     opts: {appendonly, daemon: {...startDaemon opts}}
 *
 *   api(base, method, path, {body, token, headers, raw}) ->
 *       Promise<{status, headers, json, text}>
 *     body is sent as JSON; raw (string/Buffer) is sent as is with
 *     content-type application/json unless headers say otherwise; token adds
 *     Authorization: Bearer. headers is a plain object (lower-case keys);
 *     json is null when the body is not JSON.
 *   rawHttp(port, requestText|Buffer) -> Promise<{status, headers, body}>
 *     sends bytes exactly as given (no URL normalisation) on a fresh socket.
 *   createBlog(stackOrDaemon, {id, title='Test blog'}) -> blog (asserts 201)
 *   postEntry(stackOrDaemon, blog, body, token=blog.editor_token) -> entry
 *     (asserts 201)
 *   allEvents(base, blogId) -> Promise<events[]>   (GET /events, all pages)
 *   uniqueId(prefix='t') -> a fresh valid blog slug
 *   wsOpen(url, {protocol='liveblog.v1', headers, perMessageDeflate=true})
 *                                  -> reader (synchronous); perMessageDeflate:
 *                                  false: the reader does not offer compression
 *     reader.ws             the ws WebSocket
 *     reader.messages       every JSON message received, in order (a frame
 *                           that is not JSON is stored as
 *                           {type:'__invalid__', raw})
 *     reader.opened         Promise: resolves on open, rejects on a refused
 *                           handshake (err.statusCode) or a socket error
 *     reader.handshakeStatus  HTTP status of a refused handshake, else null
 *     reader.closed         Promise<{code, reason}> (never rejects; 1006 when
 *                           no close frame, plus `status` if refused)
 *     reader.waitFor(pred, timeoutMs=5000) -> Promise<message>
 *                           the first message (in order) with
 *                           pred(msg, index, messages) truthy; rejects on
 *                           timeout or when the socket closes without one
 *     reader.events()       messages with type entry|edit|delete|ended
 *     reader.send(data), reader.close(code?, reason?) -> reader.closed
 *   withDiagnostics(daemons, fn) -> fn wrapped for it(): on failure prints
 *                           each daemon's /metrics samples and stderr tail
 *                           (daemons: array or () => array), then rethrows
 *   seqCmp(a, b) -> -1|0|1   compares Redis stream ids numerically
 *   findReport(text) -> the sanitizer/valgrind pattern found in text, or null
 *   WebSocket                the ws library's class (re-exported)
 *   RFC3339_MS, SEQ_RE, UUID_RE, EVENT_TYPES   regexes / list for assertions
 *   assertErrorBody(res, status, code)   asserts status and the exact JSON
 *                                        error shape {"error","message"}
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export { WebSocket };

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const DAEMON_BIN = path.resolve(REPO_ROOT,
	process.env.LIVEBLOGD || 'build/liveblogd');
export const VALGRIND = process.env.LIVEBLOG_VALGRIND === '1';

export const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const SEQ_RE = /^\d+-\d+$/;
export const UUID_RE =
	/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const EVENT_TYPES = ['entry', 'edit', 'delete', 'ended'];

/* ---- process and temp-dir bookkeeping ---------------------------------- */

const children = new Set();	/* ChildProcess objects still running */
const tempDirs = new Set();

function cleanupSync() {
	for (const cp of children) {
		try {
			/* daemons run in their own process group: kill the
			 * group so an embedded redis-server goes too */
			if (cp.lbGroup)
				process.kill(-cp.pid, 'SIGKILL');
			else
				cp.kill('SIGKILL');
		} catch { /* already gone */ }
	}
	children.clear();
	for (const d of tempDirs) {
		try { fs.rmSync(d, { recursive: true, force: true }); } catch { }
	}
	tempDirs.clear();
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.once(sig, () => { cleanupSync(); process.exit(128 + os.constants.signals[sig]); });
}

export function tempDir(prefix = 'liveblog-test-') {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.add(d);
	return d;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(fn, { timeout = 5000, interval = 50, message = 'condition' } = {}) {
	const deadline = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			last = await fn();
			if (last)
				return last;
		} catch (e) {
			last = e;
		}
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeout} ms waiting for ${message}; last: ${
				last instanceof Error ? last.message : JSON.stringify(last)}`);
		await sleep(interval);
	}
}

const usedPorts = new Set();
export async function freePort() {
	for (let i = 0; i < 50; i++) {
		const port = await new Promise((resolve, reject) => {
			const srv = net.createServer();
			srv.unref();
			srv.on('error', reject);
			srv.listen(0, '127.0.0.1', () => {
				const p = srv.address().port;
				srv.close(() => resolve(p));
			});
		});
		if (!usedPorts.has(port)) {
			usedPorts.add(port);
			return port;
		}
	}
	throw new Error('freePort: no fresh port found');
}

let idCounter = 0;
export function uniqueId(prefix = 't') {
	return `${prefix}-${process.pid}-${Date.now().toString(36)}-${(idCounter++).toString(36)}-${randomBytes(2).toString('hex')}`.toLowerCase().slice(0, 64);
}

function tail(text, lines = 60) {
	return text.split('\n').slice(-lines).join('\n');
}

/* ---- redis -------------------------------------------------------------- */

function redisPing(port) {
	try {
		return execFileSync('redis-cli', ['-p', String(port), 'PING'],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim() === 'PONG';
	} catch {
		return false;
	}
}

export async function startRedis({ dir, appendonly = false, port, unixsocket = false } = {}) {
	const r = {
		port: port ?? await freePort(),
		dir: dir ?? tempDir('liveblog-redis-'),
		proc: null,
		log: '',
	};
	r.url = `redis://127.0.0.1:${r.port}`;
	if (unixsocket) {
		r.socket = path.join(r.dir, 'redis.sock');
		r.unixUrl = `unix://${r.socket}`;
	}
	r.cli = (...args) => execFileSync('redis-cli', ['-p', String(r.port), ...args.map(String)],
		{ encoding: 'utf8', timeout: 10000 });
	r.start = async () => {
		const proc = spawn('redis-server', ['--port', String(r.port), '--bind', '127.0.0.1',
			'--save', '', '--appendonly', appendonly ? 'yes' : 'no', '--dir', r.dir,
			...(r.socket ? ['--unixsocket', r.socket] : [])],
			{ stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(proc);
		r.proc = proc;
		proc.stdout.on('data', (d) => { r.log += d; });
		proc.stderr.on('data', (d) => { r.log += d; });
		proc.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
			children.delete(proc);
			resolve({ code, signal });
		}));
		let dead = false;
		proc.exited.then(() => { dead = true; });
		await waitUntil(async () => {
			if (dead)
				throw new Error(`redis-server exited:\n${tail(r.log)}`);
			return redisPing(r.port);
		}, { timeout: 10000, message: `redis-server on port ${r.port}` }).catch((e) => {
			throw new Error(`${e.message}\n${tail(r.log)}`);
		});
	};
	r.stop = async () => {
		const proc = r.proc;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null)
			return;
		proc.kill('SIGTERM');
		const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
		await proc.exited;
		clearTimeout(t);
	};
	r.restart = async () => {
		await r.stop();
		await r.start();
	};
	await r.start();
	return r;
}

/* ---- liveblogd ---------------------------------------------------------- */

const REPORT_PATTERNS = [
	/ERROR: AddressSanitizer/,
	/ERROR: LeakSanitizer/,
	/runtime error:/,
	/== ERROR SUMMARY: [1-9]/,
	/definitely lost: [1-9]/,
];

/* Returns the first sanitizer/valgrind report pattern found in text, or null. */
export function findReport(text) {
	for (const re of REPORT_PATTERNS)
		if (re.test(text))
			return re.source;
	return null;
}

export async function startDaemon({
	redisUrl, adminToken = 'test-admin-token', args = [], env = {},
	dataDir, www, port, timeout, bin = DAEMON_BIN, cwd,
} = {}) {
	const d = {
		port: port ?? await freePort(),
		adminToken,
		dataDir: dataDir ?? tempDir('liveblogd-data-'),
	};
	d.base = `http://127.0.0.1:${d.port}`;
	d.wsBase = `ws://127.0.0.1:${d.port}`;
	const dargs = ['--listen', `127.0.0.1:${d.port}`];
	if (redisUrl)
		dargs.push('--redis', redisUrl);
	if (adminToken)
		dargs.push('--admin-token', adminToken);
	if (www !== false)
		dargs.push('--www', www ?? path.join(REPO_ROOT, 'www'));
	dargs.push('--data-dir', d.dataDir, '--log-level', 'warn', ...args);
	let cmd = bin;
	let argv = dargs;
	if (VALGRIND) {
		cmd = 'valgrind';
		argv = ['--error-exitcode=99', '--leak-check=full',
			'--errors-for-leak-kinds=definite', bin, ...dargs];
	}
	if (!fs.existsSync(bin))
		throw new Error(`daemon binary not found: ${bin} (run make)`);
	const fullEnv = { ...process.env, ...env };
	for (const k of Object.keys(fullEnv))	/* env: {NAME: undefined} unsets NAME */
		if (fullEnv[k] === undefined || fullEnv[k] === null)
			delete fullEnv[k];
	const proc = spawn(cmd, argv, {
		cwd: cwd ?? d.dataDir,
		env: fullEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,		/* own process group, see cleanupSync */
	});
	proc.lbGroup = true;
	children.add(proc);
	d.proc = proc;
	d.pid = proc.pid;
	let err = '';
	let out = '';
	proc.stderr.on('data', (c) => { err += c; });
	proc.stdout.on('data', (c) => { out += c; });
	d.stderr = () => err;
	d.stdout = () => out;
	let stopping = false;
	let exitInfo = null;
	d.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
		exitInfo = { code, signal };
		children.delete(proc);
		resolve(exitInfo);
	}));
	/* stdio may still hold data after 'exit': wait for 'close' too */
	const streamsClosed = new Promise((resolve) => proc.on('close', resolve));
	proc.on('error', (e) => { err += `\n[spawn error] ${e.message}\n`; });
	d.alive = () => exitInfo === null;
	d.cmdline = [cmd, ...argv].join(' ');

	const fail = (msg) => {
		const text = `${msg}\n--- liveblogd stderr (${d.cmdline}) ---\n${tail(err)}\n---`;
		console.error(text);
		return new Error(text);
	};

	d.kill9 = async () => {
		stopping = true;
		if (!exitInfo) {
			try { process.kill(-proc.pid, 'SIGKILL'); } catch { }
			await d.exited;
		}
		/* a sanitizer report printed before the kill still fails */
		const report = findReport(err);
		if (report)
			throw fail(`liveblogd stderr holds a sanitizer/valgrind report (/${report}/)`);
	};

	d.stop = async (signal = 'SIGTERM', { timeout: stopTimeout = VALGRIND ? 60000 : 10000 } = {}) => {
		const crashed = exitInfo !== null && !stopping;
		stopping = true;
		let hung = false;
		if (!exitInfo) {
			proc.kill(signal);
			const t = setTimeout(() => {
				hung = true;
				try { process.kill(-proc.pid, 'SIGKILL'); } catch { }
			}, stopTimeout);
			await d.exited;
			clearTimeout(t);
		}
		await Promise.race([streamsClosed, sleep(2000)]);
		const { code, signal: sig } = exitInfo;
		const rc = code ?? 128 + (os.constants.signals[sig] ?? 0);
		const report = findReport(err);
		if (report)
			throw fail(`liveblogd stderr holds a sanitizer/valgrind report (/${report}/)`);
		if (VALGRIND && code === 99)
			throw fail('valgrind reported errors (exit 99)');
		if (crashed)
			throw fail(`liveblogd exited before stop() was called (code ${code}, signal ${sig})`);
		if (hung)
			throw fail(`liveblogd ignored ${signal} for ${stopTimeout} ms and was killed`);
		if (sig && sig !== signal)
			throw fail(`liveblogd died of ${sig} after ${signal}`);
		return rc;
	};

	const startTimeout = timeout ?? (VALGRIND ? 60000 : 10000);
	const deadline = Date.now() + startTimeout;
	for (;;) {
		if (exitInfo) {
			await Promise.race([streamsClosed, sleep(1000)]);
			throw fail(`liveblogd exited during startup (code ${exitInfo.code}, signal ${exitInfo.signal})`);
		}
		try {
			const res = await fetch(`${d.base}/healthz`, { signal: AbortSignal.timeout(2000) });
			await res.arrayBuffer();
			if (res.status === 200)
				break;
		} catch { /* not listening yet */ }
		if (Date.now() > deadline) {
			await d.kill9();
			throw fail(`liveblogd did not answer GET /healthz 200 within ${startTimeout} ms`);
		}
		await sleep(50);
	}
	return d;
}

export async function startStack(opts = {}) {
	const redis = await startRedis({ appendonly: opts.appendonly ?? false });
	const daemons = [];
	let daemon;
	try {
		daemon = await startDaemon({ redisUrl: redis.url, ...(opts.daemon ?? {}) });
	} catch (e) {
		await redis.stop();
		throw e;
	}
	daemons.push(daemon);
	const s = {
		redis, daemon,
		base: daemon.base, wsBase: daemon.wsBase, adminToken: daemon.adminToken,
		daemons,
		async addDaemon(o = {}) {
			const extra = await startDaemon({ redisUrl: redis.url, ...(opts.daemon ?? {}), ...o });
			daemons.push(extra);
			return extra;
		},
		async stop() {
			const errors = [];
			for (const dm of daemons) {
				if (!dm.alive() && dm.stopped)
					continue;
				try {
					dm.stopped = true;
					await dm.stop();
				} catch (e) {
					errors.push(e);
				}
			}
			await redis.stop();
			if (errors.length)
				throw errors[0];
		},
	};
	return s;
}

/* ---- HTTP helpers ------------------------------------------------------- */

export async function api(base, method, urlPath, { body, token, headers = {}, raw } = {}) {
	const h = { ...headers };
	let payload;
	if (raw !== undefined) {
		payload = raw;
		if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
			h['content-type'] = 'application/json';
	} else if (body !== undefined) {
		payload = JSON.stringify(body);
		h['content-type'] = 'application/json';
	}
	if (token)
		h.authorization = `Bearer ${token}`;
	const res = await fetch(base + urlPath, {
		method, headers: h, body: payload, signal: AbortSignal.timeout(15000),
	}).catch((e) => {
		throw new Error(`${method} ${urlPath}: ${e.message}: ${e.cause?.code ?? ''} ${e.cause?.message ?? ''}`);
	});
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { }
	return { status: res.status, headers: Object.fromEntries(res.headers), json, text };
}

/* Sends requestText exactly as given and reads the whole response. */
export function rawHttp(port, requestText, { timeout = 5000 } = {}) {
	return new Promise((resolve, reject) => {
		const sock = net.connect(port, '127.0.0.1');
		const chunks = [];
		const t = setTimeout(() => { sock.destroy(); finish(); }, timeout);
		const finish = () => {
			clearTimeout(t);
			const buf = Buffer.concat(chunks).toString('latin1');
			const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf);
			const sep = buf.indexOf('\r\n\r\n');
			const head = sep >= 0 ? buf.slice(0, sep) : buf;
			const headers = {};
			for (const line of head.split('\r\n').slice(1)) {
				const i = line.indexOf(':');
				if (i > 0)
					headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
			}
			resolve({ status: m ? Number(m[1]) : null, headers, body: sep >= 0 ? buf.slice(sep + 4) : '', raw: buf });
		};
		sock.on('data', (c) => chunks.push(c));
		sock.on('end', finish);
		sock.on('error', (e) => { clearTimeout(t); if (chunks.length) finish(); else reject(e); });
		sock.write(requestText);
	});
}

export async function createBlog(stack, { id, title = 'Test blog' } = {}) {
	const body = { title };
	if (id !== undefined)
		body.id = id;
	const res = await api(stack.base, 'POST', '/api/blogs', { body, token: stack.adminToken });
	assert.equal(res.status, 201, `create blog ${id}: ${res.status} ${res.text}`);
	assert.equal(typeof res.json.editor_token, 'string', 'editor_token present');
	return res.json;
}

export async function postEntry(stack, blog, body, token = blog.editor_token) {
	const res = await api(stack.base, 'POST', `/api/blogs/${blog.id}/entries`, { body, token });
	assert.equal(res.status, 201, `post entry to ${blog.id}: ${res.status} ${res.text}`);
	return res.json;
}

export async function allEvents(base, blogId) {
	const out = [];
	let since = null;
	for (let page = 0; page < 10000; page++) {
		const q = since ? `?since=${encodeURIComponent(since)}` : '';
		const res = await api(base, 'GET', `/api/blogs/${blogId}/events${q}`);
		assert.equal(res.status, 200, `GET events ${blogId}${q}: ${res.status} ${res.text}`);
		const evs = res.json.events;
		assert.ok(Array.isArray(evs), `events is an array: ${res.text.slice(0, 200)}`);
		if (evs.length === 0)
			return out;
		out.push(...evs);
		assert.equal(res.json.next, evs[evs.length - 1].seq, 'next is the last seq returned');
		since = res.json.next;
	}
	throw new Error('allEvents: too many pages');
}

export function seqCmp(a, b) {
	const [am, as] = a.split('-').map(BigInt);
	const [bm, bs] = b.split('-').map(BigInt);
	if (am !== bm)
		return am < bm ? -1 : 1;
	if (as !== bs)
		return as < bs ? -1 : 1;
	return 0;
}

export function assertErrorBody(res, status, code, what = '') {
	assert.equal(res.status, status, `${what} status (body: ${res.text.slice(0, 300)})`);
	assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json),
		`${what} error body is a JSON object: ${res.text.slice(0, 300)}`);
	assert.deepEqual(Object.keys(res.json).sort(), ['error', 'message'], `${what} error keys`);
	assert.equal(res.json.error, code, `${what} error code`);
	assert.equal(typeof res.json.message, 'string', `${what} message is a string`);
	assert.ok(res.json.message.length > 0, `${what} message is not empty`);
}

/* ---- WebSocket reader --------------------------------------------------- */

export function wsOpen(url, { protocol = 'liveblog.v1', headers, perMessageDeflate = true } = {}) {
	const ws = protocol ? new WebSocket(url, protocol, { headers, perMessageDeflate })
		: new WebSocket(url, { headers, perMessageDeflate });
	const r = { ws, messages: [], handshakeStatus: null, handshakeBody: '' };
	const waiters = new Set();
	let isClosed = false;
	let closeInfo = null;

	const check = () => {
		for (const w of waiters) {
			for (let i = w.from; i < r.messages.length; i++) {
				if (w.pred(r.messages[i], i, r.messages)) {
					waiters.delete(w);
					clearTimeout(w.timer);
					w.resolve(r.messages[i]);
					break;
				}
			}
			/* each message is tested once per waiter */
			w.from = r.messages.length;
		}
	};

	r.opened = new Promise((resolve, reject) => {
		ws.on('open', resolve);
		ws.on('unexpected-response', (req, res) => {
			r.handshakeStatus = res.statusCode;
			res.on('data', (c) => { r.handshakeBody += c; });
			const e = new Error(`handshake refused: ${res.statusCode}`);
			e.statusCode = res.statusCode;
			reject(e);
			res.on('end', () => ws.terminate());
			setTimeout(() => { if (ws.readyState !== WebSocket.CLOSED) ws.terminate(); }, 500);
		});
		ws.on('error', (e) => reject(e));
	});
	r.opened.catch(() => { });
	r.closed = new Promise((resolve) => {
		ws.on('close', (code, reason) => {
			isClosed = true;
			closeInfo = { code, reason: reason.toString() };
			if (r.handshakeStatus !== null)
				closeInfo.status = r.handshakeStatus;
			for (const w of waiters) {
				clearTimeout(w.timer);
				w.reject(new Error(`socket closed (${code} ${reason}) before a message matched ${w.pred}; got ${JSON.stringify(r.messages).slice(0, 1500)}`));
			}
			waiters.clear();
			resolve(closeInfo);
		});
	});
	ws.on('message', (data, isBinary) => {
		const text = data.toString();
		let msg;
		try {
			msg = JSON.parse(text);
		} catch {
			msg = { type: '__invalid__', raw: text, binary: isBinary };
		}
		r.messages.push(msg);
		check();
	});
	r.waitFor = (pred, timeoutMs = 5000) => new Promise((resolve, reject) => {
		for (let i = 0; i < r.messages.length; i++)
			if (pred(r.messages[i], i, r.messages))
				return resolve(r.messages[i]);
		if (isClosed)
			return reject(new Error(`socket already closed (${closeInfo.code}) and no message matched ${pred}; got ${JSON.stringify(r.messages).slice(0, 1500)}`));
		const w = { pred, resolve, reject, from: r.messages.length };
		w.timer = setTimeout(() => {
			waiters.delete(w);
			reject(new Error(`waitFor timed out after ${timeoutMs} ms: ${pred}; got ${JSON.stringify(r.messages).slice(0, 1500)}`));
		}, timeoutMs);
		waiters.add(w);
	});
	r.events = () => r.messages.filter((m) => EVENT_TYPES.includes(m.type));
	r.send = (data) => ws.send(data);
	r.close = (code, reason) => {
		if (ws.readyState === WebSocket.CONNECTING)
			ws.terminate();
		else
			ws.close(code, reason);
		return r.closed;
	};
	return r;
}

/* Wraps a test body: on failure, prints what the daemons knew, then rethrows. */
export function withDiagnostics(daemons, fn) {
	return async (...args) => {
		try {
			return await fn(...args);
		} catch (e) {
			const list = typeof daemons === 'function' ? daemons() : daemons;
			for (const [i, d] of (list ?? []).entries()) {
				if (!d)
					continue;
				let mx = '';
				try {
					const res = await fetch(`${d.base}/metrics`, { signal: AbortSignal.timeout(2000) });
					mx = (await res.text()).split('\n').filter((l) => l && !l.startsWith('#') && !/_bucket/.test(l)).join('\n');
				} catch (me) {
					mx = `(no /metrics: ${me.message})`;
				}
				console.error(`--- daemon ${i} (port ${d.port}) /metrics ---\n${mx}\n--- daemon ${i} stderr (tail) ---\n${tail(d.stderr(), 30)}`);
			}
			throw e;
		}
	};
}

/* ---- an SSE client on a plain HTTP request ------------------------------ */

/*
 * sseOpen(base, path, {headers}) -> stream
 *   stream.response   Promise<{status, headers}>
 *   stream.blocks     every dispatched SSE block, in order:
 *                     {id?, retry?, event?, data (string), json, t}
 *                     (t: performance.now() at arrival)
 *   stream.messages   the JSON of each block that has data
 *   stream.raw        the body text so far
 *   stream.ended      Promise<t> when the server ends the response
 *   stream.waitFor(pred, timeout) -> Promise<message>
 *   stream.close()
 */
export function sseOpen(base, urlPath, { headers = {} } = {}) {
	const url = new URL(base + urlPath);
	const st = { blocks: [], messages: [], raw: '', endedAt: null, badLines: [] };
	const waiters = new Set();
	let buf = '';
	let cur = { data: [] };
	let done = false;

	const check = () => {
		for (const w of waiters) {
			const m = st.messages.find((x, i) => w.pred(x, i, st.messages));
			if (m) {
				waiters.delete(w);
				clearTimeout(w.timer);
				w.resolve(m);
			} else if (done) {
				waiters.delete(w);
				clearTimeout(w.timer);
				w.reject(new Error(`SSE stream ended before a message matched ${w.pred}; got ${JSON.stringify(st.messages).slice(0, 1500)}`));
			}
		}
	};

	const dispatch = (t) => {
		const blk = { data: cur.data.join('\n'), t };
		for (const k of ['id', 'retry', 'event'])
			if (k in cur)
				blk[k] = cur[k];
		cur = { data: [] };
		if (!('dataSeen' in blk) && blk.data === '' && !('id' in blk) && !('retry' in blk))
			return;
		if (blk.data !== '') {
			try {
				blk.json = JSON.parse(blk.data);
			} catch {
				blk.json = { type: '__invalid__', raw: blk.data };
			}
			st.messages.push(blk.json);
		}
		st.blocks.push(blk);
	};

	const feed = (text, t) => {
		buf += text;
		for (;;) {
			const m = /\r\n|\r|\n/.exec(buf);
			if (!m || (m[0] === '\r' && m.index === buf.length - 1))
				break;
			const line = buf.slice(0, m.index);
			buf = buf.slice(m.index + m[0].length);
			if (line === '') {
				dispatch(t);
				continue;
			}
			if (line.startsWith(':'))
				continue;
			const i = line.indexOf(':');
			const field = i < 0 ? line : line.slice(0, i);
			let value = i < 0 ? '' : line.slice(i + 1);
			if (value.startsWith(' '))
				value = value.slice(1);
			if (field === 'data')
				cur.data.push(value);
			else if (field === 'id' || field === 'event' || field === 'retry')
				cur[field] = value;
			else
				st.badLines.push(line);
		}
		check();
	};

	let resolveEnded;
	st.ended = new Promise((r) => { resolveEnded = r; });
	const finish = () => {
		if (done)
			return;
		done = true;
		st.endedAt = performance.now();
		check();
		resolveEnded(st.endedAt);
	};
	st.response = new Promise((resolve, reject) => {
		st.req = http.get({
			host: url.hostname, port: url.port, path: url.pathname + url.search,
			headers: { accept: 'text/event-stream', ...headers },
		}, (res) => {
			st.res = res;
			res.setEncoding('utf8');
			res.on('data', (c) => {
				st.raw += c;
				feed(c, performance.now());
			});
			res.on('end', finish);
			res.on('close', finish);
			res.on('error', finish);
			resolve({ status: res.statusCode, headers: res.headers });
		});
		st.req.on('error', (e) => { finish(); reject(e); });
	});
	st.response.catch(() => { });
	st.waitFor = (pred, timeout = 5000) => new Promise((resolve, reject) => {
		const w = { pred, resolve, reject };
		w.timer = setTimeout(() => {
			waiters.delete(w);
			reject(new Error(`SSE waitFor timed out after ${timeout} ms: ${pred}; got ${JSON.stringify(st.messages).slice(0, 1500)}`));
		}, timeout);
		waiters.add(w);
		check();
	});
	st.events = () => st.messages.filter((m) => EVENT_TYPES.includes(m.type));
	st.close = () => { st.req.destroy(); finish(); };
	return st;
}
