// liveblogd's command line, the embedded redis-server and the admin token
// sources (SPEC: Running, HTTP API).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
	startRedis, startDaemon, api, createBlog, postEntry, allEvents, uniqueId,
	tempDir, freePort, waitUntil, wsOpen, sleep, assertErrorBody, withDiagnostics, DAEMON_BIN, REPO_ROOT,
} from './harness.mjs';

const VERSION = fs.readFileSync(path.join(REPO_ROOT, 'VERSION'), 'utf8').trim();

function run(args, { cwd } = {}) {
	const r = spawnSync(DAEMON_BIN, args, {
		cwd: cwd ?? tempDir('liveblogd-cwd-'), encoding: 'utf8', timeout: 5000, killSignal: 'SIGKILL',
		env: { ...process.env, LIVEBLOG_ADMIN_TOKEN: 'x' },
	});
	return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/* pid → {ppid, comm, state} for every process */
function processTable() {
	const t = new Map();
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name))
			continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			const close = stat.lastIndexOf(')');
			const comm = stat.slice(stat.indexOf('(') + 1, close);
			const [state, ppid] = stat.slice(close + 2).split(' ');
			let cmdline = '';
			try { cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { }
			t.set(Number(name), { ppid: Number(ppid), comm, state, cmdline });
		} catch { /* gone */ }
	}
	return t;
}

function descendants(pid) {
	const t = processTable();
	const out = [];
	const queue = [pid];
	while (queue.length) {
		const p = queue.shift();
		for (const [c, info] of t)
			if (info.ppid === p) {
				out.push({ pid: c, ...info });
				queue.push(c);
			}
	}
	return out;
}

function alive(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

function findSockets(dir) {
	const out = [];
	for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, ent.name);
		if (ent.isSocket())
			out.push(p);
		else if (ent.isDirectory())
			out.push(...findSockets(p));
	}
	return out;
}

