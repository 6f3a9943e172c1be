// Redaction (SPEC "Redaction"): a legal takedown. After POST .../redact the
// entry's text is nowhere: not in any Redis key (every key scanned, every
// type dumped), not in what any instance serves (events, streams joining
// after, replay, pages, JSON-LD, the CLI's export), and readers connected
// anywhere get {"type":"redact"} and drop it. On a live blog and on an ended
// one (whose pages are cached, revalidated and change their ETag).
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
	reportSection, faultTest, startRedis, startDaemon, createBlog, postEntry,
	api, allEvents, wsOpen, uniqueId, sleep, sseOpen, teardown, RFC3339_MS,
	REPO_ROOT, tempDir,
} from './lib.mjs';
import { makeImages, noiseJpeg, upload, getMedia } from '../media/lib.mjs';

reportSection(import.meta.url, 'Redaction');

const CLI = process.env.LIVEBLOG_CLI || `${REPO_ROOT}/build/liveblog`;

const run = promisify(execFile);

/*
 * Every key of the Redis, dumped by type, as one string (asynchronously:
 * a blocked test process would reuse keep-alive sockets the server closed).
 */
async function dumpRedis(redis) {
	const cli = async (...args) => (await run('redis-cli', ['-p', String(redis.port), ...args])).stdout;
	const keys = (await cli('--scan')).split('\n').filter(Boolean);
	let all = keys.join('\n');
	for (const k of keys) {
		const type = (await cli('TYPE', k)).trim();
		const dump = {
			string: ['GET', k], hash: ['HGETALL', k], list: ['LRANGE', k, '0', '-1'],
			set: ['SMEMBERS', k], zset: ['ZRANGE', k, '0', '-1'], stream: ['XRANGE', k, '-', '+'],
		}[type];
		assert.ok(dump, `a key of a type this test cannot read: ${k} (${type})`);
		all += `\n${k}:\n${await cli(...dump)}`;
	}
	return all;
}

const text = async (base, path, headers = {}) => {
	const res = await fetch(base + path, { headers });
	return { status: res.status, headers: res.headers, body: await res.text() };
};

/* Everything an instance serves about blog b, as one string. */
async function served(d, b) {
	const parts = [];
	parts.push(JSON.stringify(await allEvents(d.base, b.id)));
	parts.push((await text(d.base, `/blogs/${b.id}`)).body);
	parts.push((await text(d.base, `/api/blogs/${b.id}`)).body);
	const ws = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
	await ws.waitFor((m) => m.type === 'live' || m.type === 'ended', 10000);
	parts.push(JSON.stringify(ws.messages));
	ws.close();
	const rp = wsOpen(`${d.wsBase}/ws/blogs/${b.id}?replay=10000`);
	await rp.waitFor((m) => m.type === 'live' || m.type === 'ended', 20000);
	parts.push(JSON.stringify(rp.messages));
	rp.close();
	const sse = sseOpen(d.base, `/sse/blogs/${b.id}`);
	await sse.waitFor((m) => m.type === 'live' || m.type === 'ended', 10000);
	parts.push(sse.raw);
	sse.close();
	parts.push((await run(CLI, ['--server', d.base, 'export', b.id])).stdout);
	return parts.join('\n');
}

