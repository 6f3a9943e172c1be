// Help and bad arguments: no server is needed (and none may be contacted).
import test from 'node:test';
import assert from 'node:assert/strict';
import { run, deadPort, oneLine } from './cli.mjs';

const COMMANDS = ['create', 'post', 'edit', 'delete', 'end', 'show', 'tail', 'replay', 'export', 'import'];

test('liveblog --help lists every command and exits 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: liveblog \[--server URL\] \[--token TOKEN \| --token-file FILE\] COMMAND/);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), c);
  assert.match(r.stdout, /LIVEBLOG_SERVER/);
  assert.match(r.stdout, /LIVEBLOG_TOKEN/);
  assert.equal(r.stderr, '');
});

test('every command has --help (and `help COMMAND`)', async () => {
  for (const c of COMMANDS) {
    const r = await run([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.stdout, new RegExp(`^usage: liveblog .*${c} `), c);
    const h = await run(['help', c]);
    assert.equal(h.code, 0, c);
    assert.equal(h.stdout, r.stdout, c);
  }
  const post = await run(['post', '--help']);
  assert.match(post.stdout, /Prints the stored entry as one line of JSON/);
  const create = await run(['create', '--help']);
  assert.match(create.stdout, /editor_token/);
});

test('--version prints the version', async () => {
  const r = await run(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^liveblog \d+\.\d+\.\d+/);
});

// Each case: arguments, and a fragment of the error line.
const BAD = [
  [[], /missing command/],
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['--bogus', 'show', 'x'], /unknown option '--bogus'/],
  [['--server'], /missing value/],
  [['post', 'b1'], /post: missing arguments/],
  [['post', 'b1', 'a', 'b'], /post: too many arguments/],
  [['post', 'b1', '--frob', 'text'], /post: unknown option '--frob'/],
  [['post', 'b1', '--title'], /post: option '--title' needs a value/],
  [['post', 'b1', '--key=yes', 'text'], /post: option '--key' takes no value/],
  [['post', 'Not A Slug', 'text'], /post: invalid blog id/],
  [['post', 'b1', 'text'], /post: no token/, { noToken: true }],
  [['create'], /create: --title is required/],
  [['create', '--title', 'T', '--id', 'Bad/Id'], /create: invalid blog id/],
  [['edit', 'b1', 'e1'], /edit: nothing to change/],
  [['edit', 'b1', 'e1', '--key', '--no-key'], /edit: conflicting options/],
  [['delete', 'b1'], /delete: missing arguments/],
  [['end'], /end: missing arguments/],
  [['show', 'b1', 'extra'], /show: too many arguments/],
  [['tail'], /tail: missing arguments/],
  [['replay', 'b1', '--speed', '0'], /replay: --speed wants a number above 0/],
  [['replay', 'b1', '--speed', 'fast'], /replay: --speed wants a number above 0/],
  [['export'], /export: missing arguments/],
  [['import', 'b1'], /import: missing arguments/],
  [['--server', 'ftp://example.org', 'show', 'b1'], /show: bad server url/],
  [['--server', 'http://host:99999', 'show', 'b1'], /show: bad server url/],
];

test('bad arguments exit 2 with the error and a usage line', async () => {
  const port = await deadPort();
  for (const [args, re, opt = {}] of BAD) {
    const env = { LIVEBLOG_SERVER: `http://127.0.0.1:${port}` };
    if (!opt.noToken) env.LIVEBLOG_TOKEN = 'tok';
    const r = await run(args, { env });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^liveblog: /, args.join(' '));
    assert.match(lines[0], re, args.join(' '));
    assert.match(lines[1], /^usage: liveblog /, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('text that is not UTF-8 is refused before sending (exit 2)', async () => {
  const port = await deadPort();
  const r = await run(['post', 'b1', '-'], {
    env: { LIVEBLOG_SERVER: `http://127.0.0.1:${port}`, LIVEBLOG_TOKEN: 't' },
    input: Buffer.from([0x66, 0xff, 0xfe, 0x0a]),
  });
  assert.equal(r.code, 2);
  assert.match(oneLine(r.stderr), /not valid UTF-8/);
});

test('an unreadable import file is one line, exit 1', async () => {
  const port = await deadPort();
  const r = await run(['import', 'b1', '/nonexistent/export.jsonl'], {
    env: { LIVEBLOG_SERVER: `http://127.0.0.1:${port}`, LIVEBLOG_TOKEN: 't' },
  });
  assert.equal(r.code, 1);
  assert.match(oneLine(r.stderr), /^liveblog: import b1: cannot open \/nonexistent\/export.jsonl/);
});