describe('liveblogd command line', { timeout: 60000 }, () => {
	let redis;
	before(async () => { redis = await startRedis(); });
	after(async () => { await redis?.stop(); });

	it('--help exits 0 and prints usage naming every flag', () => {
		const r = run(['--help']);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /usage/i);
		for (const flag of ['--listen', '--workers', '--redis', '--data-dir', '--admin-token', '--www', '--log-level', '--help', '--version'])
			assert.ok(r.stdout.includes(flag), `--help mentions ${flag}`);
	});

	it('--version exits 0 and prints the version', () => {
		const r = run(['--version']);
		assert.equal(r.status, 0, r.stderr);
		assert.ok(r.stdout.includes(VERSION), `version ${VERSION} in ${JSON.stringify(r.stdout)}`);
		assert.equal(r.stdout.trim().split('\n').length, 1);
	});

	it('a bad flag or value exits 2 with one line on stderr', async () => {
		const port = await freePort();
		const www = path.join(REPO_ROOT, 'www');
		const good = ['--redis', redis.url, '--listen', `127.0.0.1:${port}`, '--www', www, '--admin-token', 'x'];
		const cases = [
			[['--bogus'], 'bogus'],
			[['-z'], 'z'],
			[['stray-argument'], 'stray-argument'],
			[['--listen'], 'listen'],
			[['--listen', 'no-port-here'], 'listen'],
			[['--listen', '127.0.0.1:99999'], 'listen'],
			[['--workers', 'many'], 'workers'],
			[['--workers', '-1'], 'workers'],
			[['--log-level', 'loudest'], 'log-level'],
			[['--redis', 'http://127.0.0.1:6379'], 'redis'],
			[['--redis'], 'redis'],
		];
		for (const [bad, subject] of cases) {
			const dataDir = tempDir('liveblogd-bad-');
			const r = run([...good, '--data-dir', dataDir, ...bad], { cwd: dataDir });
			const what = `liveblogd ${bad.join(' ')}`;
			assert.equal(r.signal, null, `${what} did not exit by itself (killed after 5 s)`);
			assert.equal(r.status, 2, `${what}: exit ${r.status}, stderr ${JSON.stringify(r.stderr)}`);
			const lines = r.stderr.trim().split('\n');
			assert.equal(lines.length, 1, `${what}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
			assert.ok(lines[0].length > 0);
			assert.ok(lines[0].toLowerCase().includes(subject.toLowerCase()), `${what}: the error names ${subject}: ${lines[0]}`);
		}
	});

	it('--redis unix:///path uses an external Redis on a unix socket', async () => {
		const r = await startRedis({ unixsocket: true });
		let d;
		try {
			d = await startDaemon({ redisUrl: r.unixUrl });
			const b = await createBlog(d, { id: uniqueId('unix') });
			const e = await postEntry(d, b, { text: 'over a unix socket' });
			assert.deepEqual(await allEvents(d.base, b.id), [{ type: 'entry', seq: e.seq, entry: e }]);
			assert.ok(Number(r.cli('DBSIZE').trim()) > 0, 'the data is in that Redis');
			assert.equal(await d.stop(), 0);
		} finally {
			if (d?.alive())
				await d.kill9();
			await r.stop();
		}
	});

	it('--workers 2 serves API and live push', async () => {
		const d = await startDaemon({ redisUrl: redis.url, args: ['--workers', '2'] });
		try {
			const b = await createBlog(d, { id: uniqueId('workers') });
			const rs = Array.from({ length: 6 }, () => wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
			for (const r of rs)
				await r.waitFor((m) => m.type === 'live');
			const posted = [];
			for (let i = 0; i < 5; i++)
				posted.push(await postEntry(d, b, { text: `w${i}` }));
			const stored = await allEvents(d.base, b.id);
			for (const r of rs) {
				await r.waitFor((m) => m.type === 'entry' && m.entry.id === posted.at(-1).id);
				assert.deepEqual(r.events(), stored);
			}
			const closes = rs.map((r) => r.closed);
			assert.equal(await d.stop(), 0);
			for (const c of await Promise.all(closes))
				assert.equal(c.code, 1001);
		} finally {
			if (d.alive())
				await d.kill9();
		}
	});
});

/* liveblog_loop_streams{loop="i"} → count, from /metrics */
async function loopStreams(base) {
	const text = await (await fetch(`${base}/metrics`)).text();
	const loops = {};
	for (const m of text.matchAll(/^liveblog_loop_streams\{loop="(\d+)"\} (\d+)$/gm))
		loops[m[1]] = Number(m[2]);
	return loops;
}

/* An SSE stream on a raw socket; resolves once its headers are in. */
function sseRawOpen(port, blog) {
	return new Promise((resolve, reject) => {
		const sock = net.connect(port, '127.0.0.1');
		let buf = '';
		sock.on('data', (c) => {
			buf += c.toString('latin1');
			if (buf.includes('\r\n\r\n'))
				resolve({ sock, head: buf.slice(0, buf.indexOf('\r\n\r\n')) });
		});
		sock.on('error', reject);
		sock.write(`GET /sse/blogs/${blog} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
	});
}

describe('event loops: readers on the fan-out loops, requests on the front', { timeout: 60000 }, () => {
	let redis, d, b;
	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, args: ['--workers', '2'] });
		b = await createBlog(d, { id: uniqueId('loops') });
	});
	after(async () => {
		if (d?.alive())
			assert.equal(await d.stop(), 0);
		await redis?.stop();
	});

	it('readers are dealt round-robin over the fan-out loops; the front loop keeps none', async () => {
		const before = await loopStreams(d.base);
		assert.deepEqual(before, { 0: 0, 1: 0, 2: 0 });
		const ws = Array.from({ length: 8 }, () => wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
		for (const r of ws)
			await r.waitFor((m) => m.type === 'live');
		const sse = [await sseRawOpen(d.port, b.id), await sseRawOpen(d.port, b.id)];
		for (const s of sse)
			assert.match(s.head, /^HTTP\/1\.1 200/);
		await waitUntil(async () => Object.values(await loopStreams(d.base)).reduce((a, x) => a + x, 0) === 10,
			{ message: '10 readers counted' });
		assert.deepEqual(await loopStreams(d.base), { 0: 5, 1: 5, 2: 0 });
		/* a write is answered and reaches readers on both loops */
		const e = await postEntry(d, b, { text: 'to every loop' });
		for (const r of ws)
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
		for (const r of ws)
			r.ws.close();
		for (const s of sse)
			s.sock.destroy();
		/* an SSE stream's end is looked for at each stats tick (every 5 s) */
		await waitUntil(async () => Object.values(await loopStreams(d.base)).every((x) => x === 0),
			{ timeout: 7000, message: 'readers gone from every loop' });
	});

	it('a request whose first bytes say nothing yet is routed once its head is in', async () => {
		/* "GET /w" alone cannot be told from a page request: the door (src/http/door.c) waits for the whole head */
		const sock = net.connect(d.port, '127.0.0.1');
		await new Promise((r) => sock.on('connect', r));
		sock.write('GET /w');
		await sleep(300);
		let buf = '';
		sock.on('data', (c) => { buf += c.toString('latin1'); });
		sock.write(`s/blogs/${b.id} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
			'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
			'Sec-WebSocket-Protocol: liveblog.v1\r\n\r\n');
		await waitUntil(() => buf.includes('\r\n\r\n'), { message: 'handshake answer' });
		assert.match(buf, /^HTTP\/1\.1 101/);
		await waitUntil(async () => { const l = await loopStreams(d.base); return l[0] + l[1] === 1 && l[2] === 0; },
			{ message: 'the reader on a fan-out loop, none on the front' });
		sock.destroy();
	});

	it('a connection silent past the accept deferral is still served', async () => {
		const sock = net.connect(d.port, '127.0.0.1');
		await new Promise((r) => sock.on('connect', r));
		await sleep(3500);
		let buf = '';
		sock.on('data', (c) => { buf += c.toString('latin1'); });
		sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
		await waitUntil(() => buf.includes('\r\n\r\n'), { message: 'an answer' });
		assert.match(buf, /^HTTP\/1\.1 200/);
		sock.destroy();
	});
});

describe('admin token sources', { timeout: 60000 }, () => {
	let redis;
	before(async () => { redis = await startRedis(); });
	after(async () => { await redis?.stop(); });

	it('LIVEBLOG_ADMIN_TOKEN is used when --admin-token is absent', async () => {
		const d = await startDaemon({ redisUrl: redis.url, adminToken: null, env: { LIVEBLOG_ADMIN_TOKEN: 'env-admin-token-123' } });
		try {
			const ok = await api(d.base, 'POST', '/api/blogs', { body: { id: uniqueId('envtok'), title: 't' }, token: 'env-admin-token-123' });
			assert.equal(ok.status, 201, ok.text);
			const bad = await api(d.base, 'POST', '/api/blogs', { body: { id: uniqueId('envtok'), title: 't' }, token: 'test-admin-token' });
			assertErrorBody(bad, 401, 'unauthorized');
		} finally {
			assert.equal(await d.stop(), 0);
		}
	});

	it('with neither, the server writes a generated token to <data-dir>/admin.token', async () => {
		const d = await startDaemon({ redisUrl: redis.url, adminToken: null, env: { LIVEBLOG_ADMIN_TOKEN: undefined } });
		try {
			const file = path.join(d.dataDir, 'admin.token');
			assert.ok(fs.existsSync(file), 'admin.token exists');
			const token = fs.readFileSync(file, 'utf8').trim();
			assert.ok(token.length >= 16, `generated token is long: ${token.length}`);
			const ok = await api(d.base, 'POST', '/api/blogs', { body: { id: uniqueId('gentok'), title: 't' }, token });
			assert.equal(ok.status, 201, ok.text);
			const bad = await api(d.base, 'POST', '/api/blogs', { body: { id: uniqueId('gentok'), title: 't' }, token: 'test-admin-token' });
			assertErrorBody(bad, 401, 'unauthorized');
		} finally {
			assert.equal(await d.stop(), 0);
		}
	});
});

describe('embedded redis-server (no --redis)', { timeout: 90000 }, () => {
	let d;
	it('starts its own redis on a unix socket under --data-dir with AOF, stops it on SIGTERM, keeps data', withDiagnostics(() => [d], async () => {
		const dataDir = tempDir('liveblogd-embedded-');
		d = await startDaemon({ redisUrl: null, dataDir, timeout: 20000 });
		let redisPid;
		try {
			const kids = descendants(d.pid).filter((p) => p.comm.startsWith('redis-server') || /redis-server/.test(p.cmdline));
			assert.equal(kids.length, 1, `one redis-server child: ${JSON.stringify(descendants(d.pid))}`);
			redisPid = kids[0].pid;
			const socks = findSockets(dataDir);
			assert.ok(socks.length >= 1, `a unix socket under ${dataDir}`);
			const sock = socks.find((p) => /redis/.test(path.basename(p))) ?? socks[0];
			const aof = execFileSync('redis-cli', ['-s', sock, 'CONFIG', 'GET', 'appendonly'], { encoding: 'utf8' });
			assert.deepEqual(aof.trim().split('\n'), ['appendonly', 'yes']);
			const port = execFileSync('redis-cli', ['-s', sock, 'CONFIG', 'GET', 'port'], { encoding: 'utf8' });
			assert.deepEqual(port.trim().split('\n'), ['port', '0'], 'embedded redis listens on no TCP port');

			const b = await createBlog(d, { id: uniqueId('embedded'), title: 'Embedded' });
			const e = await postEntry(d, b, { text: 'kept in the embedded redis' });
			assert.equal(await d.stop('SIGTERM'), 0);
			await waitUntil(() => !alive(redisPid), { timeout: 5000, message: `embedded redis-server ${redisPid} to exit` });

			// a new daemon on the same data dir finds the data again
			d = await startDaemon({ redisUrl: null, dataDir, timeout: 20000 });
			const evs = await allEvents(d.base, b.id);
			assert.deepEqual(evs, [{ type: 'entry', seq: e.seq, entry: e }]);
			const kids2 = descendants(d.pid).filter((p) => p.comm.startsWith('redis-server') || /redis-server/.test(p.cmdline));
			assert.equal(kids2.length, 1);
			redisPid = kids2[0].pid;
			assert.equal(await d.stop('SIGINT'), 0);
			await waitUntil(() => !alive(redisPid), { timeout: 5000, message: `embedded redis-server ${redisPid} to exit after SIGINT` });
		} finally {
			if (d.alive())
				await d.kill9();
			if (redisPid && alive(redisPid))
				try { process.kill(redisPid, 'SIGKILL'); } catch { }
		}
	}));
});
