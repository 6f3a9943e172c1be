// Helpers of the CLI tests: run build/liveblog, and two small network
// stand-ins the real daemon cannot play: a fake HTTP/WebSocket server that
// sends exactly the (bad) replies a test wants, and a TCP proxy that can
// drop a reply or cut every connection. The daemon itself comes from the
// shared harness (tests/integration/harness.mjs).
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// LIVEBLOG_CLI (tests/run.sh: the sanitizer build), else build/liveblog.
export const BIN = process.env.LIVEBLOG_CLI || path.join(ROOT, 'build/liveblog');
const require = createRequire(path.join(ROOT, 'package.json'));
export const { WebSocketServer } = require('ws');

// Environment for the client: nothing inherited that could point it elsewhere.
function cliEnv(env) {
  const base = { PATH: process.env.PATH, TZ: 'UTC', LANG: 'C.UTF-8' };
  return { ...base, ...env };
}

// LIVEBLOG_CLI_VALGRIND=1 runs every client under valgrind: a memory error
// or a definite leak turns into exit code 99 and fails the test.
const VALGRIND_CLI = process.env.LIVEBLOG_CLI_VALGRIND === '1';
const VALGRIND_ARGS = ['-q', '--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite'];
// Time limits of the tests are multiplied by this (valgrind is slow).
export const SLOW = VALGRIND_CLI ? 10 : 1;

// Starts the client; `done` resolves to {code, signal, stdout, stderr}.
export function spawnCli(args, { env = {}, input, timeoutMs = 30000 * SLOW } = {}) {
  const [cmd, argv] = VALGRIND_CLI ? ['valgrind', [...VALGRIND_ARGS, BIN, ...args]] : [BIN, args];
  const child = spawn(cmd, argv, { env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => { out.stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out.stderr += d; });
  child.stdin.on('error', () => {});
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.stdout, stderr: out.stderr });
    });
  });
  return { child, out, done };
}

export function run(args, opts) {
  return spawnCli(args, opts).done;
}

// Polls fn until it returns a truthy value; throws after timeoutMs.
export async function waitFor(fn, what, timeoutMs = 10000 * SLOW) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// The stderr of a failed command must be exactly one line.
export function oneLine(stderr) {
  const lines = stderr.split('\n').filter((l) => l !== '');
  return lines.length === 1 ? lines[0] : null;
}

// A port nothing listens on (bound, then released).
export async function deadPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

// An HTTP server answering with handler(req, body, res); records requests
// as {method, url, headers, body}. WebSocket upgrades go to onUpgrade.
export async function startFake(handler, { onWs } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, body, res);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  let wss = null;
  if (onWs) {
    wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('liveblog.v1') ? 'liveblog.v1' : false) });
    server.on('upgrade', (req, sock, head) => {
      requests.push({ method: 'WS', url: req.url, headers: req.headers, body: '' });
      wss.handleUpgrade(req, sock, head, (ws) => onWs(ws, req));
    });
  }
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      if (wss) for (const c of wss.clients) c.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

// Sends a JSON (or raw string) reply.
export function reply(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// A TCP proxy in front of 127.0.0.1:targetPort. policy(head) is asked for
// each connection once its request head has arrived and returns
// 'forward', 'swallow' (forward the request, then hang up on the client
// instead of passing the answer back) or 'reset' (hang up at once).
// Every connection is recorded as {head, data} (all bytes sent by the client).
export async function startProxy(targetPort, policy = () => 'forward') {
  const conns = [];
  const live = new Set();
  const server = net.createServer((client) => {
    const rec = { head: null, data: '', mode: null };
    conns.push(rec);
    const upstream = net.connect(targetPort, '127.0.0.1');
    live.add(client);
    live.add(upstream);
    const drop = () => { client.destroy(); upstream.destroy(); live.delete(client); live.delete(upstream); };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (d) => {
      rec.data += d.toString('latin1');
      if (rec.mode === null) {
        const end = rec.data.indexOf('\r\n\r\n');
        if (end < 0) return;
        rec.head = rec.data.slice(0, end);
        rec.mode = policy(rec.head, conns.length - 1);
        if (rec.mode === 'reset') { client.resetAndDestroy?.() ?? client.destroy(); drop(); return; }
        upstream.write(Buffer.from(rec.data, 'latin1'));
        return;
      }
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (rec.mode === 'swallow') { drop(); return; }
      client.write(d);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    conns,
    // Cuts every open connection (both sides), as a network failure would.
    cut() { for (const s of live) s.destroy(); live.clear(); },
    async close() { this.cut(); await new Promise((r) => server.close(r)); },
  };
}
