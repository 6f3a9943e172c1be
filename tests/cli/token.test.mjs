// Where the token comes from: --token, --token-file, LIVEBLOG_TOKEN,
// LIVEBLOG_TOKEN_FILE, with the precedence `liveblog --help` states; a
// token file that cannot be used is one line and exit 2, and nothing is
// sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, startFake, reply, oneLine } from './cli.mjs';

const TS = '2026-11-29T07:32:42.123Z';
const BLOG = { id: 'b1', title: 'Summit', state: 'ended', created_at: TS, ended_at: TS, entry_count: 0 };

let dir, fake;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-token-'));
  fake = await startFake((req, body, res) => reply(res, 200, BLOG));
});
after(async () => {
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Writes a file in the test directory; returns its path.
function file(name, content) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

// Runs `end b1` with args and env; returns the result and the
// Authorization headers the server saw.
async function end(args, env = {}) {
  const before = fake.requests.length;
  const r = await run([...args.pre ?? [], 'end', 'b1', ...args.post ?? []], { env: { LIVEBLOG_SERVER: fake.url, ...env } });
  return { ...r, auth: fake.requests.slice(before).map((q) => q.headers.authorization ?? null) };
}

test('--token-file sends the first line of the file, without its line end', async () => {
  const cases = [
    ['lf', 'tok-lf\n', 'tok-lf'],
    ['crlf', 'tok-crlf\r\n', 'tok-crlf'],
    ['no line end', 'tok-bare', 'tok-bare'],
    ['two lines', 'tok-first\nsecond-line\n', 'tok-first'],
  ];
  for (const [what, content, token] of cases) {
    const f = file(`t-${what.replace(/ /g, '-')}`, content);
    for (const args of [{ pre: ['--token-file', f] }, { pre: [`--token-file=${f}`] }, { post: ['--token-file', f] }]) {
      const r = await end(args);
      assert.equal(r.code, 0, `${what} ${JSON.stringify(args)}: ${r.stderr}`);
      assert.deepEqual(r.auth, [`Bearer ${token}`], `${what} ${JSON.stringify(args)}`);
    }
  }
});

test('precedence: the command line over the environment; LIVEBLOG_TOKEN_FILE when nothing else', async () => {
  const f = file('t-file', 'from-file\n');
  const g = file('t-env-file', 'from-env-file\n');
  const cases = [
    [{ pre: ['--token', 'from-flag'] }, { LIVEBLOG_TOKEN: 'from-env', LIVEBLOG_TOKEN_FILE: g }, 'from-flag'],
    [{ pre: ['--token-file', f] }, { LIVEBLOG_TOKEN: 'from-env' }, 'from-file'],
    [{ post: ['--token-file', f] }, { LIVEBLOG_TOKEN_FILE: g }, 'from-file'],
    [{}, { LIVEBLOG_TOKEN_FILE: g }, 'from-env-file'],
    [{}, { LIVEBLOG_TOKEN: 'from-env' }, 'from-env'],
    [{}, { LIVEBLOG_TOKEN: 'from-env', LIVEBLOG_TOKEN_FILE: '' }, 'from-env'],
  ];
  for (const [args, env, token] of cases) {
    const r = await end(args, env);
    const what = `${JSON.stringify(args)} ${JSON.stringify(env)}`;
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    assert.deepEqual(r.auth, [`Bearer ${token}`], what);
  }
});

test('a token file that cannot be used, or two sources at one level: one line, exit 2, nothing sent', async () => {
  const long = file('t-long', `${'x'.repeat(1025)}\n`);
  const unreadable = file('t-unreadable', 'secret\n');
  fs.chmodSync(unreadable, 0);
  const asRoot = process.getuid?.() === 0;
  const cases = [
    [{ pre: ['--token-file', path.join(dir, 'missing')] }, {}, /^liveblog: end: cannot use the token file '.*missing': No such file or directory$/],
    [{ pre: ['--token-file', dir] }, {}, /^liveblog: end: cannot use the token file '.*': Is a directory$/],
    [{ pre: ['--token-file', file('t-empty', '')] }, {}, /^liveblog: end: cannot use the token file '.*t-empty': it is empty$/],
    [{ pre: ['--token-file', file('t-blank', '\nsecond\n')] }, {}, /: its first line is empty$/],
    [{ pre: ['--token-file', file('t-crlf-only', '\r\n')] }, {}, /: its first line is empty$/],
    [{ pre: ['--token-file', long] }, {}, /: its first line is longer than 1024 bytes$/],
    [{}, { LIVEBLOG_TOKEN_FILE: path.join(dir, 'missing') }, /^liveblog: end: cannot use the token file '.*missing': No such file/],
    [{ pre: ['--token', 'a', '--token-file', long] }, {}, /^liveblog: end: give --token or --token-file, not both$/],
    [{ pre: ['--token', 'a'], post: ['--token-file', long] }, {}, /^liveblog: end: give --token or --token-file, not both$/],
    [{}, { LIVEBLOG_TOKEN: 'a', LIVEBLOG_TOKEN_FILE: long }, /^liveblog: end: LIVEBLOG_TOKEN and LIVEBLOG_TOKEN_FILE are both set; unset one$/],
    ...(asRoot ? [] : [[{ pre: ['--token-file', unreadable] }, {}, /: Permission denied$/]]),
  ];
  for (const [args, env, re] of cases) {
    const r = await end(args, env);
    const what = `${JSON.stringify(args)} ${JSON.stringify(env)}`;
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(oneLine(r.stderr) ?? `not one line: ${r.stderr}`, re, what);
    assert.deepEqual(r.auth, [], `${what}: nothing is sent`);
    assert.equal(r.stdout, '', what);
  }
});

test('the help names --token-file and the precedence', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: liveblog \[--server URL\] \[--token TOKEN \| --token-file FILE\] COMMAND/);
  assert.match(r.stdout, /--token-file FILE +read the token from the first line of FILE/);
  assert.match(r.stdout, /--token or --token-file \(not both\), else from\n\$LIVEBLOG_TOKEN or \$LIVEBLOG_TOKEN_FILE \(not both\)/);
  const c = await run(['end', '--help']);
  assert.match(c.stdout, /^usage: liveblog \[--server URL\] \[--token TOKEN \| --token-file FILE\] end BLOG/);
});
