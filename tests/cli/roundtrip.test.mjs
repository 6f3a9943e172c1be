// export -> import round trip with the demo article (French UTF-8 text,
// « guillemets », "* " bullets): the imported blog holds the same entries,
// ids, titles, key marks and texts byte for byte, the same edits and
// deletions, keeps the original times, and is ended like the source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, createBlog, allEvents, tempDir } from '../integration/harness.mjs';
import { run, ROOT } from './cli.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const DEMO = fs.readFileSync(path.join(ROOT, 'demo/article-fr.jsonl'), 'utf8')
  .split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

const cli = (args, token, opts = {}) => run(args, { env: { LIVEBLOG_SERVER: stack.base, LIVEBLOG_TOKEN: token }, ...opts });

// The state a reader would see: entries by id after edits and deletions.
function fold(events) {
  const entries = new Map();
  for (const ev of events) {
    if (ev.type === 'entry' || ev.type === 'edit') entries.set(ev.entry.id, ev.entry);
    else if (ev.type === 'delete') entries.delete(ev.entry_id);
  }
  return entries;
}

const same = (a, b, what) => assert.equal(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')), 0, what);

test('the demo article survives export -> import byte for byte', async () => {
  assert.equal(DEMO.length, 6, 'six demo entries');
  const src = await createBlog(stack, { title: 'Politique migratoire « américaine »' });

  // Post the article with the CLI: text through argv and through stdin.
  const posted = [];
  for (const [i, d] of DEMO.entries()) {
    const args = ['post', src.id];
    if (d.title) args.push('--title', d.title);
    if (d.key) args.push('--key');
    const viaStdin = i % 2 === 1;
    args.push(viaStdin ? '-' : d.text);
    const r = await cli(args, src.editor_token, viaStdin ? { input: d.text } : {});
    assert.equal(r.code, 0, r.stderr);
    posted.push(JSON.parse(r.stdout));
    same(posted[i].text, d.text, `posted text ${i}`);
  }
  const edited = `${DEMO[1].text}\n\n* ajout : « correction » après coup`;
  let r = await cli(['edit', src.id, posted[1].id, '-'], src.editor_token, { input: edited });
  assert.equal(r.code, 0, r.stderr);
  r = await cli(['delete', src.id, posted[4].id], src.editor_token);
  assert.equal(r.code, 0, r.stderr);
  r = await cli(['end', src.id], src.editor_token);
  assert.equal(r.code, 0, r.stderr);

  // Export to a file.
  const out = await cli(['export', src.id]);
  assert.equal(out.code, 0, out.stderr);
  const file = path.join(tempDir('liveblog-cli-'), 'export.jsonl');
  fs.writeFileSync(file, out.stdout);
  const exported = out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(exported.map((e) => e.type), ['entry', 'entry', 'entry', 'entry', 'entry', 'entry', 'edit', 'delete', 'ended']);
  for (const [i, d] of DEMO.entries()) same(exported[i].entry.text, d.text, `exported text ${i}`);

  // Import into a fresh live blog.
  const dst = await createBlog(stack, { title: 'Copie' });
  const imp = await cli(['import', dst.id, file], dst.editor_token);
  assert.equal(imp.code, 0, imp.stderr);
  assert.equal(imp.stdout, `imported 6 entries, 1 edits, 1 deletions into ${dst.id} and ended it\n`);
  assert.equal(imp.stderr, '');

  const copied = await allEvents(stack.base, dst.id);
  assert.deepEqual(copied.map((e) => e.type), exported.map((e) => e.type));
  for (const [i, ev] of exported.entries()) {
    const cp = copied[i];
    if (ev.type === 'entry' || ev.type === 'edit') {
      assert.equal(cp.entry.id, ev.entry.id, `id ${i}`);
      same(cp.entry.text, ev.entry.text, `text ${i}`);
      assert.equal(cp.entry.title, ev.entry.title, `title ${i}`);
      assert.equal(cp.entry.key, ev.entry.key, `key ${i}`);
      assert.equal(cp.entry.author, ev.entry.author, `author ${i}`);
      // The original time travels as original_ts.
      assert.equal(cp.entry.original_ts ?? cp.entry.ts, ev.entry.ts, `original time ${i}`);
    } else if (ev.type === 'delete') {
      assert.equal(cp.entry_id, ev.entry_id);
    }
  }
  const a = fold(exported), b = fold(copied);
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [id, e] of a) same(b.get(id).text, e.text, `final text of ${id}`);
  same(b.get(posted[1].id).text, edited, 'the edit was applied');

  const blog = JSON.parse((await cli(['end', dst.id], dst.editor_token)).stdout);
  assert.equal(blog.state, 'ended');

  // A second export -> import keeps the first original times.
  const again = await cli(['export', dst.id]);
  const file2 = path.join(path.dirname(file), 'export2.jsonl');
  fs.writeFileSync(file2, again.stdout);
  const third = await createBlog(stack, { title: 'Copie de copie' });
  const imp2 = await cli(['import', third.id, file2], third.editor_token);
  assert.equal(imp2.code, 0, imp2.stderr);
  const thirdEvents = await allEvents(stack.base, third.id);
  assert.equal(thirdEvents[0].entry.original_ts ?? thirdEvents[0].entry.ts, exported[0].entry.ts);

  // And show renders the French text readably.
  const show = await cli(['show', dst.id]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /« Nous ne pouvons pas reconstruire la civilisation occidentale/);
  assert.match(show.stdout, /\n    \* dialoguent régulièrement avec les gouvernements/);
});

test('import into an ended blog fails with one line (409 ended)', async () => {
  const src = await createBlog(stack, { title: 'src' });
  await cli(['post', src.id, DEMO[0].text], src.editor_token);
  const out = await cli(['export', src.id]);
  const file = path.join(tempDir('liveblog-cli-'), 'e.jsonl');
  fs.writeFileSync(file, out.stdout);
  const dst = await createBlog(stack, { title: 'dst' });
  await cli(['end', dst.id], dst.editor_token);
  const r = await cli(['import', dst.id, file], dst.editor_token);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^liveblog: import [^:]+: event 1 \(entry [0-9-]+\): .*\(409 ended\)\n$/);
});

test('an interrupted import can be run again: entries are not duplicated', async () => {
  const src = await createBlog(stack, { title: 'src' });
  for (const d of DEMO.slice(0, 3)) await cli(['post', src.id, d.text], src.editor_token);
  const out = await cli(['export', src.id]);
  const dir = tempDir('liveblog-cli-');
  const partial = path.join(dir, 'partial.jsonl');
  const whole = path.join(dir, 'whole.jsonl');
  fs.writeFileSync(partial, out.stdout.split('\n').slice(0, 2).join('\n'));
  fs.writeFileSync(whole, out.stdout);
  const dst = await createBlog(stack, { title: 'dst' });
  let r = await cli(['import', dst.id, partial], dst.editor_token);
  assert.equal(r.code, 0, r.stderr);
  r = await cli(['import', dst.id, whole], dst.editor_token);
  assert.equal(r.code, 0, r.stderr);
  const evs = await allEvents(stack.base, dst.id);
  assert.equal(evs.length, 3);
  assert.deepEqual(evs.map((e) => e.entry.text), DEMO.slice(0, 3).map((d) => d.text));
});
