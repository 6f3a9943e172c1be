// GET /api/blogs/{id}/events paging (SPEC: Wire format, HTTP API).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, uniqueId, seqCmp, assertErrorBody, SEQ_RE,
} from './harness.mjs';

describe('events paging', { timeout: 60000 }, () => {
	let s;
	let b;
	let entries;
	let all;
	const ev = (q = '') => api(s.base, 'GET', `/api/blogs/${b.id}/events${q}`);

	before(async () => {
		s = await startStack();
		b = await createBlog(s, { id: uniqueId('paging') });
		entries = [];
		for (let i = 0; i < 7; i++)
			entries.push(await postEntry(s, b, { text: `entry ${i}`, author: 'P' }));
		const edit = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${entries[2].id}`,
			{ body: { text: 'entry 2 fixed' }, token: b.editor_token });
		assert.equal(edit.status, 200);
		const del = await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${entries[3].id}`, { token: b.editor_token });
		assert.equal(del.status, 200);
		const res = await ev();
		assert.equal(res.status, 200, res.text);
		all = res.json.events;
	});
	after(async () => { await s?.stop(); });

	it('returns every event in order with next = last seq', async () => {
		const res = await ev();
		assert.deepEqual(Object.keys(res.json).sort(), ['events', 'next']);
		assert.equal(all.length, 9);
		assert.deepEqual(all.map((e) => e.type), ['entry', 'entry', 'entry', 'entry', 'entry', 'entry', 'entry', 'edit', 'delete']);
		for (let i = 0; i < 7; i++)
			assert.deepEqual(all[i], { type: 'entry', seq: entries[i].seq, entry: entries[i] });
		assert.equal(all[7].entry.id, entries[2].id);
		assert.equal(all[8].entry_id, entries[3].id);
		for (const e of all)
			assert.match(e.seq, SEQ_RE);
		for (let i = 1; i < all.length; i++)
			assert.equal(seqCmp(all[i - 1].seq, all[i].seq), -1, `order at ${i}`);
		assert.equal(res.json.next, all.at(-1).seq);
		assert.match(res.headers['content-type'] ?? '', /application\/json/);
	});

	it('since is exclusive', async () => {
		for (const k of [0, 3, 7]) {
			const res = await ev(`?since=${all[k].seq}`);
			assert.equal(res.status, 200, res.text);
			assert.deepEqual(res.json.events, all.slice(k + 1));
			assert.equal(res.json.next, all.at(-1).seq);
		}
	});

	it('since 0-0 returns everything', async () => {
		const res = await ev('?since=0-0');
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.events, all);
	});

	it('limit caps the page and next is the last seq returned', async () => {
		const res = await ev('?limit=3');
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json.events, all.slice(0, 3));
		assert.equal(res.json.next, all[2].seq);
		const res2 = await ev(`?since=${all[2].seq}&limit=2`);
		assert.deepEqual(res2.json.events, all.slice(3, 5));
		assert.equal(res2.json.next, all[4].seq);
		const one = await ev('?limit=1');
		assert.deepEqual(one.json.events, all.slice(0, 1));
	});

	it('paging with limit and next visits every event exactly once', async () => {
		for (const limit of [1, 2, 4]) {
			const seen = [];
			let since = null;
			for (let guard = 0; guard < 50; guard++) {
				const res = await ev(`?limit=${limit}${since ? `&since=${since}` : ''}`);
				assert.equal(res.status, 200, res.text);
				assert.ok(res.json.events.length <= limit);
				if (res.json.events.length === 0) {
					assert.equal(res.json.next, since, 'next = since when nothing follows');
					break;
				}
				seen.push(...res.json.events);
				since = res.json.next;
			}
			assert.deepEqual(seen, all, `limit ${limit}`);
		}
	});

	it('nothing after since → empty list, next = the since given', async () => {
		const last = all.at(-1).seq;
		const res = await ev(`?since=${last}`);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { events: [], next: last });
		const far = '99999999999999-0';
		const res2 = await ev(`?since=${far}`);
		assert.equal(res2.status, 200, res2.text);
		assert.deepEqual(res2.json, { events: [], next: far });
	});

	it('malformed since → 400 bad_request', async () => {
		for (const bad of ['abc', '1-2-3', '-1', '1-', '-', '1-x', '%20', '1.5-0', '18446744073709551616-0']) {
			const res = await ev(`?since=${bad}`);
			assertErrorBody(res, 400, 'bad_request', `since=${bad}`);
		}
	});

	it('a new entry shows up after the last next', async () => {
		const b2 = await createBlog(s, { id: uniqueId('tailing') });
		const first = await postEntry(s, b2, { text: 'a' });
		const p1 = await api(s.base, 'GET', `/api/blogs/${b2.id}/events`);
		assert.equal(p1.json.next, first.seq);
		const second = await postEntry(s, b2, { text: 'b' });
		const p2 = await api(s.base, 'GET', `/api/blogs/${b2.id}/events?since=${p1.json.next}`);
		assert.deepEqual(p2.json, { events: [{ type: 'entry', seq: second.seq, entry: second }], next: second.seq });
	});

	it('unknown blog → 404', async () => {
		assertErrorBody(await api(s.base, 'GET', '/api/blogs/nope-nope/events?since=0-0'), 404, 'not_found');
	});
});
