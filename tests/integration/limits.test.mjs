// The open-file limit (SPEC "Safe on the open internet"): liveblogd raises
// its soft limit to the hard one, logs how many readers that allows and
// lowers a --max-readers above it; and an empty body where JSON is expected.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
	startRedis, startDaemon, api, createBlog, allEvents, uniqueId, tempDir, freePort,
	waitUntil, wsOpen, findReport, assertErrorBody, DAEMON_BIN, REPO_ROOT,
} from './harness.mjs';

/*
 * liveblogd under `prlimit --nofile=SOFT:HARD` (util-linux), which sets the
 * limits and then runs it in the same process. Resolves once /healthz is
 * 200: {port, base, wsBase, pid, stderr(), stop()}; stop() SIGTERMs it and
 * throws if it does not exit cleanly or its stderr holds a sanitizer report.
 */
async function startLimited(redisUrl, nofile, args = []) {
	const port = await freePort();
	const dataDir = tempDir('liveblogd-nofile-');
	let err = '';
	const proc = spawn('prlimit', [`--nofile=${nofile}`, DAEMON_BIN, '--listen', `127.0.0.1:${port}`,
		'--redis', redisUrl, '--admin-token', 'test-admin-token', '--data-dir', dataDir,
		'--www', path.join(REPO_ROOT, 'www'), '--log-level', 'notice', ...args],
	{ cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
	proc.stderr.on('data', (c) => { err += c; });
	const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
	const d = {
		port, pid: proc.pid, base: `http://127.0.0.1:${port}`, wsBase: `ws://127.0.0.1:${port}`,
		adminToken: 'test-admin-token', stderr: () => err,
	};
	await waitUntil(async () => {
		if (proc.exitCode !== null)
			throw new Error(`liveblogd exited: ${err}`);
		return (await api(d.base, 'GET', '/healthz').catch(() => ({}))).status === 200;
	}, { timeout: 15000, message: `liveblogd under prlimit --nofile=${nofile}` });
	d.stop = async () => {
		proc.kill('SIGTERM');
		const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
		const { code } = await exited;
		clearTimeout(t);
		assert.equal(findReport(err), null, `no sanitizer report:\n${err.slice(-2000)}`);
		assert.equal(code, 0, `clean exit:\n${err.slice(-2000)}`);
	};
	return d;
}

/* The soft and hard "Max open files" of a running process. */
function openFileLimits(pid) {
	const m = /^Max open files\s+(\d+)\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/limits`, 'utf8'));
	return m ? [Number(m[1]), Number(m[2])] : null;
}

describe('the open-file limit', { timeout: 120000 }, () => {
	let redis;
	before(async () => { redis = await startRedis(); });
	after(async () => { await redis?.stop(); });

	it('soft 1024, hard 4096: raised to 4096, logged, --max-readers lowered, and more than 1,000 readers connect', async () => {
		const d = await startLimited(redis.url, '1024:4096', ['--max-readers', '100000']);
		const readers = [];
		try {
			assert.deepEqual(openFileLimits(d.pid), [4096, 4096], 'the soft limit is the hard one');
			const line = /open files: 4096 \(hard limit 4096\): room for (\d+) readers/.exec(d.stderr());
			assert.ok(line, `the capacity is logged:\n${d.stderr()}`);
			const room = Number(line[1]);
			assert.ok(room > 3900 && room < 4096, `room for ${room} readers`);
			assert.match(d.stderr(), new RegExp(`--max-readers 100000 lowered to ${room}: only 4096 open files`),
				'a --max-readers above it is lowered with a warning');
			const b = await createBlog(d, { id: uniqueId('nofile') });
			for (let i = 0; i < 1100; i++)
				readers.push(wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
			const res = await Promise.all(readers.map((r) => r.waitFor((m) => m.type === 'live', 30000)
				.then(() => 'live', (e) => `not live: ${e.message}`)));
			const live = res.filter((x) => x === 'live').length;
			assert.equal(live, 1100, `1,100 readers live on a daemon started with a soft limit of 1024 (${res.find((x) => x !== 'live')})`);
		} finally {
			for (const r of readers)
				r.ws.terminate();
			await d.stop();
		}
	});

	it('a --max-readers within the limit is kept, without a warning', async () => {
		const d = await startLimited(redis.url, '1024:4096', ['--max-readers', '50']);
		try {
			assert.match(d.stderr(), /open files: 4096 \(hard limit 4096\): room for \d+ readers/);
			assert.doesNotMatch(d.stderr(), /lowered/);
		} finally {
			await d.stop();
		}
	});

	it('a soft limit already at the hard one stays', async () => {
		const d = await startLimited(redis.url, '2048:2048');
		try {
			assert.deepEqual(openFileLimits(d.pid), [2048, 2048]);
			assert.match(d.stderr(), /open files: 2048 \(hard limit 2048\): room for \d+ readers/);
		} finally {
			await d.stop();
		}
	});
});

describe('an empty body where JSON is expected', { timeout: 60000 }, () => {
	let redis, d, b;
	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url });
		b = await createBlog(d, { id: uniqueId('empty') });
	});
	after(async () => {
		if (d?.alive())
			assert.equal(await d.stop(), 0);
		await redis?.stop();
	});

	for (const [name, method, p, token] of [
		['create a blog', 'POST', '/api/blogs', 'admin'],
		['post an entry', 'POST', '/entries', 'editor'],
	]) {
		for (const raw of ['', '  \r\n']) {
			it(`${name} with ${raw ? 'a blank' : 'an empty'} body: 400 "The body is empty.", nothing stored`, async () => {
				const url = p === '/entries' ? `/api/blogs/${b.id}/entries` : p;
				const res = await api(d.base, method, url, { raw, token: token === 'admin' ? d.adminToken : b.editor_token });
				assertErrorBody(res, 400, 'bad_request');
				assert.equal(res.json.message, 'The body is empty.');
				assert.deepEqual(await allEvents(d.base, b.id), []);
			});
		}
	}

	it('an edit with an empty body: 400 "The body is empty."', async () => {
		const e = await api(d.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'x' }, token: b.editor_token });
		assert.equal(e.status, 201);
		const res = await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.json.id}`, { raw: '', token: b.editor_token });
		assertErrorBody(res, 400, 'bad_request');
		assert.equal(res.json.message, 'The body is empty.');
	});
});
