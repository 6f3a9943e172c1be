/*
 * topology.mjs — the Redis part of docker-compose.yml, natively: a master,
 * two replicas and three sentinels started on free loopback ports by
 * deploy/redis/start.sh from deploy/redis/*.conf (the approach of
 * tests/deploy/topology.test.mjs), for tests that fail the master over.
 *
 *   startTopology({downAfterMs, badReplicaPassword}) -> Promise<t>   resolves
 *       once every sentinel sees the master, both replicas attached and the
 *       two other sentinels. downAfterMs: SENTINEL SET
 *       down-after-milliseconds (default: the deployed 5000).
 *       badReplicaPassword: the second replica is given a wrong password
 *       file; the topology never settles then, so it resolves once the
 *       nodes answer and the caller waits for what it expects.
 *     t.password, t.pwfile (a file holding it), t.master (port at start),
 *     t.replicas [port, port], t.sentinels [port, port, port],
 *     t.url ('sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/liveblog'),
 *     t.cli(port, args, {json}) -> Promise<string|parsed> (with the password
 *       for a data node, without for a sentinel),
 *     t.masterPort() -> Promise<number|null> what the first sentinel that
 *       answers says,
 *     t.waitMaster(pred, {timeout}) -> Promise<number> until the sentinels
 *       name a master port for which pred(port) holds,
 *     t.kill9(port), t.pause(port) (SIGSTOP), t.resume(port) (SIGCONT),
 *     t.logs() -> the tail of every node's log, t.stop()
 *   problems(t, masterPort, replicas) -> Promise<string[]>   what is wrong,
 *       seen from every sentinel and from the master ([]: all is well)
 *   redisCli(port, args, {password, json}) -> Promise<string|parsed|null>
 */
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, freePort, waitUntil } from '../integration/harness.mjs';

const START = path.join(REPO_ROOT, 'deploy/redis/start.sh');
export const MASTER_NAME = 'liveblog';
const running = new Set();

process.on('exit', () => {
	for (const child of running) {
		try { child.kill('SIGKILL'); } catch { /* gone */ }
	}
});

export function redisCli(port, args, { password, json = false } = {}) {
	const argv = ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning'];
	if (password)
		argv.push('-a', password);
	if (json)
		argv.push('--json');
	return new Promise((resolve) => {
		execFile('redis-cli', [...argv, ...args], { timeout: 3000 }, (e, stdout) => {
			let out = (stdout ?? '').trim();
			if (json && out) {
				try { out = JSON.parse(out); } catch { /* leave the text */ }
			}
			resolve(e && !out ? null : out);
		});
	});
}

function startNode(dir, role, port, env) {
	const d = path.join(dir, `${role}-${port}`);
	fs.mkdirSync(d);
	const log = fs.openSync(`${d}.log`, 'w');
	const child = spawn('sh', [START, role], {
		env: { PATH: process.env.PATH, REDIS_PORT: String(port), REDIS_BIND: '127.0.0.1',
			REDIS_ANNOUNCE: '127.0.0.1', REDIS_DIR: d, ...env },
		stdio: ['ignore', log, log],
	});
	fs.closeSync(log);
	running.add(child);
	child.once('exit', () => running.delete(child));
	return { role, port, child, log: `${d}.log` };
}

/*
 * [] when every sentinel agrees on masterPort with its replicas and peers
 * and the master has those replicas online; else what is wrong.
 */
