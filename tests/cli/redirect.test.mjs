// A hostile server answers every request, and the WebSocket handshake,
// with a redirect to another origin (another port, another host). The
// client must follow none of them: one line naming the status and the
// Location, exit 1, no hang, and nothing (above all no Authorization
// header) reaches the other origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, oneLine, SLOW } from './cli.mjs';

const TOKEN = 'secret-token-that-must-stay-home';
const BLOG = 'summit';
const ENTRY = '00000000-0000-4000-8000-000000000001';

// A listener on host that records every request and upgrade it gets, and
// answers 200 with a plausible body (so a client that went there would
// believe it).
async function startTrap(host) {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push({ method: req.method, url: req.url, auth: req.headers.authorization ?? null });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  server.on('upgrade', (req, sock) => {
    hits.push({ method: 'WS', url: req.url, auth: req.headers.authorization ?? null });
    sock.destroy();
  });
  await new Promise((r) => server.listen(0, host, r));
  return {
    hits,
    origin: `http://${host}:${server.address().port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}

// The hostile server: answers each request (and upgrade) with the
// redirect that plan() returns: {status, location, hang}. hang: send the
// head only and keep the connection open.
async function startRedirector(plan) {
  const seen = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization ?? null });
    req.resume();
    const { status, location, hang } = plan();
    if (hang) {
      res.writeHead(status, { location });
      res.flushHeaders();
      return;
    }
    const body = JSON.stringify({ moved: location });
    res.writeHead(status, { location, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', (req, sock) => {
    seen.push({ method: 'WS', url: req.url, auth: req.headers.authorization ?? null });
    const { status, location, hang } = plan();
    sock.write(`HTTP/1.1 ${status} Moved\r\nLocation: ${location}\r\n` +
               (hang ? '\r\n' : 'Content-Length: 0\r\n\r\n'));
    if (!hang) sock.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    seen,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

let dir, exportFile, trapPort, trapHost;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveblog-redirect-'));
  exportFile = path.join(dir, 'export.jsonl');
  fs.writeFileSync(exportFile, `${JSON.stringify({
    type: 'entry', seq: '1-0',
    entry: { id: ENTRY, seq: '1-0', ts: '2026-11-29T07:32:42.123Z', author: '', title: '', text: 'x', key: false, pinned: false, revision: 1 },
  })}\n`);
  // Another port on this host, and another host (127.0.0.2 is loopback too).
  trapPort = await startTrap('127.0.0.1');
  trapHost = await startTrap('127.0.0.2');
});
after(async () => {
  await trapPort?.close();
  await trapHost?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Every command, with what it sends first.
const COMMANDS = [
  ['create', '--title', 'T'],
  ['post', BLOG, 'hello'],
  ['edit', BLOG, ENTRY, 'changed'],
  ['delete', BLOG, ENTRY],
  ['end', BLOG],
  ['show', BLOG],
  ['export', BLOG],
  ['import', BLOG, null],
  ['tail', BLOG],
  ['replay', BLOG, '--speed', '10'],
];

// Runs one command against a redirector; checks the one-line error and
// that nothing reached either trap. Returns the redirector's requests.
async function expectRefused(args, redirect) {
  const red = await startRedirector(() => redirect);
  const before = trapPort.hits.length + trapHost.hits.length;
  const t0 = Date.now();
  try {
    const argv = args.map((a) => (a === null ? exportFile : a));
    const r = await run(['--token', TOKEN, ...argv], { env: { LIVEBLOG_SERVER: red.url }, timeoutMs: 20000 * SLOW });
    const what = `${args.join(' ')} → ${redirect.status} ${redirect.location}`;
    const leaked = [...trapPort.hits, ...trapHost.hits].slice(before);
    assert.deepEqual(leaked, [], `${what}: a request reached the other origin`);
    assert.ok(Date.now() - t0 < 5000 * SLOW, `${what}: took ${Date.now() - t0} ms`);
    assert.equal(r.code, 1, `${what}: exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    const line = oneLine(r.stderr);
    assert.ok(line, `${what}: not one line: ${JSON.stringify(r.stderr)}`);
    const esc = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(line, new RegExp(`^liveblog: ${args[0]}\\b.*: the server answered ${redirect.status}, ` +
                                  `a redirect to ${esc(redirect.location)}; not followed$`), what);
    assert.ok(red.seen.length >= 1, `${what}: the server was asked`);
    return red.seen;
  } finally {
    await red.close();
  }
}

// Under valgrind (each run takes seconds) one status stands for all.
const STATUSES = SLOW > 1 ? [307] : [301, 302, 303, 307, 308];

for (const [i, args] of COMMANDS.entries()) {
  test(`${args[0]}: no ${STATUSES.join('/')} is followed, and no token leaves --server's origin`, async () => {
    const ws = args[0] === 'tail' || args[0] === 'replay';
    for (const [j, status] of STATUSES.entries()) {
      const trap = (i + j) % 2 ? trapHost : trapPort;
      const location = `${trap.origin}/${ws ? `ws/blogs/${BLOG}` : 'x'}`;
      const seen = await expectRefused(args, { status, location });
      assert.equal(seen.length, 1, `${status}: one request, no retry of a redirect`);
    }
  });
}

test('a relative Location (same origin, another path) is not followed either', async () => {
  for (const args of [['post', BLOG, 'hello'], ['show', BLOG], ['tail', BLOG]]) {
    const seen = await expectRefused(args, { status: 307, location: '/elsewhere' });
    assert.equal(seen.length, 1, args[0]);
  }
});

test('a redirect whose body never comes does not hang the client', async () => {
  for (const args of [['post', BLOG, 'hello'], ['end', BLOG], ['tail', BLOG]]) {
    await expectRefused(args, { status: 302, location: `${trapHost.origin}/x`, hang: true });
  }
});

test('other 3xx answers (300, 304) are errors too', async () => {
  await expectRefused(['show', BLOG], { status: 300, location: `${trapPort.origin}/a` });
  await expectRefused(['end', BLOG], { status: 304, location: `${trapPort.origin}/b` });
});

// A raw server, since node's own refuses control characters in headers.
test('a Location holding terminal controls is printed cleaned, on one line', async () => {
  const srv = net.createServer((sock) => {
    sock.once('data', () => {
      sock.end(`HTTP/1.1 307 Moved\r\nLocation: ${trapHost.origin}/\x1b[31mred\x07\r\nContent-Length: 0\r\n\r\n`);
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const hitsBefore = trapHost.hits.length;
  try {
    for (const cmd of ['show', 'tail']) {
      const r = await run(['--token', TOKEN, cmd, BLOG], { env: { LIVEBLOG_SERVER: `http://127.0.0.1:${srv.address().port}` } });
      assert.equal(r.code, 1, `${cmd}: ${r.stderr}`);
      const line = oneLine(r.stderr);
      assert.ok(line && !/[\x00-\x1f]/.test(line), `${cmd}: ${JSON.stringify(r.stderr)}`);
      assert.match(line, /the server answered 307, a redirect to http:\/\/127\.0\.0\.2:\d+\/ \[31mred ; not followed$/, cmd);
    }
  } finally {
    await new Promise((r) => srv.close(r));
  }
  assert.deepEqual(trapHost.hits.slice(hitsBefore), []);
});
