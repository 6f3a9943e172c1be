// The Redis part of docker-compose.yml for real, without Docker: a master,
// two replicas and three sentinels started natively on free loopback ports
// by the same deploy/redis/start.sh from the same templates (settings from
// the environment instead of compose's). Checks that the sentinels agree
// on the master, that both replicas are attached with the password, that
// nothing answers without it, and that a failover leaves a master with two
// replicas (every node has masterauth); a replica with a wrong password is
// seen as not attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, waitUntil, sleep } from '../integration/harness.mjs';
import { startTopology, problems, redisCli, MASTER_NAME } from '../faults/topology.mjs';

const START = path.join(REPO_ROOT, 'deploy/redis/start.sh');
const cli = async (port, args, o) => ({ out: await redisCli(port, args, o) ?? '' });

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