describe('redaction', { timeout: 240000 }, () => {
	let redis;
	const daemons = [];
	let a;
	let c;
	before(async () => {
		redis = await startRedis();
		// a small ring, so that catch-up pages hold the entry too
		const args = ['--reader-backlog', '8', '--workers', '1'];
		a = await startDaemon({ redisUrl: redis.url, args });
		c = await startDaemon({ redisUrl: redis.url, args });
		daemons.push(a, c);
	});
	after(async () => { await teardown({ daemons, redis }); });

	faultTest('a live blog: the text is gone from Redis and every instance, connected readers drop the entry', async (t, row) => {
		const marker = `Zebulon${randomUUID().slice(0, 8)}`;
		row.fault = 'an entry whose text, title and author name a person, edited twice, 20 entries after it (a ring of 8: it sits in catch-up pages), readers on WS and SSE on two instances; then the admin redacts it';
		const b = await createBlog({ base: a.base, adminToken: a.adminToken }, { id: uniqueId('redact') });
		const stack = { base: a.base };
		await postEntry(stack, b, { text: 'before' });
		const e = await postEntry(stack, b, { text: `* ${marker} was here`, title: `About ${marker}`, author: marker, key: true, pinned: true });
		for (const body of [{ text: `${marker} again` }, { title: `${marker} title` }])
			assert.equal((await api(a.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body, token: b.editor_token })).status, 200);
		for (let i = 0; i < 20; i++)
			await postEntry(stack, b, { text: `after ${i}` });
		const before = await allEvents(a.base, b.id);
		// readers everywhere, and pages filled by a reader from the start
		const readers = [];
		for (const d of [a, c]) {
			readers.push(wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
			readers.push(sseOpen(d.base, `/sse/blogs/${b.id}`));
		}
		for (const r of readers)
			await r.waitFor((m) => m.type === 'live', 10000);
		assert.ok((await dumpRedis(redis)).includes(marker), 'the marker is in Redis before');
		assert.ok((await served(c, b)).includes(marker), 'and served before');

		const editor = await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${e.id}/redact`, { body: {}, token: b.editor_token });
		assert.equal(editor.status, 401, 'the editor token is not enough');
		const res = await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${e.id}/redact`, { body: { reason: 'court order 12-3' }, token: a.adminToken });
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(Object.keys(res.json).sort(), ['entry_id', 'redacted_at']);
		assert.equal(res.json.entry_id, e.id);
		assert.match(res.json.redacted_at, RFC3339_MS);
		for (const r of readers) {
			const m = await r.waitFor((x) => x.type === 'redact', 10000);
			assert.deepEqual(m, { type: 'redact', entry_id: e.id });
		}
		const after = await allEvents(a.base, b.id);
		assert.deepEqual(after.map((x) => [x.seq, x.type]), before.map((x) => [x.seq, x.type]), 'every event keeps its seq and type; the log does not grow');
		for (const ev of after.filter((x) => x.entry?.id === e.id)) {
			const { ts, ...rest } = ev.entry;
			assert.match(ts, RFC3339_MS);
			assert.deepEqual(rest, { id: e.id, seq: e.seq, redacted: true, author: '', title: '', text: '', key: false, pinned: false, revision: rest.revision });
		}
		const inRedis = await dumpRedis(redis);
		assert.ok(!inRedis.includes(marker), 'no Redis key holds the text');
		assert.ok(inRedis.includes('court order 12-3'), 'the reason is kept with the redaction');
		for (const d of [a, c])
			assert.ok(!(await served(d, b)).includes(marker), `${d.base} serves no trace of it`);
		const again = await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${e.id}/redact`, { body: {}, token: a.adminToken });
		assert.equal(again.status, 200);
		assert.equal(again.json.redacted_at, res.json.redacted_at, 'redacting twice is harmless');
		assert.equal((await api(a.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body: { text: 'back' }, token: b.editor_token })).status, 404, 'it cannot be edited back');
		assert.equal((await api(a.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id: e.id, text: `* ${marker} was here` }, token: b.editor_token })).status, 409, 'nor posted again under its id');
		assert.equal((await api(a.base, 'GET', `/api/blogs/${b.id}`)).json.entry_count, 21);
		for (const r of readers)
			r.close();
		row.readers = '4 connected readers (WS and SSE on two instances) got {"type":"redact"}; new readers, replays, SSE, pages and exports on both instances hold no trace';
		row.writers = 'the editor token is refused (401); the entry can be neither edited back (404) nor posted again (409)';
		row.lost = 'the text, everywhere: no Redis key holds it (every key dumped), every event keeps its seq and type';
	});

	faultTest('an ended blog: pages revalidate with a new ETag, the ended event stays last', async (t, row) => {
		const marker = `Quirinus${randomUUID().slice(0, 8)}`;
		row.fault = 'an ended blog whose page and events were served (cached, max-age) before its entry is redacted';
		const b = await createBlog({ base: a.base, adminToken: a.adminToken }, { id: uniqueId('redend') });
		const e = await postEntry({ base: a.base }, b, { text: `${marker} said so` });
		await postEntry({ base: a.base }, b, { text: 'other' });
		assert.equal((await api(a.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token })).status, 200);
		const page = await text(c.base, `/blogs/${b.id}`);
		assert.equal(page.status, 200);
		assert.ok(page.body.includes(marker));
		const cc = page.headers.get('cache-control');
		assert.match(cc, /^public, max-age=3600$/, 'cacheable for --ended-max-age, never immutable');
		const etag = page.headers.get('etag');
		assert.equal((await text(c.base, `/blogs/${b.id}`, { 'if-none-match': etag })).status, 304);
		const evs = await text(c.base, `/api/blogs/${b.id}/events`);
		assert.match(evs.headers.get('cache-control'), /^public, max-age=3600$/);

		const res = await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${e.id}/redact`, { body: {}, token: a.adminToken });
		assert.equal(res.status, 200, res.text);
		await sleep(300);   /* the feed tells every instance */
		const page2 = await text(c.base, `/blogs/${b.id}`, { 'if-none-match': etag });
		assert.equal(page2.status, 200, 'the old ETag no longer matches');
		assert.notEqual(page2.headers.get('etag'), etag);
		assert.ok(!page2.body.includes(marker));
		const evs2 = await text(c.base, `/api/blogs/${b.id}/events`, { 'if-none-match': evs.headers.get('etag') });
		assert.equal(evs2.status, 200);
		assert.ok(!evs2.body.includes(marker));
		const log = JSON.parse(evs2.body).events;
		assert.equal(log.length, 3);
		assert.equal(log.at(-1).type, 'ended', 'the ended event stays last');
		assert.ok(!(await dumpRedis(redis)).includes(marker), 'no Redis key holds the text');
		for (const d of [a, c])
			assert.ok(!(await served(d, b)).includes(marker), `${d.base} serves no trace of it`);
		row.readers = 'the cached page (304 before) is served again with a new ETag and without the text on both instances';
		row.writers = 'n/a';
		row.lost = 'the text, everywhere; the ended event stays last';
	});

	faultTest('pictures: a redacted entry\'s pictures leave Redis and every instance\'s memory; shared and deleted entries\' stay', async (t, row) => {
		row.fault = 'pictures served (so kept in memory) by two instances; then entries are redacted: one whose picture another entry also shows, one whose pictures (one in an earlier edit) are its own; a deleted entry\'s picture is left';
		const b = await createBlog({ base: a.base, adminToken: a.adminToken }, { id: uniqueId('redpic') });
		const stack = { base: a.base };
		const all = makeImages();
		const pic = {
			shared: all.find((i) => i.name === 'png-alpha.png'),
			alone: all.find((i) => i.name === 'demo.jpg'),
			earlier: all.find((i) => i.name === 'gif-640x360.gif'),
			deleted: noiseJpeg(64, 48, { seed: 7 }),
		};
		for (const img of Object.values(pic))
			assert.equal((await upload(a.base, b.id, b.editor_token, img.buf, img.type)).status, 201, img.name);
		const x = await postEntry(stack, b, { text: 'shares its picture', media: [{ id: pic.shared.id, alt: 'shared' }] });
		await postEntry(stack, b, { text: 'shows it too', media: [{ id: pic.shared.id, alt: 'shared again' }] });
		const z = await postEntry(stack, b, { text: 'its own', media: [{ id: pic.earlier.id, alt: 'first' }] });
		assert.equal((await api(a.base, 'PATCH', `/api/blogs/${b.id}/entries/${z.id}`, { token: b.editor_token,
			body: { media: [{ id: pic.alone.id, alt: 'alone' }] } })).status, 200);
		const del = await postEntry(stack, b, { text: 'deleted, not redacted', media: [{ id: pic.deleted.id, alt: 'kept' }] });
		assert.equal((await api(a.base, 'DELETE', `/api/blogs/${b.id}/entries/${del.id}`, { token: b.editor_token })).status, 200);
		// both instances serve every picture: each keeps them in memory
		for (const d of [a, c])
			for (const img of Object.values(pic))
				assert.equal((await getMedia(d.base, img.id)).status, 200, `${img.name} on ${d.base}`);
		const readBefore = Number(/cmdstat_hmget:calls=(\d+)/.exec(redis.cli('INFO', 'commandstats'))?.[1] ?? 0);
		for (const img of Object.values(pic))
			assert.equal((await getMedia(c.base, img.id)).status, 200);
		assert.equal(Number(/cmdstat_hmget:calls=(\d+)/.exec(redis.cli('INFO', 'commandstats'))?.[1] ?? 0), readBefore,
			'served from memory: no read of Redis');

		const res = await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${x.id}/redact`, { body: {}, token: a.adminToken });
		assert.equal(res.status, 200, res.text);
		const byCli = await run(CLI, ['--server', a.base, '--token', a.adminToken, 'redact', b.id, z.id]);
		assert.equal(JSON.parse(byCli.stdout).entry_id, z.id, 'liveblog redact');
		const t0 = Date.now();
		const statuses = async (d) => Object.fromEntries(await Promise.all(Object.entries(pic).map(async ([k, img]) =>
			[k, (await getMedia(d.base, img.id)).status])));
		const want = { shared: 200, alone: 404, earlier: 404, deleted: 200 };
		for (const d of [a, c]) {
			let got;
			while (Date.now() - t0 < 3000) {
				got = await statuses(d);
				if (JSON.stringify(got) === JSON.stringify(want))
					break;
				await sleep(50);
			}
			assert.deepEqual(got, want, `${d.base}: the redacted pictures 404 within 3 s (the cache kept them 60 s before)`);
		}
		const ms = Date.now() - t0;
		assert.equal(redis.cli('EXISTS', `lb:media:${pic.alone.id}`, `lb:media:${pic.earlier.id}`).trim(), '0', 'their bytes left Redis');
		assert.equal(redis.cli('HLEN', `lb:blog:${b.id}:media`).trim(), '2', 'the blog holds the shared and the deleted entry\'s');
		assert.ok(!redis.cli('HGET', `lb:blog:${b.id}:entries`, z.id).includes('media'), 'the redacted value lists no picture once they are handled');
		// again: harmless, nothing more goes
		assert.equal((await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${x.id}/redact`, { body: {}, token: a.adminToken })).status, 200);
		assert.deepEqual(await statuses(c), want);

		// a redaction whose second step (the pictures) never ran: redacting again finishes it
		const lone = noiseJpeg(48, 32, { seed: 11 });
		assert.equal((await upload(a.base, b.id, b.editor_token, lone.buf, lone.type)).status, 201);
		const w = await postEntry(stack, b, { text: 'half redacted', media: [{ id: lone.id, alt: 'lone' }] });
		assert.equal((await getMedia(c.base, lone.id)).status, 200);
		const k = (suffix) => `lb:blog:${b.id}${suffix}`;
		const script = fs.readFileSync(path.join(REPO_ROOT, 'src/store/scripts/redact.lua'), 'utf8');
		await run('redis-cli', ['-p', String(redis.port), 'EVAL', script, '8', k(''), k(':log'), k(':entries'),
			k(':fp'), 'lb:feed', k(':redactions'), k(':order'), k(':keys'), w.id, '', '10000']);
		assert.equal((await getMedia(c.base, lone.id)).status, 200, 'redact.lua alone deletes no picture');
		assert.equal((await api(a.base, 'POST', `/api/blogs/${b.id}/entries/${w.id}/redact`, { body: {}, token: a.adminToken })).status, 200);
		for (const d of [a, c]) {
			let st = 200;
			for (let i = 0; i < 60 && st !== 404; i++, await sleep(50))
				st = (await getMedia(d.base, lone.id)).status;
			assert.equal(st, 404, `${d.base}: the second redaction deleted it`);
		}

		// the CLI's export holds the pictures left and nothing of the others; import agrees
		const out = await run(CLI, ['--server', a.base, 'export', b.id]);
		const lines = out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(lines.filter((l) => l.type === 'media').map((l) => l.id).sort(), [pic.shared.id, pic.deleted.id].sort());
		for (const img of [pic.alone, pic.earlier])
			assert.ok(!out.stdout.includes(img.id) && !out.stdout.includes(img.buf.toString('base64').slice(0, 64)),
				`no trace of ${img.name} in the export`);
		const file = path.join(tempDir('liveblog-redact-'), 'export.jsonl');
		fs.writeFileSync(file, out.stdout);
		const redis2 = await startRedis();
		const other = await startDaemon({ redisUrl: redis2.url });
		try {
			const dst = await createBlog({ base: other.base, adminToken: other.adminToken }, { id: uniqueId('redimp') });
			await run(CLI, ['--server', other.base, '--token', dst.editor_token, 'import', dst.id, file]);
			for (const [k, img] of Object.entries(pic))
				assert.equal((await getMedia(other.base, img.id)).status, want[k], `${img.name} after import`);
		} finally {
			await teardown({ daemons: [other], redis: redis2 });
		}
		row.readers = `both instances answer 404 for the redacted entries' pictures within ${ms} ms (their memory dropped on the feed's media_gone), 200 for the one another entry shows and for the deleted entry's`;
		row.writers = 'n/a';
		row.lost = 'the redacted entries\' pictures (also one named only by an earlier edit): bytes and claims gone from Redis, absent from the export; an import of the export agrees';
	});
});
