// Blogs: create, list, get, conflicts, auth and the exact wire shape (SPEC:
// Objects, Wire format, HTTP API).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, uniqueId, sleep, assertErrorBody,
	RFC3339_MS,
} from './harness.mjs';

const BLOG_KEYS = ['created_at', 'ended_at', 'entry_count', 'id', 'lang', 'state', 'title'];
const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

function assertBlogShape(b, { withToken = false } = {}) {
	const keys = withToken ? [...BLOG_KEYS, 'editor_token'].sort() : BLOG_KEYS;
	assert.deepEqual(Object.keys(b).sort(), keys, 'blog keys are exactly the SPEC ones');
	assert.match(b.id, SLUG_RE);
	assert.equal(typeof b.title, 'string');
	assert.ok(b.state === 'live' || b.state === 'ended', `state ${b.state}`);
	assert.match(b.created_at, RFC3339_MS);
	assert.ok(b.ended_at === null || RFC3339_MS.test(b.ended_at), `ended_at ${b.ended_at}`);
	assert.ok(Number.isInteger(b.entry_count) && b.entry_count >= 0, `entry_count ${b.entry_count}`);
}

describe('blogs', { timeout: 60000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('POST /api/blogs creates a live blog: 201, exact shape, editor_token', async () => {
		const id = uniqueId('create');
		const t0 = Date.now();
		const res = await api(s.base, 'POST', '/api/blogs',
			{ body: { id, title: 'Sommet « européen » — jour 1' }, token: s.adminToken });
		assert.equal(res.status, 201, res.text);
		assert.match(res.headers['content-type'] ?? '', /application\/json/);
		const b = res.json;
		assertBlogShape(b, { withToken: true });
		assert.equal(b.id, id);
		assert.equal(b.title, 'Sommet « européen » — jour 1');
		assert.equal(b.state, 'live');
		assert.equal(b.ended_at, null);
		assert.equal(b.entry_count, 0);
		assert.equal(typeof b.editor_token, 'string');
		assert.ok(b.editor_token.length >= 16, 'editor token is long enough to be a secret');
		assert.notEqual(b.editor_token, s.adminToken);
		const created = Date.parse(b.created_at);
		assert.ok(Math.abs(created - t0) < 60000, `created_at ${b.created_at} is near now`);
	});

	it('GET /api/blogs/{id} returns the blog without the editor token', async () => {
		const b = await createBlog(s, { id: uniqueId('get'), title: 'Get me' });
		const res = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(res.status, 200, res.text);
		assertBlogShape(res.json);
		const { editor_token: _t, ...expected } = b;
		assert.deepEqual(res.json, expected);
		assert.ok(!res.text.includes(b.editor_token), 'token never shown again');
	});

	it('entry_count counts posted entries', async () => {
		const b = await createBlog(s, { id: uniqueId('count') });
		await postEntry(s, b, { text: 'one' });
		await postEntry(s, b, { text: 'two' });
		const res = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(res.status, 200);
		assert.equal(res.json.entry_count, 2);
	});

	it('generates a valid unique slug when id is omitted', async () => {
		const a = await createBlog(s, { title: 'No id A' });
		const b = await createBlog(s, { title: 'No id B' });
		assert.match(a.id, SLUG_RE);
		assert.match(b.id, SLUG_RE);
		assert.notEqual(a.id, b.id);
		const res = await api(s.base, 'GET', `/api/blogs/${a.id}`);
		assert.equal(res.status, 200);
		assert.equal(res.json.title, 'No id A');
	});

	it('accepts slugs at the edges of [a-z0-9][a-z0-9-]{0,63}', async () => {
		const tag = Date.now().toString(36);
		const ok = ['z', '7', `x${tag}-`, `${tag}-a-b-c`, (`m${tag}`).padEnd(64, '-')];
		for (const id of ok) {
			const res = await api(s.base, 'POST', '/api/blogs', { body: { id, title: 'edge' }, token: s.adminToken });
			assert.equal(res.status, 201, `id ${JSON.stringify(id)}: ${res.text}`);
			assert.equal(res.json.id, id);
		}
	});

	it('rejects ids that break the slug rule with 400 bad_request and creates nothing', async () => {
		const tag = Date.now().toString(36);
		const bad = [`Upper${tag}`, `-lead${tag}`, `a${tag}`.padEnd(65, 'x'), `under_${tag}`,
			`sp ace${tag}`, `dot.${tag}`, `slash${tag}/x`, `é${tag}`, `${tag}%41`];
		for (const id of bad) {
			const res = await api(s.base, 'POST', '/api/blogs', { body: { id, title: 'bad' }, token: s.adminToken });
			assertErrorBody(res, 400, 'bad_request', `id ${JSON.stringify(id)}`);
		}
		for (const id of [123, true, ['x'], { a: 1 }]) {
			const res = await api(s.base, 'POST', '/api/blogs', { body: { id, title: 'bad' }, token: s.adminToken });
			assertErrorBody(res, 400, 'bad_request', `id ${JSON.stringify(id)}`);
		}
		const list = await api(s.base, 'GET', '/api/blogs');
		assert.equal(list.status, 200);
		const stored = list.json.blogs.filter((b) => b.title === 'bad').map((b) => b.id);
		assert.deepEqual(stored, [], 'no blog was created by a rejected request');
	});

	it('rejects a missing or non-string title with 400', async () => {
		for (const body of [{ id: uniqueId('nt') }, { id: uniqueId('nt'), title: 42 },
			{ id: uniqueId('nt'), title: null }, { id: uniqueId('nt'), title: ['a'] }]) {
			const res = await api(s.base, 'POST', '/api/blogs', { body, token: s.adminToken });
			assertErrorBody(res, 400, 'bad_request', JSON.stringify(body));
			const get = await api(s.base, 'GET', `/api/blogs/${body.id}`);
			assert.equal(get.status, 404, `${body.id} must not exist`);
		}
	});

	it('title limit is 300 bytes (not characters): 300 ok, 301 → 413 too_large', async () => {
		const okId = uniqueId('t300');
		const ok = await api(s.base, 'POST', '/api/blogs',
			{ body: { id: okId, title: 'é'.repeat(150) }, token: s.adminToken });
		assert.equal(ok.status, 201, ok.text);
		assert.equal(ok.json.title, 'é'.repeat(150));
		const badId = uniqueId('t302');
		const bad = await api(s.base, 'POST', '/api/blogs',
			{ body: { id: badId, title: 'é'.repeat(151) }, token: s.adminToken });
		assertErrorBody(bad, 413, 'too_large', '302-byte title');
		const bad2 = await api(s.base, 'POST', '/api/blogs',
			{ body: { id: badId, title: 'a'.repeat(301) }, token: s.adminToken });
		assertErrorBody(bad2, 413, 'too_large', '301-byte title');
		assert.equal((await api(s.base, 'GET', `/api/blogs/${badId}`)).status, 404);
	});

	it('duplicate id → 409 conflict and the original is unchanged', async () => {
		const id = uniqueId('dup');
		const first = await createBlog(s, { id, title: 'Original' });
		const res = await api(s.base, 'POST', '/api/blogs', { body: { id, title: 'Impostor' }, token: s.adminToken });
		assertErrorBody(res, 409, 'conflict');
		const same = await api(s.base, 'POST', '/api/blogs', { body: { id, title: 'Original' }, token: s.adminToken });
		assertErrorBody(same, 409, 'conflict', 'same title again');
		const get = await api(s.base, 'GET', `/api/blogs/${id}`);
		assert.equal(get.json.title, 'Original');
		assert.equal(get.json.created_at, first.created_at);
		// the original editor token still works
		await postEntry(s, first, { text: 'still mine' });
	});

	it('concurrent creates of one id: exactly one 201, the rest 409', async () => {
		const id = uniqueId('race');
		const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
			api(s.base, 'POST', '/api/blogs', { body: { id, title: `racer ${i}` }, token: s.adminToken })));
		const statuses = results.map((r) => r.status).sort();
		assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
		const winner = results.find((r) => r.status === 201).json;
		const get = await api(s.base, 'GET', `/api/blogs/${id}`);
		assert.equal(get.json.title, winner.title);
		// only the winner's token is an editor token for it
		await postEntry(s, winner, { text: 'winner posts' });
	});

	it('GET /api/blogs lists blogs newest first, without tokens', async () => {
		const ids = [];
		for (let i = 0; i < 3; i++) {
			const b = await createBlog(s, { id: uniqueId(`list${i}`), title: `List ${i}` });
			ids.push(b.id);
			await sleep(15);
		}
		const res = await api(s.base, 'GET', '/api/blogs');
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(Object.keys(res.json), ['blogs']);
		assert.ok(Array.isArray(res.json.blogs));
		for (const b of res.json.blogs)
			assertBlogShape(b);
		const order = res.json.blogs.map((b) => b.id).filter((id) => ids.includes(id));
		assert.deepEqual(order, [...ids].reverse());
		// overall order is by created_at descending
		const times = res.json.blogs.map((b) => Date.parse(b.created_at));
		for (let i = 1; i < times.length; i++)
			assert.ok(times[i - 1] >= times[i], `list not newest first at ${i}`);
		// the newest blog is first
		assert.equal(res.json.blogs[0].id, ids[2]);
	});

	it('unknown blog → 404 not_found', async () => {
		assertErrorBody(await api(s.base, 'GET', '/api/blogs/no-such-blog-here'), 404, 'not_found');
		assertErrorBody(await api(s.base, 'GET', '/api/blogs/no-such-blog-here/events'), 404, 'not_found');
	});

	it('creating needs the admin token: none, bad, Basic, or an editor token → 401', async () => {
		const editor = await createBlog(s, { id: uniqueId('ed') });
		const cases = [
			{ token: undefined },
			{ token: 'wrong-token' },
			{ token: `${s.adminToken}x` },
			{ token: s.adminToken.slice(0, -1) },
			{ token: editor.editor_token },
			{ headers: { authorization: `Basic ${Buffer.from(`admin:${s.adminToken}`).toString('base64')}` } },
			{ headers: { authorization: s.adminToken } },
			{ headers: { authorization: 'Bearer' } },
		];
		for (const c of cases) {
			const id = uniqueId('noauth');
			const res = await api(s.base, 'POST', '/api/blogs',
				{ body: { id, title: 'nope' }, token: c.token, headers: c.headers });
			assertErrorBody(res, 401, 'unauthorized', JSON.stringify(c));
			assert.equal((await api(s.base, 'GET', `/api/blogs/${id}`)).status, 404, 'nothing created');
		}
	});

	it('a new blog has an empty event log', async () => {
		const b = await createBlog(s, { id: uniqueId('empty') });
		const res = await api(s.base, 'GET', `/api/blogs/${b.id}/events`);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.events, []);
	});

	it('tokens are stored only as a hash: Redis never holds an editor or admin token', async () => {
		const a = await createBlog(s, { id: uniqueId('hash-a') });
		const b = await createBlog(s, { id: uniqueId('hash-b') });
		await postEntry(s, a, { text: 'x' });
		const dump = s.redis.cli('EVAL', DUMP_LUA, '0');
		assert.ok(dump.includes(a.id) && dump.includes(b.id), `the dump sees the blogs: ${dump.length} ${dump.slice(0, 200)}`);
		for (const t of [a.editor_token, b.editor_token, s.adminToken])
			assert.ok(!dump.includes(t), `a token is stored in clear in Redis`);
	});
});

/* Returns every key and value in Redis as one string. */
const DUMP_LUA = `
local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
  table.insert(out, k)
  local t = redis.call('TYPE', k).ok
  local vals = {}
  if t == 'string' then vals = { redis.call('GET', k) }
  elseif t == 'hash' then vals = redis.call('HGETALL', k)
  elseif t == 'set' then vals = redis.call('SMEMBERS', k)
  elseif t == 'zset' then vals = redis.call('ZRANGE', k, 0, -1)
  elseif t == 'list' then vals = redis.call('LRANGE', k, 0, -1)
  elseif t == 'stream' then
    for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do
      table.insert(vals, e[1])
      for _, v in ipairs(e[2]) do table.insert(vals, v) end
    end
  end
  for _, v in ipairs(vals) do table.insert(out, v) end
end
return table.concat(out, '\\n')
`;
