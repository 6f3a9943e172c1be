// The Redis part of docker-compose.yml for real, without Docker: a master,
// two replicas and three sentinels started natively on free loopback ports
// by the same deploy/redis/start.sh from the same templates (settings from
// the environment instead of compose's). Checks that the sentinels agree
// on the master, that both replicas are attached with the password, that
// nothing answers without it, and that a failover leaves a master with two
// replicas (every node has masterauth); a replica with a wrong password is
// seen as not attached.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntil, sleep } from '../integration/harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START = path.join(ROOT, 'deploy/redis/start.sh');
const MASTER_NAME = 'liveblog';
const stacks = [];

after(async () => {
  for (const s of stacks) await s.stop();
});

// redis-cli against port (with the password when given). Resolves to
// {out, err} (out parsed from --json when json), never rejects.
function cli(port, args, { password, json = false } = {}) {
  const argv = ['-h', '127.0.0.1', '-p', String(port), '--no-auth-warning'];
  if (password) argv.push('-a', password);
  if (json) argv.push('--json');
  return new Promise((resolve) => {
    execFile('redis-cli', [...argv, ...args], { timeout: 3000 }, (e, stdout, stderr) => {
      let out = stdout.trim();
      if (json && out) { try { out = JSON.parse(out); } catch { /* leave the text */ } }
      resolve({ out, err: e ? `${e.message} ${stderr}` : '' });
    });
  });
}

