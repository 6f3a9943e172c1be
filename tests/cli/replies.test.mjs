// The client against a fake server: every reply is untrusted input, every
// failure is one line on stderr and exit 1, retries keep the entry id.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, spawnCli, startFake, reply, deadPort, oneLine, waitFor, SLOW } from './cli.mjs';

const TS = '2026-11-29T07:32:42.123Z';
const blog = (over = {}) => ({ id: 'b1', title: 'Summit', state: 'live', created_at: TS, ended_at: null, entry_count: 0, ...over });
const entry = (id, seq, text, over = {}) => ({ id, seq, ts: TS, author: 'ann', title: '', text, key: false, pinned: false, revision: 1, ...over });
const ev = (seq, text) => ({ type: 'entry', seq, entry: entry(`e-${seq}`, seq, text) });

function env(fake, extra = {}) {
  return { LIVEBLOG_SERVER: fake.url, LIVEBLOG_TOKEN: 'tok', ...extra };
}

test('unreachable server: one line, exit 1, for reads and writes', async () => {
  const port = await deadPort();
  const e = { LIVEBLOG_SERVER: `http://127.0.0.1:${port}`, LIVEBLOG_TOKEN: 't' };
  for (const args of [['show', 'b1'], ['post', 'b1', 'hello'], ['export', 'b1'], ['tail', 'b1']]) {
    const t0 = Date.now();
    const r = await run(args, { env: e });
    assert.equal(r.code, 1, args.join(' '));
    const line = oneLine(r.stderr);
    assert.ok(line, `one line: ${r.stderr}`);
    assert.match(line, new RegExp(`^liveblog: ${args[0]} b1: cannot reach http://127.0.0.1:${port}`));
    assert.equal(r.stdout, '');
    assert.ok(Date.now() - t0 < 8000 * SLOW, 'gives up in seconds');
  }
});

test('post retries 5xx with the same id and succeeds', async () => {
  let n = 0;
  const fake = await startFake((req, body, res) => {
    if (++n <= 2) return reply(res, 503, { error: 'unavailable', message: 'Redis is down.' });
    const id = JSON.parse(body).id;
    reply(res, 201, entry(id, '5-0', 'hello'));
  });
  try {
    const r = await run(['post', 'b1', '--title', 'T', '--author', 'A', '--key', 'hello'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.requests.length, 3);
    const bodies = fake.requests.map((q) => JSON.parse(q.body));
    assert.match(bodies[0].id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const b of bodies) assert.deepEqual(b, bodies[0]);
    assert.deepEqual(bodies[0], { id: bodies[0].id, text: 'hello', title: 'T', author: 'A', key: true });
    assert.equal(fake.requests[0].headers.authorization, 'Bearer tok');
    assert.equal(fake.requests[0].url, '/api/blogs/b1/entries');
    const out = JSON.parse(r.stdout);
    assert.equal(out.id, bodies[0].id);
    assert.equal(out.seq, '5-0');
  } finally {
    await fake.close();
  }
});

test('post retries a reset connection with the same id', async () => {
  let n = 0;
  const fake = await startFake((req, body, res) => {
    if (++n === 1) return req.socket.destroy();
    reply(res, 200, entry(JSON.parse(body).id, '5-0', 'x'));
  });
  try {
    const r = await run(['post', 'b1', 'x'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fake.requests.length, 2);
    assert.equal(JSON.parse(fake.requests[0].body).id, JSON.parse(fake.requests[1].body).id);
  } finally {
    await fake.close();
  }
});

test('post gives up after 4 tries of 500: one line with the message', async () => {
  const fake = await startFake((req, body, res) => reply(res, 500, { error: 'internal', message: 'Boom.' }));
  try {
    const r = await run(['post', 'b1', 'x'], { env: env(fake) });
    assert.equal(r.code, 1);
    assert.equal(fake.requests.length, 4);
    assert.equal(new Set(fake.requests.map((q) => JSON.parse(q.body).id)).size, 1);
    assert.equal(oneLine(r.stderr), 'liveblog: post b1: Boom. (500 internal)');
  } finally {
    await fake.close();
  }
});

test('edit is not retried (a second PATCH would be a second revision)', async () => {
  const fake = await startFake((req, body, res) => reply(res, 503, { error: 'unavailable', message: 'Down.' }));
  try {
    const r = await run(['edit', 'b1', 'e/1', 'new text', '--unpin'], { env: env(fake) });
    assert.equal(r.code, 1);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].method, 'PATCH');
    assert.equal(fake.requests[0].url, '/api/blogs/b1/entries/e%2F1');
    assert.deepEqual(JSON.parse(fake.requests[0].body), { text: 'new text', pinned: false });
  } finally {
    await fake.close();
  }
});