export async function problems(t, masterPort, replicas) {
	const p = [];
	for (const s of t.sentinels) {
		const addr = await redisCli(s, ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME], { json: true });
		if (JSON.stringify(addr) !== JSON.stringify(['127.0.0.1', String(masterPort)]))
			p.push(`sentinel ${s} says ${JSON.stringify(addr)}`);
		const reps = await redisCli(s, ['SENTINEL', 'replicas', MASTER_NAME], { json: true });
		for (const r of replicas) {
			const e = Array.isArray(reps) ? reps.find((x) => x.port === String(r)) : null;
			if (!e || e.flags !== 'slave' || e['master-link-status'] !== 'ok')
				p.push(`sentinel ${s}: replica ${r} not attached`);
		}
		const peers = await redisCli(s, ['SENTINEL', 'sentinels', MASTER_NAME], { json: true });
		if (!Array.isArray(peers) || peers.length !== t.sentinels.length - 1)
			p.push(`sentinel ${s} knows ${Array.isArray(peers) ? peers.length : '?'} peers`);
	}
	const info = await t.cli(masterPort, ['INFO', 'replication']) ?? '';
	if (!/^role:master/m.test(info))
		p.push(`${masterPort} is not a master`);
	for (const r of replicas)
		if (!new RegExp(`^slave\\d+:ip=127\\.0\\.0\\.1,port=${r},state=online`, 'm').test(info))
			p.push(`the master does not have replica ${r} online`);
	return p;
}

export async function startTopology({ downAfterMs, badReplicaPassword = false } = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-ha-'));
	const password = crypto.randomBytes(24).toString('hex');
	const pwfile = path.join(dir, 'redis_password');
	fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
	const wrong = path.join(dir, 'wrong_password');
	fs.writeFileSync(wrong, `${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
	const [m, r1, r2, s1, s2, s3] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
	const common = { REDIS_PASSWORD_FILE: pwfile, REDIS_MASTER_HOST: '127.0.0.1', REDIS_MASTER_PORT: String(m) };
	const nodes = [startNode(dir, 'master', m, common), startNode(dir, 'replica', r1, common),
		startNode(dir, 'replica', r2, badReplicaPassword ? { ...common, REDIS_PASSWORD_FILE: wrong } : common)];
	const t = {
		password, pwfile, master: m, replicas: [r1, r2], sentinels: [s1, s2, s3], nodes,
		url: `sentinel://127.0.0.1:${s1},127.0.0.1:${s2},127.0.0.1:${s3}/${MASTER_NAME}`,
		cli: (port, args, o = {}) => redisCli(port, args,
			{ ...o, password: t.sentinels.includes(port) ? undefined : password }),
		node: (port) => nodes.find((n) => n.port === port),
		async masterPort() {
			for (const s of t.sentinels) {
				const a = await redisCli(s, ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME], { json: true });
				if (Array.isArray(a))
					return Number(a[1]);
			}
			return null;
		},
		waitMaster: (pred, { timeout = 30000 } = {}) => waitUntil(async () => {
			const p = await t.masterPort();
			return p && pred(p) ? p : null;
		}, { timeout, interval: 100, message: 'the sentinels to name the expected master' }),
		kill9: (port) => t.node(port).child.kill('SIGKILL'),
		pause: (port) => t.node(port).child.kill('SIGSTOP'),
		resume: (port) => t.node(port).child.kill('SIGCONT'),
		logs: () => nodes.map((n) => `--- ${n.role} ${n.port}\n${
			fs.readFileSync(n.log, 'utf8').split('\n').slice(-12).join('\n')}`).join('\n'),
		async stop() {
			await Promise.all(nodes.map((n) => new Promise((resolve) => {
				if (n.child.exitCode !== null || n.child.signalCode !== null)
					return resolve();
				const kill = setTimeout(() => n.child.kill('SIGKILL'), 3000);
				n.child.once('exit', () => { clearTimeout(kill); resolve(); });
				n.child.kill('SIGCONT');
				n.child.kill('SIGTERM');
			})));
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	for (const port of [m, r1, r2])
		await waitUntil(async () => (await t.cli(port, ['PING'])) === 'PONG' ||
				/NOAUTH/.test(await redisCli(port, ['PING']) ?? ''),
			{ timeout: 10000, message: `redis on ${port}` });
	nodes.push(...[s1, s2, s3].map((p) => startNode(dir, 'sentinel', p, common)));
	if (badReplicaPassword)
		return t;
	await waitUntil(async () => (await problems(t, m, [r1, r2])).length === 0,
		{ timeout: 30000, interval: 200, message: 'the sentinels to see the topology' });
	if (downAfterMs)
		for (const s of t.sentinels)
			await t.cli(s, ['SENTINEL', 'SET', MASTER_NAME, 'down-after-milliseconds', String(downAfterMs)]);
	return t;
}
