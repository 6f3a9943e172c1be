// Redis credentials (SPEC Part two, "Safe on the open internet"):
// redis://[[user]:password@]host:port and --redis-password-file, AUTH before
// anything else on every connection, against a real redis-server started with
// --requirepass and with an ACL user. The password never shows in the log,
// /metrics or /healthz.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
	startDaemon, api, createBlog, postEntry, allEvents, uniqueId, wsOpen,
	tempDir, freePort, waitUntil, sleep, findReport, withDiagnostics, DAEMON_BIN, REPO_ROOT,
} from './harness.mjs';

const PASSWORD = 'Pa ss@w:rd/%é';              /* needs percent-encoding */
const ALICE_PASSWORD = 'alice-S3cret!';
const enc = encodeURIComponent;

const running = new Set();
process.on('exit', () => {
	for (const p of running)
		try { process.kill(-p.pid, 'SIGKILL'); } catch { }
});

/* A redis-server with a password (and optional extra config) on a free port. */
async function startAuthRedis(extra = []) {
	const port = await freePort();
	const dir = tempDir('liveblog-redis-auth-');
	const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
		'--save', '', '--appendonly', 'no', '--dir', dir, '--requirepass', PASSWORD, ...extra],
	{ stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	running.add(proc);
	let log = '';
	proc.stdout.on('data', (d) => { log += d; });
	proc.stderr.on('data', (d) => { log += d; });
	const exited = new Promise((r) => proc.on('exit', () => { running.delete(proc); r(); }));
	const cli = (...args) => execFileSync('redis-cli', ['-p', String(port), '--no-auth-warning',
		'-a', PASSWORD, ...args.map(String)], { encoding: 'utf8', timeout: 10000 }).trim();
	await waitUntil(() => /Ready to accept connections/.test(log),
		{ timeout: 10000, message: `redis-server with --requirepass on ${port}: ${log}` });
	return {
		port, cli, url: (cred = '') => `redis://${cred}127.0.0.1:${port}`,
		async stop() {
			try { proc.kill('SIGTERM'); } catch { }
			await exited;
		},
	};
}

