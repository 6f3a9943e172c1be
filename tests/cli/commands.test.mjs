// Every command against a real liveblogd + redis-server (shared harness).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, createBlog, allEvents, api, uniqueId, UUID_RE, SEQ_RE, RFC3339_MS } from '../integration/harness.mjs';
import { run, spawnCli, waitFor, oneLine, deadPort, SLOW } from './cli.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const env = (token) => ({ LIVEBLOG_SERVER: stack.base, ...(token ? { LIVEBLOG_TOKEN: token } : {}) });
const cli = (args, token, opts = {}) => run(args, { env: env(token), ...opts });

// Asserts a failed command: exit 1, nothing on stdout, one stderr line.
function failed(r, re) {
  assert.equal(r.code, 1, `exit code (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const line = oneLine(r.stderr);
  assert.ok(line, `exactly one stderr line: ${JSON.stringify(r.stderr)}`);
  assert.match(line, /^liveblog: /);
  assert.match(line, re);
  return line;
}

// Creates a blog with the CLI; returns the parsed blog (with editor_token).
async function cliCreate(title = 'CLI blog') {
  const id = uniqueId('cli');
  const r = await cli(['create', '--title', title, '--id', id], stack.adminToken);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('create prints the blog on one JSON line with its editor_token', async () => {
  const id = uniqueId('cli');
  const r = await run(['--server', stack.base, '--token', stack.adminToken, 'create', '--title', 'Sommet « UE »', '--id', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.split('\n').length, 2, 'one line');
  const b = JSON.parse(r.stdout);
  assert.equal(b.id, id);
  assert.equal(b.title, 'Sommet « UE »');
  assert.equal(b.state, 'live');
  assert.equal(typeof b.editor_token, 'string');
  assert.ok(b.editor_token.length > 0);
  // The token works: a post with it succeeds.
  const p = await cli(['post', id, 'hello'], b.editor_token);
  assert.equal(p.code, 0, p.stderr);
});

test('create --lang: the blog in that language (canonical); a bad tag is a usage error, nothing sent', async () => {
  const id = uniqueId('clilang');
  const r = await cli(['create', '--title', 'Sommet', '--id', id, '--lang', 'FR-ca'], stack.adminToken);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).lang, 'fr-CA');
  assert.equal((await api(stack.base, 'GET', `/api/blogs/${id}`)).json.lang, 'fr-CA');
  const bad = uniqueId('clilang');
  const u = await cli(['create', '--title', 'x', '--id', bad, '--lang', 'fr_FR'], stack.adminToken);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /^liveblog: create: invalid language 'fr_FR'/);
  assert.equal((await api(stack.base, 'GET', `/api/blogs/${bad}`)).status, 404);
  const plain = await cliCreate();
  assert.equal(plain.lang, 'en');
});

test('create: an id that exists is 409, a bad admin token 401', async () => {
  const b = await cliCreate();
  failed(await cli(['create', '--title', 'again', '--id', b.id], stack.adminToken), /\(409 conflict\)$/);
  failed(await cli(['create', '--title', 'x'], 'not-the-admin-token'), /^liveblog: create: .*\(401 unauthorized\)$/);
});

test('post prints the stored entry as JSON, with title, author and key', async () => {
  const b = await cliCreate();
  const r = await cli(['post', b.id, '--title', 'Titre', '--author', 'Anne', '--key', 'Ligne « une »\n* puce\n\nfin'], b.editor_token);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 2, 'one line');
  const e = JSON.parse(r.stdout);
  assert.match(e.id, UUID_RE);
  assert.match(e.seq, SEQ_RE);
  assert.match(e.ts, RFC3339_MS);
  assert.equal(e.title, 'Titre');
  assert.equal(e.author, 'Anne');
  assert.equal(e.key, true);
  assert.equal(e.text, 'Ligne « une »\n* puce\n\nfin');
  const evs = await allEvents(stack.base, b.id);
  assert.equal(evs.length, 1);
  assert.deepEqual(evs[0].entry, e);
});

test('post - reads the text from stdin (trailing newline dropped)', async () => {
  const b = await cliCreate();
  const text = 'Première ligne\n\n* élément « un »\n* élément deux\n\tindentée';
  const r = await cli(['post', b.id, '--pin', '-'], b.editor_token, { input: `${text}\n` });
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  assert.equal(e.text, text);
  assert.equal(e.pinned, true);
  const evs = await allEvents(stack.base, b.id);
  assert.equal(Buffer.compare(Buffer.from(evs[0].entry.text), Buffer.from(text)), 0);
});

test('edit changes an entry (also from stdin) and prints it', async () => {
  const b = await cliCreate();
  const e = JSON.parse((await cli(['post', b.id, 'avant'], b.editor_token)).stdout);
  let r = await cli(['edit', b.id, e.id, 'après'], b.editor_token);
  assert.equal(r.code, 0, r.stderr);
  let after = JSON.parse(r.stdout);
  assert.equal(after.text, 'après');
  assert.equal(after.revision, 2);
  assert.match(after.edited_ts, RFC3339_MS);
  r = await cli(['edit', b.id, e.id, '-', '--title', 'Nouveau', '--key'], b.editor_token, { input: 'depuis stdin\n' });
  assert.equal(r.code, 0, r.stderr);
  after = JSON.parse(r.stdout);
  assert.equal(after.text, 'depuis stdin');
  assert.equal(after.title, 'Nouveau');
  assert.equal(after.key, true);
  assert.equal(after.revision, 3);
  const evs = await allEvents(stack.base, b.id);
  assert.deepEqual(evs.map((x) => x.type), ['entry', 'edit', 'edit']);
  failed(await cli(['edit', b.id, '00000000-0000-4000-8000-000000000000', 'x'], b.editor_token), /\(404 not_found\)$/);
});

test('delete removes an entry and prints nothing', async () => {
  const b = await cliCreate();
  const e = JSON.parse((await cli(['post', b.id, 'à supprimer'], b.editor_token)).stdout);
  const r = await cli(['delete', b.id, e.id], b.editor_token);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const evs = await allEvents(stack.base, b.id);
  assert.deepEqual(evs.map((x) => x.type), ['entry', 'delete']);
  assert.equal(evs[1].entry_id, e.id);
  failed(await cli(['delete', b.id, e.id], 'wrong-token'), /\(401 unauthorized\)$/);
});

test('end freezes the blog: prints it, is harmless twice, then writes get 409 ended', async () => {
  const b = await cliCreate();
  const e = JSON.parse((await cli(['post', b.id, 'avant la fin'], b.editor_token)).stdout);
  const r1 = await cli(['end', b.id], b.editor_token);
  assert.equal(r1.code, 0, r1.stderr);
  const ended = JSON.parse(r1.stdout);
  assert.equal(ended.state, 'ended');
  assert.match(ended.ended_at, RFC3339_MS);
  const r2 = await cli(['end', b.id], b.editor_token);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(JSON.parse(r2.stdout).ended_at, ended.ended_at);
  failed(await cli(['post', b.id, 'trop tard'], b.editor_token), /^liveblog: post .*: .*\(409 ended\)$/);
  failed(await cli(['edit', b.id, e.id, 'trop tard'], b.editor_token), /\(409 ended\)$/);
  failed(await cli(['delete', b.id, e.id], b.editor_token), /\(409 ended\)$/);
  const evs = await allEvents(stack.base, b.id);
  assert.deepEqual(evs.map((x) => x.type), ['entry', 'ended']);
});

test('show prints the blog and its current entries, readable', async () => {
  const b = await cliCreate('Élection « soir »');
  let r = await cli(['show', b.id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Élection « soir »  \[LIVE\]\n/);
  assert.match(r.stdout, /No liveblog updates yet\./);
  const one = JSON.parse((await cli(['post', b.id, '--title', 'Résultats', '--author', 'Léa', '--key', 'Premier\n* point'], b.editor_token)).stdout);
  const two = JSON.parse((await cli(['post', b.id, 'Deuxième'], b.editor_token)).stdout);
  const three = JSON.parse((await cli(['post', b.id, 'Troisième, supprimé'], b.editor_token)).stdout);
  await cli(['edit', b.id, two.id, 'Deuxième, corrigé'], b.editor_token);
  await cli(['delete', b.id, three.id], b.editor_token);
  await cli(['end', b.id], b.editor_token);
  r = await cli(['show', b.id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Élection « soir »  \[ENDED\]\n/);
  assert.match(r.stdout, /Key events:\n  \[[^\]]+\] Résultats\n/);
  assert.match(r.stdout, /\] KEY Léa · Résultats\n    Premier\n    \* point\n/);
  assert.match(r.stdout, /\(updated [^)]+\)\n    Deuxième, corrigé\n/);
  assert.ok(r.stdout.indexOf('Premier') < r.stdout.indexOf('Deuxième'), 'oldest first');
  assert.ok(!r.stdout.includes('Troisième'), 'deleted entries are left out');
  assert.ok(!r.stdout.includes('No liveblog updates yet.'));
  assert.match(r.stdout, /The liveblog has ended\.\n$/);
  assert.ok(one.id);
});

test('export prints every event as a JSON line, as the server has them', async () => {
  const b = await cliCreate();
  const e = JSON.parse((await cli(['post', b.id, 'un'], b.editor_token)).stdout);
  await cli(['post', b.id, 'deux'], b.editor_token);
  await cli(['edit', b.id, e.id, 'un bis'], b.editor_token);
  await cli(['delete', b.id, e.id], b.editor_token);
  await cli(['end', b.id], b.editor_token);
  const r = await cli(['export', b.id]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, await allEvents(stack.base, b.id));
  assert.deepEqual(lines.map((x) => x.type), ['entry', 'entry', 'edit', 'delete', 'ended']);
});

test('export pages through a long log', async () => {
  const b = await cliCreate();
  const n = 620;	/* more than one page of the client's 500 */
  for (let i = 0; i < n; i++) {
    const res = await api(stack.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: `n° ${i}` }, token: b.editor_token });
    assert.equal(res.status, 201);
  }
  const r = await cli(['export', b.id]);
  assert.equal(r.code, 0, r.stderr);
  const texts = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).entry.text);
  assert.deepEqual(texts, Array.from({ length: n }, (_, i) => `n° ${i}`));
});

test('errors: 404 unknown blog for every command, one line each', async () => {
  const id = uniqueId('nope');
  const token = 'some-token';
  for (const args of [['post', id, 'x'], ['edit', id, 'e', 'x'], ['delete', id, 'e'], ['end', id], ['show', id], ['export', id], ['tail', id], ['replay', id]]) {
    const r = await cli(args, token);
    failed(r, /404/);
  }
});

test('errors: 401 bad token, 413 oversized text, 400 bad request', async () => {
  const b = await cliCreate();
  failed(await cli(['post', b.id, 'x'], 'bad-token'), /^liveblog: post [^:]+: .*\(401 unauthorized\)$/);
  failed(await cli(['post', b.id, '-'], b.editor_token, { input: 'é'.repeat(10000) }), /\(413 too_large\)$/);
  failed(await cli(['post', b.id, ''], b.editor_token), /\(400 bad_request\)$/);
  failed(await cli(['end', b.id], 'bad-token'), /\(401 unauthorized\)$/);
  const evs = await allEvents(stack.base, b.id);
  assert.equal(evs.length, 0, 'nothing was stored');
});

test('errors: unreachable server is one line, exit 1', async () => {
  const port = await deadPort();
  const r = await run(['--server', `http://127.0.0.1:${port}`, '--token', 't', 'post', 'b1', 'x']);
  failed(r, new RegExp(`^liveblog: post b1: cannot reach http://127.0.0.1:${port}: `));
});

