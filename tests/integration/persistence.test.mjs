// Redis is the system of record: restarting the daemon, and Redis with AOF,
// keeps blogs and logs (SPEC: Rule 1, Running).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startRedis, startDaemon, api, createBlog, postEntry, allEvents, uniqueId,
	assertErrorBody, wsOpen, sleep,
} from './harness.mjs';

describe('persistence across restarts', { timeout: 90000 }, () => {
	let redis;
	let d;
	let live;
	let ended;
	let snapshot;

	async function takeSnapshot(base) {
		const blogs = (await api(base, 'GET', '/api/blogs')).json.blogs;
		return {
			blogs,
			live: await allEvents(base, live.id),
			ended: await allEvents(base, ended.id),
		};
	}

	before(async () => {
		redis = await startRedis({ appendonly: true });
		d = await startDaemon({ redisUrl: redis.url });
		live = await createBlog(d, { id: uniqueId('keep-live'), title: 'Still live' });
		ended = await createBlog(d, { id: uniqueId('keep-ended'), title: 'Over' });
		const e = await postEntry(d, live, { text: 'first', key: true, author: 'K' });
		await postEntry(d, live, { text: 'second', pinned: true });
		await api(d.base, 'PATCH', `/api/blogs/${live.id}/entries/${e.id}`, { body: { text: 'first (fixed)' }, token: live.editor_token });
		await postEntry(d, ended, { text: 'the end is near' });
		const res = await api(d.base, 'POST', `/api/blogs/${ended.id}/end`, { token: ended.editor_token });
		assert.equal(res.status, 200);
		snapshot = await takeSnapshot(d.base);
		assert.equal(snapshot.live.length, 3);
		assert.equal(snapshot.ended.length, 2);
	});
	after(async () => {
		if (d?.alive())
			await d.stop();
		await redis?.stop();
	});

	it('a daemon restart keeps blogs, events and editor tokens', async () => {
		assert.equal(await d.stop(), 0, 'clean exit on SIGTERM');
		d = await startDaemon({ redisUrl: redis.url });
		assert.deepEqual(await takeSnapshot(d.base), snapshot);
		// the editor token was stored (as a hash) and still works
		const e = await postEntry(d, live, { text: 'after daemon restart' });
		snapshot.live.push({ type: 'entry', seq: e.seq, entry: e });
		snapshot = await takeSnapshot(d.base);
		assertErrorBody(await api(d.base, 'POST', `/api/blogs/${ended.id}/entries`, { body: { text: 'no' }, token: ended.editor_token }), 409, 'ended');
	});

	it('a Redis restart with AOF keeps everything too', async () => {
		assert.equal(await d.stop(), 0);
		await redis.restart();
		d = await startDaemon({ redisUrl: redis.url });
		assert.deepEqual(await takeSnapshot(d.base), snapshot);
		const e = await postEntry(d, live, { text: 'after redis restart' });
		const evs = await allEvents(d.base, live.id);
		assert.deepEqual(evs.at(-1), { type: 'entry', seq: e.seq, entry: e });
		assert.equal(evs.length, snapshot.live.length + 1);
		// a reader resumes from a seq seen before the restarts
		const r = wsOpen(`${d.wsBase}/ws/blogs/${live.id}?since=${snapshot.live[1].seq}`);
		await r.waitFor((m) => m.type === 'live');
		assert.ok(!r.messages.some((m) => m.type === 'reset'));
		assert.deepEqual(r.events(), evs.slice(2));
		r.close();
		const get = await api(d.base, 'GET', `/api/blogs/${ended.id}`);
		assert.equal(get.json.state, 'ended');
	});

	it('an idempotent retry still matches after a restart (ids are stored in Redis)', async () => {
		const first = await postEntry(d, live, { id: '5b1f3e2a-8c4d-4f6e-9a7b-0c1d2e3f4a5b', text: 'retry me' });
		assert.equal(await d.stop(), 0);
		d = await startDaemon({ redisUrl: redis.url });
		const retry = await api(d.base, 'POST', `/api/blogs/${live.id}/entries`,
			{ body: { id: first.id, text: 'retry me' }, token: live.editor_token });
		assert.equal(retry.status, 200, retry.text);
		assert.deepEqual(retry.json, first);
	});

	it('acknowledged means stored: every 201 survives a SIGKILL of the daemon', async () => {
		const b = await createBlog(d, { id: uniqueId('kill9') });
		const acked = [];
		for (let i = 0; i < 20; i++)
			acked.push(await postEntry(d, b, { text: `k${i}` }));
		await d.kill9();
		d = await startDaemon({ redisUrl: redis.url });
		const evs = await allEvents(d.base, b.id);
		assert.deepEqual(evs.map((e) => e.entry), acked);
	});

	it('SIGTERM with posts in flight: every acknowledged post is stored once, no 503 is', async () => {
		const b = await createBlog(d, { id: uniqueId('term') });
		const jobs = [];
		let stopping = null;
		for (let i = 0; i < 60; i++) {
			const id = randomUUID();
			jobs.push(api(d.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id, text: `t${i}` }, token: b.editor_token })
				.then((res) => ({ id, res }), (err) => ({ id, err })));
			if (i === 20)
				stopping = d.stop('SIGTERM');
			if (i % 4 === 0)
				await sleep(1);
		}
		const results = await Promise.all(jobs);
		assert.equal(await stopping, 0, 'clean exit');
		d = await startDaemon({ redisUrl: redis.url });
		const evs = await allEvents(d.base, b.id);
		const ids = evs.map((e) => e.entry.id);
		assert.equal(new Set(ids).size, ids.length, 'no entry twice');
		let acked = 0;
		for (const r of results) {
			if (r.err)
				continue;	// no answer: may or may not be stored
			if (r.res.status === 201) {
				acked++;
				assert.ok(ids.includes(r.id), `post ${r.id} got 201 before shutdown but is not stored`);
			} else {
				assertErrorBody(r.res, 503, 'unavailable', `post during shutdown (${r.res.status})`);
				assert.ok(!ids.includes(r.id), `post ${r.id} got 503 but is stored`);
			}
		}
		assert.ok(acked >= 1, 'some posts were acknowledged before the shutdown');
	});
});
