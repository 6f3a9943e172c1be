// Entries with pictures (SPEC "Pictures"): "media" on post and edit, resolved
// in the wire entry when it is written (so events carry it), checked to be
// the blog's atomically in append.lua; and the store's media_gc op for
// redaction, run by tests/store/store_cli against the same Redis.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, createBlog, allEvents, uniqueId, assertErrorBody, wsOpen,
	REPO_ROOT,
} from './harness.mjs';
import { makeImages, noiseJpeg, upload, getMedia } from '../media/lib.mjs';

const STORE_CLI = process.env.STORE_CLI || path.join(REPO_ROOT, 'build/tests/store_cli');

const wire = (img, extra = {}) => ({
	id: img.id, type: img.type, width: img.width, height: img.height,
	url: `/media/${img.id}`, ...extra,
});

describe('entries with pictures', { timeout: 120000 }, () => {
	let s, b, other, imgs;
	const post = (body, blog = b) => api(s.base, 'POST', `/api/blogs/${blog.id}/entries`,
		{ token: blog.editor_token, body });
	const patch = (id, body, blog = b) => api(s.base, 'PATCH', `/api/blogs/${blog.id}/entries/${id}`,
		{ token: blog.editor_token, body });

	before(async () => {
		s = await startStack();
		b = await createBlog(s, { id: uniqueId('pics') });
		other = await createBlog(s, { id: uniqueId('pics-other') });
		const all = makeImages();
		imgs = ['jpeg-640x360.jpg', 'png-alpha.png', 'webp-lossy.webp', 'gif-640x360.gif', 'jpeg-exif6.jpg']
			.map((n) => all.find((i) => i.name === n));
		for (const img of imgs)
			assert.equal((await upload(s.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
	});
	after(async () => { await s?.stop(); });

	it('POST with media → 201; each picture resolved (type, width, height, url); /events and WebSocket carry the same', async () => {
		const r = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await r.waitFor((m) => m.type === 'live');
		const res = await post({ text: 'Two pictures', media: [
			{ id: imgs[0].id, alt: 'The hall', caption: 'Before the vote', credit: 'AFP' },
			{ id: imgs[4].id.toUpperCase(), alt: 'Rotated', type: 'image/gif', url: '/evil', width: 1 },
		] });
		assert.equal(res.status, 201, res.text);
		assert.deepEqual(res.json.media, [
			wire(imgs[0], { alt: 'The hall', caption: 'Before the vote', credit: 'AFP' }),
			wire(imgs[4], { alt: 'Rotated' }),
		]);
		assert.equal(res.json.media[1].width, 360, 'the size as shown: after EXIF orientation');
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs.at(-1).entry, res.json);
		const frame = await r.waitFor((m) => m.type === 'entry' && m.entry.id === res.json.id);
		assert.deepEqual(frame.entry, res.json);
		r.close();
		// the stored payload holds the resolved items: an event read back later needs no lookup
		const stored = s.redis.cli('HGET', `lb:blog:${b.id}:entries`, res.json.id);
		assert.match(stored, /"type":"image\/jpeg","width":640,"height":360/);
	});

	it('a picture that is not the blog\'s (another blog\'s, never uploaded) → 400 and nothing stored', async () => {
		const theirs = noiseJpeg(40, 30, { seed: 31 });
		assert.equal((await upload(s.base, other.id, other.editor_token, theirs.buf, theirs.type)).status, 201);
		const before = await allEvents(s.base, b.id);
		for (const id of [theirs.id, 'f'.repeat(64)]) {
			const res = await post({ text: 'x', media: [{ id: imgs[0].id, alt: 'ok' }, { id, alt: 'not ours' }] });
			assertErrorBody(res, 400, 'bad_request');
			assert.match(res.json.message, new RegExp(`Picture ${id} is not one of this blog's pictures`));
		}
		assert.deepEqual(await allEvents(s.base, b.id), before);
	});

	it('bad media → 400/413 with the field named', async () => {
		const cases = [
			[{ media: 'x' }, 400, /"media" must be a list/],
			[{ media: imgs.map((i) => ({ id: i.id, alt: 'a' })) }, 400, /at most 4/],
			[{ media: [{ id: imgs[0].id }] }, 400, /"media"\[0\]\.alt is required/],
			[{ media: [{ id: imgs[0].id, alt: '   ' }] }, 400, /must not be empty/],
			[{ media: [{ id: imgs[0].id, alt: 'a'.repeat(301) }] }, 413, /longer than 300 bytes/],
			[{ media: [{ id: 'abc', alt: 'a' }] }, 400, /"media"\[0\]\.id must be a picture id/],
			[{ media: [{ id: imgs[0].id, alt: 'a' }, { id: imgs[0].id, alt: 'b' }] }, 400, /repeats/],
			[{ media: [{ id: imgs[0].id, alt: 'a', credit: 5 }] }, 400, /credit must be a string/],
		];
		for (const [extra, status, re] of cases) {
			const res = await post({ text: 'x', ...extra });
			assertErrorBody(res, status, status === 413 ? 'too_large' : 'bad_request', JSON.stringify(extra).slice(0, 80));
			assert.match(res.json.message, re);
		}
	});

	it('PATCH media replaces the list, [] removes it, other edits keep it', async () => {
		const e = (await post({ text: 'edit me', media: [{ id: imgs[1].id, alt: 'one' }] })).json;
		let res = await patch(e.id, { media: [{ id: imgs[2].id, alt: 'two' }, { id: imgs[3].id, alt: 'three', caption: 'c' }] });
		assert.equal(res.status, 200, res.text);
		assert.equal(res.json.revision, 2);
		assert.deepEqual(res.json.media, [wire(imgs[2], { alt: 'two' }), wire(imgs[3], { alt: 'three', caption: 'c' })]);
		res = await patch(e.id, { text: 'text only' });
		assert.deepEqual(res.json.media, [wire(imgs[2], { alt: 'two' }), wire(imgs[3], { alt: 'three', caption: 'c' })]);
		assert.equal(res.json.text, 'text only');
		res = await patch(e.id, { media: [] });
		assert.equal(res.status, 200, res.text);
		assert.equal('media' in res.json, false, JSON.stringify(res.json));
		assert.equal(res.json.revision, 4);
		res = await patch(e.id, { media: [{ id: 'e'.repeat(64), alt: 'x' }] });
		assertErrorBody(res, 400, 'bad_request');
		const evs = (await allEvents(s.base, b.id)).filter((ev) => ev.entry?.id === e.id);
		assert.deepEqual(evs.map((ev) => ev.entry.media?.length ?? 0), [1, 2, 2, 0]);
	});

	it('a retry with the same id and pictures → 200 stored entry; different pictures → 409 conflict', async () => {
		const id = randomUUID();
		const body = { id, text: 'retry', media: [{ id: imgs[0].id, alt: 'x' }] };
		const first = await post(body);
		assert.equal(first.status, 201, first.text);
		const again = await post(body);
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.json, first.json);
		assertErrorBody(await post({ ...body, media: [{ id: imgs[1].id, alt: 'x' }] }), 409, 'conflict');
	});

	it('an ended blog answers 409 ended before looking at the pictures', async () => {
		const e = await createBlog(s, { id: uniqueId('pics-ended') });
		assert.equal((await upload(s.base, e.id, e.editor_token, imgs[0].buf, imgs[0].type)).status, 201);
		assert.equal((await api(s.base, 'POST', `/api/blogs/${e.id}/end`, { token: e.editor_token, body: {} })).status, 200);
		assertErrorBody(await post({ text: 'x', media: [{ id: 'f'.repeat(64), alt: 'a' }] }, e), 409, 'ended');
		assertErrorBody(await post({ text: 'x', media: [{ id: imgs[0].id, alt: 'a' }] }, e), 409, 'ended');
	});
});

describe('media_gc (the store op redaction calls)', { timeout: 120000 }, () => {
	let s;
	const gc = (blog, entry, ...ids) => JSON.parse(execFileSync(STORE_CLI,
		[s.redis.url, 'media_gc', blog, entry, ...ids], { encoding: 'utf8' }));
	const has = (blog, img) => s.redis.cli('HEXISTS', `lb:blog:${blog}:media`, img.id).trim() === '1';
	const bytes = (img) => s.redis.cli('EXISTS', `lb:media:${img.id}`).trim() === '1';

	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('keeps what any other entry names (current, edited away, deleted); deletes the rest; bytes go with the last blog', async () => {
		const b = await createBlog(s, { id: uniqueId('gc') });
		const b2 = await createBlog(s, { id: uniqueId('gc-2') });
		const p = Array.from({ length: 6 }, (_, i) => noiseJpeg(20 + i, 20, { seed: 40 + i }));
		for (const img of p)
			assert.equal((await upload(s.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		assert.equal((await upload(s.base, b2.id, b2.editor_token, p[0].buf, p[0].type)).status, 201);
		const mk = async (media) => (await api(s.base, 'POST', `/api/blogs/${b.id}/entries`, {
			token: b.editor_token, body: { text: 't', media: media.map((img) => ({ id: img.id, alt: 'a' })) },
		})).json;
		const red = await mk([p[0], p[1], p[2]]);   // the entry being "redacted"
		const keeps = await mk([p[1]]);             // another current entry names p1
		const edited = await mk([p[2]]);            // its first event names p2, then edited away
		await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${edited.id}`, { token: b.editor_token, body: { media: [] } });
		const del = await mk([p[3]]);               // deleted: its events still name p3
		await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${del.id}`, { token: b.editor_token });
		assert.ok(keeps.id && del.id);
		// p4 never posted (an upload waiting for its entry), p5 posted nowhere either

		const res = gc(b.id, red.id);
		assert.equal(res.status, 'ok', JSON.stringify(res));
		assert.deepEqual(res.result.deleted, [p[0].id], 'only p0: p1 and p2 are named elsewhere');
		assert.equal(has(b.id, p[0]), false);
		assert.equal(bytes(p[0]), true, 'b2 still holds p0: its bytes stay');
		assert.equal((await getMedia(s.base, p[0].id)).status, 200);
		for (const img of [p[1], p[2], p[3], p[4], p[5]])
			assert.equal(has(b.id, img), true, img.name);

		// ids given as candidates (events already rewritten): p3 is named by the deleted entry
		assert.deepEqual(gc(b.id, '', p[3].id, p[4].id, 'f'.repeat(64)).result.deleted, [p[4].id]);
		assert.equal(bytes(p[4]), false, 'no blog holds p4: its bytes are gone');
		assert.deepEqual(gc(b2.id, '', p[0].id).result.deleted, [p[0].id]);
		assert.equal(bytes(p[0]), false, 'the last holder let go of p0');
		assert.equal((await getMedia(s.addDaemon ? (await s.addDaemon()).base : s.base, p[0].id)).status, 404,
			'a fresh instance finds it gone');
	});

	it('with neither entry nor ids: every picture of the blog no entry names', async () => {
		const b = await createBlog(s, { id: uniqueId('gc-all') });
		const p = [noiseJpeg(30, 20, { seed: 50 }), noiseJpeg(31, 20, { seed: 51 })];
		for (const img of p)
			assert.equal((await upload(s.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		await api(s.base, 'POST', `/api/blogs/${b.id}/entries`,
			{ token: b.editor_token, body: { text: 't', media: [{ id: p[0].id, alt: 'a' }] } });
		assert.deepEqual(gc(b.id, '').result.deleted, [p[1].id]);
		assert.deepEqual(gc(b.id, '').result.deleted, []);
		assert.deepEqual(gc(uniqueId('gc-none'), '').result.deleted, [], 'an unknown blog: nothing');
	});
});