test('tail prints a posted entry live and exits 0 when the blog ends', async () => {
  const b = await cliCreate('En direct');
  await cli(['post', b.id, 'déjà là'], b.editor_token);
  const tail = spawnCli(['tail', b.id], { env: env() });
  try {
    await waitFor(() => tail.out.stdout.includes('--- live'), 'tail to be live');
    assert.match(tail.out.stdout, /^En direct  \[LIVE\]\n/);
    assert.match(tail.out.stdout, /    déjà là\n/);
    const r = await cli(['post', b.id, '--key', '--title', 'But !', '--author', 'Zoé', 'Un à zéro'], b.editor_token);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => tail.out.stdout.includes('Un à zéro'), 'the live entry in tail');
    assert.match(tail.out.stdout, /\[\d\d:\d\d:\d\d\] KEY Zoé · But !\n    Un à zéro\n/);
    assert.ok(tail.child.exitCode === null, 'tail still running while live');
    await cli(['end', b.id], b.editor_token);
    const res = await tail.done;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /The liveblog has ended\.\n$/);
    assert.equal(res.stderr, '');
  } finally {
    tail.child.kill();
  }
});

test('tail of an ended blog prints it all and exits 0', async () => {
  const b = await cliCreate();
  await cli(['post', b.id, 'un'], b.editor_token);
  await cli(['post', b.id, 'deux'], b.editor_token);
  await cli(['end', b.id], b.editor_token);
  const r = await cli(['tail', b.id]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /un\n[\s\S]*deux\n[\s\S]*The liveblog has ended\.\n$/);
});

test('replay plays an ended blog back and exits 0', async () => {
  const b = await cliCreate('Rejouer');
  for (const t of ['un', 'deux', 'trois']) await cli(['post', b.id, t], b.editor_token);
  await cli(['end', b.id], b.editor_token);
  const t0 = Date.now();
  const r = await cli(['replay', b.id, '--speed', '1000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /    un\n[\s\S]*    deux\n[\s\S]*    trois\n[\s\S]*The liveblog has ended\.\n$/);
  assert.ok(Date.now() - t0 < 10000 * SLOW);
});