// Replies to `show` that must be refused with one line, never a crash.
const BAD_SHOW = [
  ['not JSON', (res) => reply(res, 200, '<html>hello</html>'), /bad reply .*not JSON/],
  ['empty', (res) => reply(res, 200, ''), /bad reply .*empty/],
  ['an array', (res) => reply(res, 200, [1, 2]), /bad reply .*blog is not an object/],
  ['no state', (res) => reply(res, 200, { id: 'b1', title: 'x' }), /blog has no "state"/],
  ['title a number', (res) => reply(res, 200, blog({ title: 7 })), /field "title" is not a string/],
  ['unknown state', (res) => reply(res, 200, blog({ state: 'paused' })), /state "paused" is unknown/],
  ['duplicate keys', (res) => reply(res, 200, '{"id":"b1","id":"b2","title":"t","state":"live"}'), /not JSON/],
  ['truncated', (res) => reply(res, 200, '{"id":"b1","title":"t","state":"li'), /not JSON/],
  ['deep nesting', (res) => reply(res, 200, '['.repeat(100000)), /not JSON/],
];

test('show refuses malformed blog replies with one line', async () => {
  for (const [what, send, re] of BAD_SHOW) {
    const fake = await startFake((req, body, res) => send(res));
    try {
      const r = await run(['show', 'b1'], { env: env(fake) });
      assert.equal(r.code, 1, what);
      const line = oneLine(r.stderr);
      assert.ok(line, `${what}: ${r.stderr}`);
      assert.match(line, /^liveblog: show b1: /, what);
      assert.match(line, re, what);
    } finally {
      await fake.close();
    }
  }
});

const BAD_PAGES = [
  ['events not an array', { events: {}, next: null }, /field "events" is not an array/],
  ['unknown event type', { events: [{ type: 'party', seq: '1-0' }], next: '1-0' }, /events\[0\]: unknown event type/],
  ['bad seq', { events: [{ type: 'delete', seq: 'abc', entry_id: 'x' }], next: null }, /field "seq" is not a stream id/],
  ['entry text a number', { events: [{ type: 'entry', seq: '1-0', entry: entry('e', '1-0', 5) }], next: '1-0' }, /event entry field "text" is not a string/],
  ['entry missing', { events: [{ type: 'edit', seq: '1-0' }], next: '1-0' }, /event entry is not an object/],
  ['key not a bool', { events: [{ type: 'entry', seq: '1-0', entry: entry('e', '1-0', 't', { key: 'yes' }) }], next: '1-0' }, /"key" is not a boolean/],
  ['next a number', { events: [], next: 5 }, /field "next" is not a stream id or null/],
];

test('export refuses malformed event pages with one line', async () => {
  for (const [what, page, re] of BAD_PAGES) {
    const fake = await startFake((req, body, res) => reply(res, 200, page));
    try {
      const r = await run(['export', 'b1'], { env: env(fake) });
      assert.equal(r.code, 1, what);
      const line = oneLine(r.stderr);
      assert.ok(line, `${what}: ${r.stderr}`);
      assert.match(line, re, what);
    } finally {
      await fake.close();
    }
  }
});