/* liveblogd that need not become healthy: waits until /healthz answers at all. */
async function spawnDaemon(args) {
	const port = await freePort();
	const dataDir = tempDir('liveblogd-auth-');
	const proc = spawn(DAEMON_BIN, ['--listen', `127.0.0.1:${port}`, '--www', path.join(REPO_ROOT, 'www'),
		'--data-dir', dataDir, '--admin-token', 'test-admin-token', '--log-level', 'warn', ...args],
	{ cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	running.add(proc);
	let err = '';
	proc.stderr.on('data', (d) => { err += d; });
	let exit = null;
	const exited = new Promise((r) => proc.on('exit', (code, signal) => { exit = { code, signal }; running.delete(proc); r(exit); }));
	const d = { port, base: `http://127.0.0.1:${port}`, wsBase: `ws://127.0.0.1:${port}`, adminToken: 'test-admin-token', stderr: () => err, pid: proc.pid };
	await waitUntil(async () => {
		if (exit)
			throw new Error(`liveblogd exited: ${JSON.stringify(exit)}\n${err}`);
		return (await fetch(`${d.base}/healthz`, { signal: AbortSignal.timeout(2000) })).status;
	}, { timeout: 10000, message: 'liveblogd answers /healthz' });
	d.health = async () => (await api(d.base, 'GET', '/healthz')).status;
	d.stop = async () => {
		if (!exit)
			proc.kill('SIGTERM');
		const { code, signal } = await exited;
		assert.equal(findReport(err), null, `sanitizer report in liveblogd's stderr:\n${err}`);
		assert.equal(code, 0, `liveblogd exit after SIGTERM (signal ${signal}):\n${err}`);
	};
	return d;
}

/* Everything a client or an operator can see holds no trace of secret. */
async function assertNoSecret(d, secret, what) {
	const forms = [secret, enc(secret)];
	for (const p of ['/healthz', '/metrics']) {
		const res = await api(d.base, 'GET', p);
		for (const f of forms)
			assert.ok(!res.text.includes(f), `${what}: ${p} shows the password`);
	}
	/* under valgrind, its banner repeats the command line: not the daemon's log */
	const log = d.stderr().split('\n').filter((l) => !/^==\d+== Command: /.test(l)).join('\n');
	for (const f of forms)
		assert.ok(!log.includes(f), `${what}: the log shows the password:\n${log}`);
}

/* A write and a live reader through the daemon: Redis takes commands. */
async function assertWorks(d) {
	const b = await createBlog(d, { id: uniqueId('auth') });
	const r = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
	await r.waitFor((m) => m.type === 'live');
	const e = await postEntry(d, b, { text: 'stored with AUTH' });
	await r.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
	assert.deepEqual((await allEvents(d.base, b.id)).map((x) => x.entry.id), [e.id]);
	await r.close();
}

describe('Redis credentials', { timeout: 120000 }, () => {
	let redis;
	before(async () => {
		redis = await startAuthRedis(['--user', 'alice', 'on', `>${ALICE_PASSWORD}`, '~*', '&*', '+@all']);
	});
	after(async () => { await redis?.stop(); });

	it('redis://:PASSWORD@ (percent-encoded): AUTH first, writes and readers work; the password shows nowhere', async () => {
		const d = await startDaemon({ redisUrl: redis.url(`:${enc(PASSWORD)}@`), args: ['--log-level', 'notice'] });
		try {
			await assertWorks(d);
			assert.match(d.stderr(), /\(redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\)/, 'the startup line shows the URL redacted');
			assert.match(d.stderr(), /redis cmd: connected to 127\.0\.0\.1:\d+ \(authenticated as default\)/);
			await assertNoSecret(d, PASSWORD, 'URL password');
		} finally {
			await d.stop();
		}
	});

	it('--redis-password-file: the first line is the password', async () => {
		const file = path.join(tempDir('liveblog-pw-'), 'redis.pw');
		fs.writeFileSync(file, `${PASSWORD}\nnot this line\n`, { mode: 0o600 });
		const d = await startDaemon({ redisUrl: redis.url(), args: ['--redis-password-file', file, '--log-level', 'notice'] });
		try {
			await assertWorks(d);
			await assertNoSecret(d, PASSWORD, 'password file');
		} finally {
			await d.stop();
		}
	});

	it('an ACL user (redis-server --user): redis://alice:PASSWORD@ and redis://alice@ with the password file', async () => {
		const d = await startDaemon({ redisUrl: redis.url(`alice:${enc(ALICE_PASSWORD)}@`), args: ['--log-level', 'notice'] });
		try {
			await assertWorks(d);
			assert.match(d.stderr(), /connected to 127\.0\.0\.1:\d+ \(authenticated as alice\)/);
			const who = redis.cli('CLIENT', 'LIST').split('\n').filter((l) => / user=alice /.test(l));
			assert.ok(who.length >= 2, `liveblogd's connections are alice's: ${redis.cli('CLIENT', 'LIST')}`);
			await assertNoSecret(d, ALICE_PASSWORD, 'ACL user');
		} finally {
			await d.stop();
		}
		const file = path.join(tempDir('liveblog-pw-'), 'alice.pw');
		fs.writeFileSync(file, `${ALICE_PASSWORD}\r\n`);
		const d2 = await startDaemon({ redisUrl: redis.url('alice@'), args: ['--redis-password-file', file] });
		try {
			await assertWorks(d2);
			await assertNoSecret(d2, ALICE_PASSWORD, 'ACL user, password file');
		} finally {
			await d2.stop();
		}
	});

	it('a user made with ACL SETUSER at run time, limited to what liveblog uses', async () => {
		redis.cli('ACL', 'SETUSER', 'lb', 'on', '>lb-pw', '~lb:*', '+@all', '-@admin', '-@dangerous', '+info');
		const d = await startDaemon({ redisUrl: redis.url('lb:lb-pw@') });
		try {
			await assertWorks(d);
		} finally {
			await d.stop();
		}
	});

	it('wrong password: /healthz 503, writes 503, one clear log line without the password; the right one set on Redis → it recovers by itself', withDiagnostics([], async () => {
		const wrong = 'the-Wrong-one';
		const d = await spawnDaemon(['--redis', redis.url(`:${wrong}@`), '--workers', '2']);
		try {
			await sleep(1500);
			assert.equal(await d.health(), 503);
			const h = await api(d.base, 'GET', '/healthz');
			assert.equal(h.json.redis, 'down');
			const post = await api(d.base, 'POST', '/api/blogs', { body: { id: uniqueId('x'), title: 'x' }, token: d.adminToken });
			assert.equal(post.status, 503, post.text);
			assert.equal(post.json.error, 'unavailable');
			const lines = d.stderr().split('\n').filter((l) => /refused AUTH/.test(l));
			assert.equal(lines.length, 1, `one warning line for 6 connections refused again and again:\n${d.stderr()}`);
			assert.match(lines[0], /W: redis (cmd|tail): 127\.0\.0\.1:\d+ refused AUTH: WRONGPASS invalid username-password pair/);
			await assertNoSecret(d, wrong, 'wrong password');

			// Redis now takes the daemon's password: it gets in on its next retry
			redis.cli('CONFIG', 'SET', 'requirepass', wrong);
			const t0 = Date.now();
			await waitUntil(async () => (await d.health()) === 200, { timeout: 8000, message: '/healthz 200 after the password was set on Redis' });
			assert.ok(Date.now() - t0 < 4500, `back within the 3 s backoff cap: ${Date.now() - t0} ms`);
			await assertWorks(d);
		} finally {
			try {
				execFileSync('redis-cli', ['-p', String(redis.port), '--no-auth-warning', '-a', wrong,
					'CONFIG', 'SET', 'requirepass', PASSWORD], { encoding: 'utf8' });
			} catch { }
			await d.stop();
		}
	}));

	it('wrong password for an ACL user: the log names the user, not the password', async () => {
		const d = await spawnDaemon(['--redis', redis.url('alice:nope-nope@')]);
		try {
			await waitUntil(() => /refused AUTH/.test(d.stderr()), { timeout: 5000, message: 'a refusal line' });
			assert.match(d.stderr(), /refused AUTH as user 'alice': WRONGPASS/);
			assert.equal(await d.health(), 503);
			await assertNoSecret(d, 'nope-nope', 'ACL user, wrong password');
		} finally {
			await d.stop();
		}
	});

	it('no password against a server that wants one: 503 and a log line saying NOAUTH', async () => {
		const d = await spawnDaemon(['--redis', redis.url()]);
		try {
			await waitUntil(() => /NOAUTH/.test(d.stderr()), { timeout: 5000, message: 'a NOAUTH line' });
			assert.match(d.stderr(), /W: redis (cmd|tail): 127\.0\.0\.1:\d+ wants a password: NOAUTH Authentication required\. \(give redis:\/\/\[USER\]:PASSWORD@HOST:PORT or --redis-password-file\)/);
			await sleep(500);
			assert.equal(await d.health(), 503);
			const h = await api(d.base, 'GET', '/healthz');
			assert.deepEqual([h.json.redis, h.json.tail], ['down', 'down'], 'no connection counts as up before its handshake');
		} finally {
			await d.stop();
		}
	});

	it('every reconnection authenticates again: clients killed on Redis, readers stay, writes resume', async () => {
		const d = await startDaemon({ redisUrl: redis.url(`:${enc(PASSWORD)}@`) });
		try {
			const b = await createBlog(d, { id: uniqueId('reauth') });
			const r = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
			await r.waitFor((m) => m.type === 'live');
			const e1 = await postEntry(d, b, { text: 'before' });
			const reconnects = async () => Number(/^liveblog_redis_reconnects_total (\d+)$/m.exec((await api(d.base, 'GET', '/metrics')).text)[1]);
			const before = await reconnects();
			const killed = Number(redis.cli('CLIENT', 'KILL', 'TYPE', 'normal'));
			assert.ok(killed >= 2, `killed liveblogd's connections (${killed})`);
			await waitUntil(async () => await reconnects() >= before + 2 &&
				(await api(d.base, 'GET', '/healthz')).status === 200,
			{ timeout: 8000, message: 'the front loop reconnected both connections and is healthy again' });
			const e2 = await postEntry(d, b, { text: 'after' });
			await r.waitFor((m) => m.type === 'entry' && m.entry.id === e2.id);
			assert.deepEqual(r.events().map((x) => x.entry.id), [e1.id, e2.id]);
			assert.equal(r.ws.readyState, 1, 'the reader stayed connected');
			await r.close();
		} finally {
			await d.stop();
		}
	});
});

describe('--redis and --redis-password-file errors: one line, exit 2, no secret echoed', { timeout: 30000 }, () => {
	const run = (args) => {
		const r = execFileSync('sh', ['-c', `"${DAEMON_BIN}" "$@" 2>&1; echo "rc=$?"`, 'sh', ...args],
			{ encoding: 'utf8', timeout: 5000, cwd: tempDir('liveblogd-cwd-') });
		return r;
	};
	it('bad URLs and files', () => {
		const dir = tempDir('liveblog-pw-');
		const empty = path.join(dir, 'empty');
		fs.writeFileSync(empty, '');
		const good = path.join(dir, 'pw');
		fs.writeFileSync(good, 'filepass\n');
		const cases = [
			[['--redis', 'redis://alice@h:1'], /^liveblogd: invalid value 'redis:\/\/\*\*\*@h:1' for --redis: the user has no password/],
			[['--redis', 'redis://u:s3cr@t@h:1'], /^liveblogd: invalid value 'redis:\/\/u:\*\*\*@h:1' for --redis: the credentials hold a character that must be percent-encoded/],
			[['--redis', 'redis://:s3cret@h:0'], /^liveblogd: invalid value 'redis:\/\/:\*\*\*@h:0' for --redis: bad port/],
			[['--redis', 'redis://h:1', '--redis-password-file', empty], /^liveblogd: --redis-password-file .*empty: the file is empty$/],
			[['--redis', 'redis://h:1', '--redis-password-file', path.join(dir, 'missing')], /: No such file or directory$/],
			[['--redis-password-file', good], /^liveblogd: --redis-password-file needs --redis/],
			[['--redis', 'redis://:s3cret@h:1', '--redis-password-file', good], /the password is given twice/],
		];
		for (const [args, re] of cases) {
			const out = run(args);
			const lines = out.trim().split('\n');
			assert.equal(lines.length, 2, `one line then rc for ${args.join(' ')}: ${out}`);
			assert.match(lines[0], re);
			assert.equal(lines[1], 'rc=2');
			assert.ok(!/s3cr|filepass/.test(out), `no secret in: ${out}`);
		}
	});
});
