// Ending a liveblog (SPEC Rule 2: ended freezes, atomically).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, sleep, seqCmp,
	assertErrorBody, RFC3339_MS,
} from './harness.mjs';
import { endRace } from './races.mjs';


describe('end', { timeout: 90000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('POST /end → 200 blog with state ended and ended_at; the log ends with an ended event', async () => {
		const b = await createBlog(s, { id: uniqueId('end') });
		const e = await postEntry(s, b, { text: 'last words' });
		const t0 = Date.now();
		const res = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(Object.keys(res.json).sort(), ['created_at', 'ended_at', 'entry_count', 'id', 'lang', 'state', 'title']);
		assert.equal(res.json.id, b.id);
		assert.equal(res.json.state, 'ended');
		assert.match(res.json.ended_at, RFC3339_MS);
		assert.ok(Math.abs(Date.parse(res.json.ended_at) - t0) < 60000);
		assert.ok(Date.parse(res.json.ended_at) >= Date.parse(res.json.created_at));
		assert.equal(res.json.created_at, b.created_at);
		assert.equal(res.json.entry_count, 1);

		const get = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.deepEqual(get.json, res.json);

		const evs = await allEvents(s.base, b.id);
		assert.equal(evs.length, 2);
		assert.deepEqual(evs[0], { type: 'entry', seq: e.seq, entry: e });
		assert.deepEqual(Object.keys(evs[1]).sort(), ['ended_at', 'seq', 'type']);
		assert.equal(evs[1].type, 'ended');
		assert.equal(evs[1].ended_at, res.json.ended_at);
		assert.equal(seqCmp(evs[0].seq, evs[1].seq), -1);

		const list = await api(s.base, 'GET', '/api/blogs');
		const inList = list.json.blogs.find((x) => x.id === b.id);
		assert.deepEqual(inList, res.json);
	});

	it('ending twice → 200 with the same ended_at and a single ended event', async () => {
		const b = await createBlog(s, { id: uniqueId('end2') });
		const r1 = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(r1.status, 200, r1.text);
		await sleep(20);
		const r2 = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(r2.status, 200, r2.text);
		assert.deepEqual(r2.json, r1.json);
		const r3 = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: s.adminToken });
		assert.equal(r3.status, 200, r3.text);
		assert.equal(r3.json.ended_at, r1.json.ended_at);
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs.map((e) => e.type), ['ended']);
	});

	it('concurrent ends → all 200, one ended_at, one ended event', async () => {
		const b = await createBlog(s, { id: uniqueId('endc') });
		await postEntry(s, b, { text: 'x' });
		const rs = await Promise.all(Array.from({ length: 8 }, () =>
			api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token })));
		assert.deepEqual(rs.map((r) => r.status), Array(8).fill(200));
		assert.equal(new Set(rs.map((r) => r.json.ended_at)).size, 1);
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs.map((e) => e.type), ['entry', 'ended']);
	});

	it('writes after end → 409 ended and the log does not change', async () => {
		const b = await createBlog(s, { id: uniqueId('frozen') });
		const e = await postEntry(s, b, { text: 'before' });
		await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		const before = await allEvents(s.base, b.id);
		assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'after' }, token: b.editor_token }), 409, 'ended', 'POST');
		assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id: randomUUID(), text: 'after' }, token: s.adminToken }), 409, 'ended', 'POST admin');
		assertErrorBody(await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body: { text: 'changed' }, token: b.editor_token }), 409, 'ended', 'PATCH');
		assertErrorBody(await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body: { pinned: true }, token: b.editor_token }), 409, 'ended', 'PATCH pin');
		assertErrorBody(await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e.id}`, { token: b.editor_token }), 409, 'ended', 'DELETE');
		assert.deepEqual(await allEvents(s.base, b.id), before);
		const get = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(get.json.entry_count, 1);
		assert.equal(get.json.state, 'ended');
	});

	it('bad token on end → 401 and the blog stays live', async () => {
		const b = await createBlog(s, { id: uniqueId('endauth') });
		assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: 'nope' }), 401, 'unauthorized');
		assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/end`), 401, 'unauthorized', 'no token');
		const get = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(get.json.state, 'live');
		assert.equal(get.json.ended_at, null);
		assert.deepEqual(await allEvents(s.base, b.id), []);
	});

	it('the ended race: concurrent posts and edits while ending — nothing slips past ended', async () => {
		let created = 0;
		let refused = 0;
		for (let round = 0; round < 3; round++) {
			const b = await createBlog(s, { id: uniqueId(`race${round}`) });
			const r = await endRace(s.base, s.base, b, { endDelayMs: 30 + round * 20 });
			created += r.created;
			refused += r.refused;
		}
		// the race really raced: some writes were accepted and some refused
		assert.ok(created > 0, 'some posts were accepted before the end');
		assert.ok(refused > 0, 'some posts were refused after the end');
	});

	it('an ended blog\'s event list is cacheable (long max-age, ETag, 304); a live one is not', async () => {
		const b = await createBlog(s, { id: uniqueId('cache') });
		await postEntry(s, b, { text: 'x' });
		const liveRes = await api(s.base, 'GET', `/api/blogs/${b.id}/events`);
		const liveAge = /max-age=(\d+)/.exec(liveRes.headers['cache-control'] ?? '');
		assert.ok(!liveAge || Number(liveAge[1]) <= 60, `a live blog's events are not cached long: ${liveRes.headers['cache-control']}`);
		await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		const res = await api(s.base, 'GET', `/api/blogs/${b.id}/events`);
		assert.equal(res.status, 200);
		const age = /max-age=(\d+)/.exec(res.headers['cache-control'] ?? '');
		assert.ok(age && Number(age[1]) >= 3600, `long-lived Cache-Control: ${res.headers['cache-control']}`);
		const etag = res.headers.etag;
		assert.ok(etag, 'an ETag');
		const again = await fetch(`${s.base}/api/blogs/${b.id}/events`, { headers: { 'if-none-match': etag } });
		assert.equal(again.status, 304);
		assert.equal(await again.text(), '');
	});
});