test('error replies: the server message, or a phrase when it has none', async () => {
  const cases = [
    [404, { error: 'not_found', message: 'No such blog.' }, 'liveblog: show b1: No such blog. (404 not_found)'],
    [401, { error: 'unauthorized' }, 'liveblog: show b1: unauthorized (check the token) (401 unauthorized)'],
    [502, '<html>Bad gateway</html>', 'liveblog: show b1: server error (502)'],
    [400, { error: 'bad_request', message: 'Line one\nline two \u001b[31mred' }, 'liveblog: show b1: Line one line two  [31mred (400 bad_request)'],
  ];
  for (const [status, body, line] of cases) {
    const fake = await startFake((req, b, res) => reply(res, status, body));
    try {
      const r = await run(['show', 'b1'], { env: env(fake) });
      assert.equal(r.code, 1);
      assert.equal(oneLine(r.stderr), line);
      assert.ok(!r.stderr.includes('\u001b'), 'no terminal escapes');
    } finally {
      await fake.close();
    }
  }
});

test('a server that never answers times out (LIVEBLOG_TIMEOUT)', async () => {
  const fake = await startFake(() => {});
  try {
    const t0 = Date.now();
    const r = await run(['delete', 'b1', 'e1'], { env: env(fake, { LIVEBLOG_TIMEOUT: '1' }) });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^liveblog: delete b1 e1: no answer from http:\/\/127.0.0.1:\d+ within 1 s$/);
    assert.ok(Date.now() - t0 < 5000 * SLOW);
  } finally {
    await fake.close();
  }
});

test('export pages with since= until next stops moving', async () => {
  const all = [ev('1-0', 'a'), ev('2-0', 'b'), ev('3-0', 'c'), { type: 'ended', seq: '4-0', ended_at: TS }];
  const fake = await startFake((req, body, res) => {
    const u = new URL(req.url, 'http://x');
    const since = u.searchParams.get('since');
    const i = since ? all.findIndex((e) => e.seq === since) + 1 : 0;
    const events = all.slice(i, i + 2);
    reply(res, 200, { events, next: events.length ? events.at(-1).seq : since });
  });
  try {
    const r = await run(['export', 'b1'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines, all);
    const urls = fake.requests.map((q) => new URL(q.url, 'http://x'));
    assert.equal(urls[0].searchParams.get('since'), null);
    assert.deepEqual(urls.slice(1).map((u) => u.searchParams.get('since')), ['2-0', '4-0']);
    assert.ok(urls.every((u) => u.pathname === '/api/blogs/b1/events' && +u.searchParams.get('limit') > 0));
  } finally {
    await fake.close();
  }
});

test('export stops on events out of order, and on a cursor that never moves', async () => {
  const fake = await startFake((req, body, res) => reply(res, 200, { events: [ev('2-0', 'b'), ev('1-0', 'a')], next: '1-0' }));
  try {
    const r = await run(['export', 'b1'], { env: env(fake) });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /server sent event 1-0 after 2-0/);
  } finally {
    await fake.close();
  }
  const stuck = await startFake((req, body, res) => reply(res, 200, { events: [ev('1-0', 'a')], next: '1-0' }));
  try {
    const r = await run(['export', 'b1'], { env: env(stuck) });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /server sent event 1-0 after 1-0/);
    assert.equal(stuck.requests.length, 2);
  } finally {
    await stuck.close();
  }
});