// Starts one node: role, its port, its directory, extra env. Returns the child.
function startNode(dir, role, port, env) {
  const d = path.join(dir, `${role}-${port}`);
  fs.mkdirSync(d);
  const log = fs.openSync(path.join(dir, `${role}-${port}.log`), 'w');
  const child = spawn('sh', [START, role], {
    env: { PATH: process.env.PATH, REDIS_PORT: String(port), REDIS_BIND: '127.0.0.1',
           REDIS_ANNOUNCE: '127.0.0.1', REDIS_DIR: d, ...env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  return { role, port, child, dir: d };
}

// Starts master + 2 replicas + 3 sentinels. badReplicaPassword: the second
// replica gets a wrong password file.
async function startTopology({ badReplicaPassword = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-topology-'));
  const password = crypto.randomBytes(32).toString('hex');
  const pwfile = path.join(dir, 'redis_password');
  const wrong = path.join(dir, 'wrong_password');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  fs.writeFileSync(wrong, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const [m, r1, r2, s1, s2, s3] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const common = { REDIS_PASSWORD_FILE: pwfile, REDIS_MASTER_HOST: '127.0.0.1', REDIS_MASTER_PORT: String(m) };
  const nodes = [startNode(dir, 'master', m, common), startNode(dir, 'replica', r1, common),
    startNode(dir, 'replica', r2, { ...common, ...(badReplicaPassword ? { REDIS_PASSWORD_FILE: wrong } : {}) })];
  for (const port of [m, r1, r2])
    await waitUntil(async () => (await cli(port, ['PING'], { password })).out === 'PONG' ||
                                (await cli(port, ['PING'])).out.startsWith('NOAUTH'),
    { timeout: 10000, message: `redis on ${port}` });
  nodes.push(...[s1, s2, s3].map((p) => startNode(dir, 'sentinel', p, common)));
  const t = {
    dir, password, nodes, master: m, replicas: [r1, r2], sentinels: [s1, s2, s3],
    logs: () => nodes.map((n) => `--- ${n.role} ${n.port}\n${fs.readFileSync(`${n.dir}.log`, 'utf8').split('\n').slice(-15).join('\n')}`).join('\n'),
    async stop() {
      await Promise.all(nodes.map((n) => new Promise((resolve) => {
        if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve();
        const kill = setTimeout(() => n.child.kill('SIGKILL'), 3000);
        n.child.once('exit', () => { clearTimeout(kill); resolve(); });
        n.child.kill('SIGTERM');
      })));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  stacks.push(t);
  return t;
}

// What is wrong with the topology, seen from every sentinel and from the
// master: [] when the sentinels agree on master and see exactly the
// replicas attached, and the master has them online.
async function problems(t, master, replicas) {
  const p = [];
  for (const s of t.sentinels) {
    const addr = (await cli(s, ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME], { json: true })).out;
    if (JSON.stringify(addr) !== JSON.stringify(['127.0.0.1', String(master)]))
      p.push(`sentinel ${s} says the master is ${JSON.stringify(addr)}`);
    const reps = (await cli(s, ['SENTINEL', 'replicas', MASTER_NAME], { json: true })).out;
    for (const r of replicas) {
      const e = Array.isArray(reps) ? reps.find((x) => x.port === String(r)) : null;
      if (!e || e.flags !== 'slave' || e['master-link-status'] !== 'ok')
        p.push(`sentinel ${s}: replica ${r} is ${e ? `${e.flags}, link ${e['master-link-status']}` : 'unknown'}`);
    }
    const peers = (await cli(s, ['SENTINEL', 'sentinels', MASTER_NAME], { json: true })).out;
    if (!Array.isArray(peers) || peers.length !== t.sentinels.length - 1)
      p.push(`sentinel ${s} knows ${Array.isArray(peers) ? peers.length : '?'} other sentinels`);
  }
  const info = (await cli(master, ['INFO', 'replication'], { password: t.password })).out;
  if (!/^role:master/m.test(info)) p.push(`${master} is not a master`);
  for (const r of replicas)
    if (!new RegExp(`^slave\\d+:ip=127\\.0\\.0\\.1,port=${r},state=online`, 'm').test(info))
      p.push(`the master does not have replica ${r} online`);
  return p;
}

test('sentinels agree on the master, both replicas are attached with the password, and a failover keeps it so', async () => {
  const t = await startTopology();
  let last = [];
  try {
    await waitUntil(async () => (last = await problems(t, t.master, t.replicas)).length === 0,
      { timeout: 30000, interval: 250, message: 'the topology to settle' });
  } catch (e) {
    assert.fail(`${e.message}\n${last.join('\n')}\n${t.logs()}`);
  }
  // Nothing answers without the password; with it, a write reaches both replicas.
  for (const port of [t.master, ...t.replicas]) {
    const r = await cli(port, ['GET', 'x']);
    assert.match(r.out, /^NOAUTH/, `${port} without the password: ${r.out}`);
  }
  assert.equal((await cli(t.master, ['SET', 'topology', 'ok'], { password: t.password })).out, 'OK');
  assert.equal((await cli(t.master, ['WAIT', '2', '2000'], { password: t.password })).out, '2');
  for (const r of t.replicas)
    assert.equal((await cli(r, ['GET', 'topology'], { password: t.password })).out, 'ok', `replica ${r}`);

  // A failover: a replica is promoted, the other replica and the old master
  // follow it (they can only with masterauth), the sentinels agree.
  assert.equal((await cli(t.sentinels[0], ['SENTINEL', 'failover', MASTER_NAME])).out, 'OK');
  let promoted = null;
  await waitUntil(async () => {
    const addr = (await cli(t.sentinels[0], ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME], { json: true })).out;
    promoted = Array.isArray(addr) && addr[1] !== String(t.master) ? Number(addr[1]) : null;
    return promoted;
  }, { timeout: 30000, interval: 250, message: 'a new master' });
  assert.ok(t.replicas.includes(promoted), `promoted ${promoted}`);
  const followers = [t.master, ...t.replicas.filter((r) => r !== promoted)];
  try {
    await waitUntil(async () => (last = await problems(t, promoted, followers)).length === 0,
      { timeout: 45000, interval: 250, message: 'the topology to settle after the failover' });
  } catch (e) {
    assert.fail(`${e.message}\n${last.join('\n')}\n${t.logs()}`);
  }
  assert.equal((await cli(promoted, ['GET', 'topology'], { password: t.password })).out, 'ok');
  await t.stop();
});

test('a replica with the wrong password is seen as not attached', async () => {
  const t = await startTopology({ badReplicaPassword: true });
  const [good, bad] = t.replicas;
  let last = [];
  // Everything else settles; the bad replica never does.
  await waitUntil(async () => {
    last = await problems(t, t.master, t.replicas);
    return last.length > 0 && last.every((x) => x.includes(String(bad)));
  }, { timeout: 30000, interval: 250, message: `only replica ${bad} to be missing` });
  await sleep(3000);
  last = await problems(t, t.master, t.replicas);
  assert.ok(last.some((x) => x === `the master does not have replica ${bad} online`), last.join('\n'));
  assert.deepEqual(await problems(t, t.master, [good]), [], 'the rest is fine');
  await t.stop();
});

test('start.sh refuses a missing, short or unsafe password, and a bad role', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-start-'));
  try {
    const cases = [
      [['master'], null, /cannot read the password file/],
      [['master'], '', /16 to 512 characters/],
      [['master'], 'short', /16 to 512 characters/],
      [['sentinel'], `${'a'.repeat(20)}"\nrequirepass x`, /characters other than/],
      [['replica'], `${'a'.repeat(20)} b`, /characters other than/],
      [['primary'], 'a'.repeat(32), /usage: start.sh master\|replica\|sentinel/],
    ];
    for (const [args, pw, re] of cases) {
      const pwfile = path.join(dir, 'pw');
      fs.rmSync(pwfile, { force: true });
      if (pw !== null) fs.writeFileSync(pwfile, pw);
      const r = await new Promise((resolve) => {
        execFile('sh', [START, ...args], { env: { PATH: process.env.PATH, REDIS_DIR: dir, REDIS_PASSWORD_FILE: pwfile, REDIS_SERVER: '/bin/false' } },
          (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stderr }));
      });
      assert.equal(r.code, 2, `${args} ${JSON.stringify(pw)}: ${r.stderr}`);
      assert.match(r.stderr, re, `${args} ${JSON.stringify(pw)}`);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.conf')), [], 'no config written');
    }
    // A setting that could inject a config line is refused too.
    fs.writeFileSync(path.join(dir, 'pw'), 'a'.repeat(32));
    const r = await new Promise((resolve) => {
      execFile('sh', [START, 'master'], { env: { PATH: process.env.PATH, REDIS_DIR: dir, REDIS_PASSWORD_FILE: path.join(dir, 'pw'),
        REDIS_ANNOUNCE: 'x\nrename-command CONFIG ""', REDIS_SERVER: '/bin/false' } }, (e, so, se) => resolve({ code: e?.code ?? 0, stderr: se }));
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing the setting/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
