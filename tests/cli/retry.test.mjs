// Network faults between the client and a real daemon: a post whose answer
// is lost is retried with the same id and stored once; a daemon that comes
// up late still gets the post; a tail whose connection is cut resumes from
// its last seq without gaps or duplicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, startDaemon, createBlog, allEvents, freePort, sleep, VALGRIND } from '../integration/harness.mjs';
import { run, spawnCli, waitFor, startProxy } from './cli.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.stop(); });

const isPost = (head) => /^POST \/api\/blogs\/[^/]+\/entries /.test(head);
const bodyOf = (conn) => JSON.parse(conn.data.slice(conn.data.indexOf('\r\n\r\n') + 4));

test('a post whose answer is lost is retried with the same id and stored once', async () => {
  const blog = await createBlog(stack, { title: 'retry' });
  let swallowed = 0;
  const proxy = await startProxy(stack.daemon.port, (head) => (isPost(head) && swallowed++ === 0 ? 'swallow' : 'forward'));
  try {
    const r = await run(['post', blog.id, '--title', 'Une fois', 'Publié une seule fois'], {
      env: { LIVEBLOG_SERVER: proxy.url, LIVEBLOG_TOKEN: blog.editor_token },
    });
    assert.equal(r.code, 0, r.stderr);
    const posts = proxy.conns.filter((c) => isPost(c.head));
    assert.equal(posts.length, 2, 'sent twice');
    const [first, second] = posts.map(bodyOf);
    assert.deepEqual(second, first, 'the retry is the same request, same id');
    const printed = JSON.parse(r.stdout);
    assert.equal(printed.id, first.id);
    const evs = await allEvents(stack.base, blog.id);
    assert.equal(evs.length, 1, 'stored exactly once');
    assert.equal(evs[0].entry.id, first.id);
    assert.equal(evs[0].entry.text, 'Publié une seule fois');
  } finally {
    await proxy.close();
  }
});

test('a reset connection is retried with the same id', async () => {
  const blog = await createBlog(stack, { title: 'reset' });
  const proxy = await startProxy(stack.daemon.port, (head, i) => (i === 0 ? 'reset' : 'forward'));
  try {
    const r = await run(['post', blog.id, 'après un reset'], {
      env: { LIVEBLOG_SERVER: proxy.url, LIVEBLOG_TOKEN: blog.editor_token },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(proxy.conns.length, 2);
    assert.equal(bodyOf(proxy.conns[1]).id, JSON.parse(r.stdout).id);
    assert.equal((await allEvents(stack.base, blog.id)).length, 1);
  } finally {
    await proxy.close();
  }
});

// The client retries for about 1.4 s (200 ms doubling); valgrind starts the
// daemon slower than that.
test('a post to a daemon that comes up a moment later gets through', { skip: VALGRIND && 'slow daemon start under valgrind' }, async () => {
  const blog = await createBlog(stack, { title: 'late daemon' });
  const port = await freePort();
  const post = spawnCli(['post', blog.id, 'arrivé malgré tout'], {
    env: { LIVEBLOG_SERVER: `http://127.0.0.1:${port}`, LIVEBLOG_TOKEN: blog.editor_token },
  });
  // Nothing listens yet: the first tries are refused, a retry reaches the
  // daemon started meanwhile.
  await sleep(250);
  assert.equal(post.child.exitCode, null, 'still retrying');
  const late = await startDaemon({ redisUrl: stack.redis.url, adminToken: stack.adminToken, port });
  try {
    const r = await post.done;
    assert.equal(r.code, 0, r.stderr);
    const evs = await allEvents(stack.base, blog.id);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].entry.id, JSON.parse(r.stdout).id);
  } finally {
    await late.stop();
  }
});

test('tail resumes after its connection is cut: no gap, no duplicate', async () => {
  const blog = await createBlog(stack, { title: 'cut' });
  const token = blog.editor_token;
  const post = async (text) => {
    const r = await run(['post', blog.id, text], { env: { LIVEBLOG_SERVER: stack.base, LIVEBLOG_TOKEN: token } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const proxy = await startProxy(stack.daemon.port);
  const tail = spawnCli(['tail', blog.id], { env: { LIVEBLOG_SERVER: proxy.url } });
  try {
    const one = await post('avant la coupure');
    await waitFor(() => tail.out.stdout.includes('avant la coupure'), 'the first entry');
    proxy.cut();
    await post('pendant la coupure');
    await waitFor(() => tail.out.stdout.includes('pendant la coupure'), 'the entry posted while cut');
    const ws = proxy.conns.filter((c) => /^GET \/ws\/blogs\//.test(c.head));
    assert.ok(ws.length >= 2, 'reconnected');
    assert.match(ws[0].head, new RegExp(`^GET /ws/blogs/${blog.id} HTTP/1.1`));
    assert.match(ws[1].head, new RegExp(`^GET /ws/blogs/${blog.id}\\?since=${one.seq} HTTP/1.1`));
    assert.match(ws[1].head, /sec-websocket-protocol: liveblog\.v1/i);
    await post('après la coupure');
    await waitFor(() => tail.out.stdout.includes('après la coupure'), 'the entry posted after');
    const end = await run(['end', blog.id], { env: { LIVEBLOG_SERVER: stack.base, LIVEBLOG_TOKEN: token } });
    assert.equal(end.code, 0, end.stderr);
    const r = await tail.done;
    assert.equal(r.code, 0, r.stderr);
    for (const t of ['avant la coupure', 'pendant la coupure', 'après la coupure']) {
      assert.equal(r.stdout.split(`    ${t}\n`).length, 2, `${t} exactly once`);
    }
    assert.ok(r.stdout.indexOf('avant') < r.stdout.indexOf('pendant'));
    assert.ok(r.stdout.indexOf('pendant') < r.stdout.indexOf('après'));
    assert.match(r.stderr, /^liveblog: tail [^:]+: connection lost; reconnecting in \d+\.\d s\n$/);
  } finally {
    tail.child.kill();
    await proxy.close();
  }
});