test('import checks the whole file first: a bad line sends nothing', async () => {
  const fake = await startFake((req, body, res) => reply(res, 500, {}));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lbcli-'));
  const file = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(file, `${JSON.stringify(ev('1-0', 'a'))}\n\n{"type":"entry","seq":"2-0"}\n`);
  try {
    const r = await run(['import', 'b1', file], { env: env(fake) });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), new RegExp(`^liveblog: import b1: .*bad.jsonl line 3: event entry is not an object`));
    assert.equal(fake.requests.length, 0);
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('import sends entries with their ids and original_ts, then edits, deletes, end', async () => {
  const fake = await startFake((req, body, res) => {
    if (req.url.endsWith('/end')) return reply(res, 200, blog({ state: 'ended', ended_at: TS }));
    if (req.method === 'DELETE') return reply(res, 200, {});
    const j = JSON.parse(body);
    reply(res, req.method === 'POST' ? 201 : 200, entry(j.id ?? req.url.split('/').at(-1), '9-0', j.text ?? 'x'));
  });
  const lines = [
    { type: 'entry', seq: '1-0', entry: entry('u1', '1-0', 'Texte « un »', { title: 'Titre', key: true, ts: '2025-01-02T03:04:05.678Z' }) },
    { type: 'entry', seq: '2-0', entry: entry('u2', '2-0', 'deux', { author: null, title: null }) },
    { type: 'edit', seq: '3-0', entry: entry('u1', '1-0', 'Texte corrigé', { title: 'Titre', key: true, pinned: true, revision: 2, edited_ts: TS }) },
    { type: 'delete', seq: '4-0', entry_id: 'u2' },
    { type: 'ended', seq: '5-0', ended_at: TS },
  ];
  try {
    const r = await run(['import', 'b2', '-'], { env: env(fake), input: lines.map((l) => JSON.stringify(l)).join('\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'imported 2 entries, 1 edits, 1 deletions into b2 and ended it\n');
    const q = fake.requests;
    assert.deepEqual(q.map((x) => `${x.method} ${x.url}`), [
      'POST /api/blogs/b2/entries', 'POST /api/blogs/b2/entries', 'PATCH /api/blogs/b2/entries/u1',
      'DELETE /api/blogs/b2/entries/u2', 'POST /api/blogs/b2/end',
    ]);
    assert.deepEqual(JSON.parse(q[0].body), { id: 'u1', text: 'Texte « un »', author: 'ann', title: 'Titre', key: true, pinned: false, original_ts: '2025-01-02T03:04:05.678Z' });
    assert.deepEqual(JSON.parse(q[1].body), { id: 'u2', text: 'deux', key: false, pinned: false, original_ts: TS });
    assert.deepEqual(JSON.parse(q[2].body), { text: 'Texte corrigé', title: 'Titre', key: true, pinned: true });
  } finally {
    await fake.close();
  }
});

// A fake stream: each connection gets the frames of script[n] then a close.
function wsScript(script) {
  let n = 0;
  return (ws) => {
    const { frames, close } = script[Math.min(n++, script.length - 1)];
    for (const f of frames) ws.send(typeof f === 'string' ? f : JSON.stringify(f));
    if (close) ws.close(...close);
  };
}

test('tail drops a connection, resumes with ?since=, shows each event once, exits 0 on ended', async () => {
  const e1 = ev('1-0', 'first'), e2 = ev('2-0', 'second'), e3 = ev('3-0', 'third');
  const hello = { type: 'hello', blog: blog() };
  const fake = await startFake(() => {}, {
    onWs: wsScript([
      { frames: [hello, e1, { type: 'live', seq: '1-0' }, { type: 'stats', readers: 3 }, e2], close: [1001, 'going away'] },
      { frames: [hello, e2, e3, { type: 'mystery' }, { type: 'ended', seq: '4-0', ended_at: TS }], close: [1000] },
    ]),
  });
  try {
    const r = await run(['tail', 'b1'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    const urls = fake.requests.map((q) => q.url);
    assert.deepEqual(urls, ['/ws/blogs/b1', '/ws/blogs/b1?since=2-0']);
    assert.equal(fake.requests[0].headers['sec-websocket-protocol'], 'liveblog.v1');
    for (const t of ['first', 'second', 'third']) assert.equal(r.stdout.split(`    ${t}\n`).length, 2, t);
    assert.ok(r.stdout.indexOf('first') < r.stdout.indexOf('second'));
    assert.ok(r.stdout.indexOf('second') < r.stdout.indexOf('third'));
    assert.match(r.stdout, /^Summit  \[LIVE\]/);
    assert.equal(r.stdout.split('Summit  [LIVE]').length, 2, 'header printed once');
    assert.match(r.stdout, /The liveblog has ended\.\n$/);
    assert.match(r.stderr, /tail b1: connection closed \(1001 going away\); reconnecting in/);
  } finally {
    await fake.close();
  }
});

test('tail: a reset restarts from the whole log', async () => {
  const fake = await startFake(() => {}, {
    onWs: wsScript([
      { frames: [ev('5-0', 'five')], close: [1001, 'bye'] },
      { frames: [{ type: 'reset' }, ev('1-0', 'one'), { type: 'ended', seq: '2-0', ended_at: TS }], close: [1000] },
    ]),
  });
  try {
    const r = await run(['tail', 'b1'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /five[\s\S]*restarted the stream[\s\S]*one[\s\S]*ended/);
  } finally {
    await fake.close();
  }
});

test('tail refuses a bad frame with one line, exit 1', async () => {
  for (const bad of ['not json', '{"type":"entry","seq":"1-0","entry":{"id":1}}', '{"type":"hello","blog":{"id":"b1"}}', '[]']) {
    const fake = await startFake(() => {}, { onWs: (ws) => ws.send(bad) });
    try {
      const r = await run(['tail', 'b1'], { env: env(fake) });
      assert.equal(r.code, 1, bad);
      assert.match(oneLine(r.stderr), /^liveblog: tail b1: bad frame from /, bad);
      assert.equal(fake.requests.length, 1, 'no reconnect after a bad frame');
    } finally {
      await fake.close();
    }
  }
});

test('tail of an unknown blog: refused at the handshake, one line, no retry', async () => {
  const fake = await startFake((req, body, res) => reply(res, 404, { error: 'not_found', message: 'no' }));
  fake.requests.length = 0;
  try {
    const r = await run(['tail', 'nope'], { env: env(fake) });
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^liveblog: tail nope: no blog 'nope' on .* \(404\)$/);
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

test('replay asks for ?replay=SPEED and resumes with since', async () => {
  const fake = await startFake(() => {}, {
    onWs: wsScript([
      { frames: [ev('1-0', 'one')], close: [1001, 'x'] },
      { frames: [ev('2-0', 'two'), { type: 'ended', seq: '3-0', ended_at: TS }], close: [1000] },
    ]),
  });
  try {
    const r = await run(['replay', 'b1', '--speed', '7.5'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fake.requests.map((q) => q.url), ['/ws/blogs/b1?replay=7.5', '/ws/blogs/b1?since=1-0&replay=7.5']);
    assert.match(r.stdout, /one[\s\S]*two[\s\S]*ended/);
  } finally {
    await fake.close();
  }
});

test('tail hangs up itself when the server does not close after ended', async () => {
  const fake = await startFake(() => {}, { onWs: (ws) => ws.send(JSON.stringify({ type: 'ended', seq: '1-0', ended_at: TS })) });
  try {
    const t0 = Date.now();
    const r = await run(['tail', 'b1'], { env: env(fake) });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 6000 * SLOW);
  } finally {
    await fake.close();
  }
});

test('tail output appears as events arrive (not buffered until exit)', async () => {
  let sock;
  const fake = await startFake(() => {}, { onWs: (ws) => { sock = ws; ws.send(JSON.stringify(ev('1-0', 'early'))); } });
  try {
    const p = spawnCli(['tail', 'b1'], { env: env(fake) });
    await waitFor(() => p.out.stdout.includes('early'), 'the first entry on stdout');
    sock.send(JSON.stringify({ type: 'ended', seq: '2-0', ended_at: TS }));
    sock.close(1000);
    const r = await p.done;
    assert.equal(r.code, 0);
  } finally {
    await fake.close();
  }
});
