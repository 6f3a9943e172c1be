// Long blogs (SPEC part two, "Search, sharing, feeds, long blogs"): the
// reader page renders the newest --page-entries entries plus the pinned
// one and the key events' summary, from one atomic read that never loads
// the whole blog; "Show older updates" pages through GET
// /api/blogs/{id}/entries?before=SEQ&limit=N → {"entries":[...newest
// first...],"next":SEQ|null} (current entries, deleted ones left out).
// A blog of 5,000 entries: its first screen costs one Redis round trip and
// weighs under 200 KB (the figures are printed).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	startRedis, startDaemon, api, createBlog, postEntry, uniqueId, seqCmp,
	assertErrorBody, REPO_ROOT,
} from './harness.mjs';

const DEMO = fs.readFileSync(path.join(REPO_ROOT, 'demo', 'article-fr.jsonl'), 'utf8')
	.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

/* Every current entry through the API, page by page. */
async function walk(base, id, limit) {
	const out = [];
	let before = null;
	for (let i = 0; i < 10000; i++) {
		const q = new URLSearchParams({ limit: String(limit) });
		if (before) q.set('before', before);
		const res = await api(base, 'GET', `/api/blogs/${id}/entries?${q}`);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(Object.keys(res.json).sort(), ['entries', 'next']);
		assert.ok(res.json.entries.length <= limit);
		out.push(...res.json.entries);
		if (res.json.next === null) return out;
		assert.equal(res.json.next, res.json.entries.at(-1).seq, 'next: the last seq returned');
		before = res.json.next;
	}
	throw new Error('no end');
}

/* The current entries, from the log (what the index must agree with). */
async function current(base, id) {
	const m = new Map();
	let since = null;
	for (;;) {
		const q = new URLSearchParams({ limit: '1000' });
		if (since) q.set('since', since);
		const evs = (await api(base, 'GET', `/api/blogs/${id}/events?${q}`)).json;
		for (const ev of evs.events) {
			if (ev.type === 'entry' || ev.type === 'edit') m.set(ev.entry.id, ev.entry);
			if (ev.type === 'delete') m.delete(ev.entry_id);
		}
		if (evs.events.length < 1000) break;
		since = evs.next;
	}
	return [...m.values()].sort((a, b) => seqCmp(b.seq, a.seq));
}

function commandStats(redis) {
	const out = {};
	for (const line of redis.cli('INFO', 'commandstats').split(/\r?\n/)) {
		const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
		if (m) out[m[1]] = Number(m[2]);
	}
	return out;
}
function statsDelta(a, b) {
	const d = {};
	for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
		const n = (b[k] ?? 0) - (a[k] ?? 0);
		if (n && k !== 'info') d[k] = n;
	}
	return d;
}

const articleIds = (html) => [...html.matchAll(/<article class="entry[^"]*" id="entry-([0-9a-f-]{36})"/g)].map((m) => m[1]);
const olderBefore = (html) => /<p id="older" class="older" data-before="([^"]+)">/.exec(html)?.[1] ?? null;
const keyItems = (html) => [...html.matchAll(/<li data-entry-id="([0-9a-f-]{36})" data-seq="[^"]*"><time[^>]*>[^<]*<\/time><a href="([^"]*)">/g)]
	.map((m) => ({ id: m[1], href: m[2] }));
const ldUpdates = (html) => JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)[1]).liveBlogUpdate;

describe('long blogs', { timeout: 300000 }, () => {
	let redis;
	let d;

	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, args: ['--page-entries', '5'] });
	});
	after(async () => {
		await d?.stop();
		await redis?.stop();
	});

	it('GET /api/blogs/{id}/entries pages through the current entries, newest first', async () => {
		const b = await createBlog(d, { id: uniqueId('pg') });
		const posted = [];
		for (let i = 0; i < 12; i++)
			posted.push(await postEntry(d, b, { text: `Entrée ${i}`, key: i % 4 === 0 }));
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${posted[3].id}`, { token: b.editor_token });
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${posted[11].id}`, { token: b.editor_token });
		await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${posted[5].id}`,
			{ body: { text: 'Entrée 5, corrigée', pinned: true }, token: b.editor_token });
		const cur = await current(d.base, b.id);
		assert.equal(cur.length, 10);
		for (const limit of [1, 3, 4, 10, 100]) {
			const all = await walk(d.base, b.id, limit);
			assert.deepEqual(all.map((e) => e.id), cur.map((e) => e.id), `limit ${limit}: every current entry once, newest first`);
		}
		const all = await walk(d.base, b.id, 100);
		const five = all.find((e) => e.id === posted[5].id);
		assert.equal(five.text, 'Entrée 5, corrigée');
		assert.equal(five.pinned, true);
		assert.equal(five.revision, 2);
		assert.deepEqual(all, cur, 'the wire entries, as the log has them');
		/* before is exclusive; the default limit is 30; an old seq gives nothing */
		const res = await api(d.base, 'GET', `/api/blogs/${b.id}/entries?before=${cur[2].seq}`);
		assert.deepEqual(res.json.entries.map((e) => e.id), cur.slice(3).map((e) => e.id));
		assert.equal(res.json.next, null);
		assert.deepEqual((await api(d.base, 'GET', `/api/blogs/${b.id}/entries?before=1-0`)).json,
			{ entries: [], next: null });
	});

	it('GET .../entries refuses bad input: 400 for before and limit, 404 for an unknown blog', async () => {
		const b = await createBlog(d, { id: uniqueId('pgbad') });
		for (const q of ['before=x', 'before=12-', 'before=-1', 'limit=0', 'limit=101', 'limit=x', 'limit=', 'before=1-0&limit=1e3'])
			assertErrorBody(await api(d.base, 'GET', `/api/blogs/${b.id}/entries?${q}`), 400, 'bad_request', q);
		assertErrorBody(await api(d.base, 'GET', `/api/blogs/${uniqueId('none')}/entries`), 404, 'not_found');
		assert.deepEqual((await api(d.base, 'GET', `/api/blogs/${b.id}/entries`)).json, { entries: [], next: null });
	});

	it('the page: the newest --page-entries, the pinned one, every key event in the summary', async () => {
		const b = await createBlog(d, { id: uniqueId('win') });
		const p = [];
		for (let i = 0; i < 12; i++)
			p.push(await postEntry(d, b, { text: `Entrée ${i}`, key: i === 1 || i === 9, pinned: i === 2 }));
		let html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		let cur = await current(d.base, b.id);
		assert.deepEqual(articleIds(html), [...cur.slice(0, 5).map((e) => e.id), p[2].id],
			'the newest five, then the pinned one');
		assert.equal(olderBefore(html), cur[4].seq, '"Show older updates" reads before the fifth');
		assert.deepEqual(keyItems(html), [
			{ id: p[9].id, href: `#entry-${p[9].id}` },
			{ id: p[1].id, href: `${d.base}/blogs/${b.id}/entries/${p[1].id}` },
		], 'key events: in the page, or linking to their own page');
		assert.ok(html.includes('<nav id="key-events" class="key-events" aria-labelledby="key-heading">'));
		assert.equal(ldUpdates(html).length, 6, 'the JSON-LD holds the updates the page shows');
		/* an edit takes the key mark away, a delete shifts the window */
		await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${p[1].id}`, { body: { key: false }, token: b.editor_token });
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${p[11].id}`, { token: b.editor_token });
		html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		cur = await current(d.base, b.id);
		assert.deepEqual(articleIds(html), [...cur.slice(0, 5).map((e) => e.id), p[2].id]);
		assert.deepEqual(keyItems(html).map((k) => k.id), [p[9].id]);
		/* a short blog has no "Show older updates" */
		const s = await createBlog(d, { id: uniqueId('short') });
		for (let i = 0; i < 5; i++) await postEntry(d, s, { text: `x${i}` });
		html = (await api(d.base, 'GET', `/blogs/${s.id}`)).text;
		assert.equal(articleIds(html).length, 5);
		assert.equal(olderBefore(html), null);
		assert.ok(html.includes('<p id="older" class="older" hidden>'));
	});

	it('a blog written before the index: built on its first page read, appends meanwhile kept', async () => {
		const b = await createBlog(d, { id: uniqueId('legacy') });
		const p = [];
		for (let i = 0; i < 8; i++) p.push(await postEntry(d, b, { text: `Ancien ${i}`, key: i === 0 }));
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${p[7].id}`, { token: b.editor_token });
		/* as an older liveblogd left it: no zsets, no indexed field */
		redis.cli('DEL', `lb:blog:${b.id}:order`, `lb:blog:${b.id}:keys`);
		redis.cli('HDEL', `lb:blog:${b.id}`, 'indexed');
		p.push(await postEntry(d, b, { text: 'Posted before the first read' }));
		const html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const cur = await current(d.base, b.id);
		assert.equal(cur.length, 8);
		assert.deepEqual(articleIds(html), cur.slice(0, 5).map((e) => e.id));
		assert.deepEqual(keyItems(html).map((k) => k.id), [p[0].id]);
		assert.equal(redis.cli('HGET', `lb:blog:${b.id}`, 'indexed').trim(), '1');
		assert.equal(Number(redis.cli('ZCARD', `lb:blog:${b.id}:order`)), 8);
		assert.deepEqual((await walk(d.base, b.id, 3)).map((e) => e.id), cur.map((e) => e.id));
	});

	it('5,000 entries: the first screen is one Redis round trip and under 200 KB', async (t) => {
		const big = await startDaemon({ redisUrl: redis.url });   /* --page-entries 30 */
		try {
			const b = await createBlog(big, { id: uniqueId('big'), title: 'Soirée électorale, en direct' });
			const N = 5000;
			let next = 0;
			const t0 = Date.now();
			await Promise.all(Array.from({ length: 16 }, async () => {
				while (next < N) {
					const i = next++;
					const demo = DEMO[i % DEMO.length];
					const res = await api(big.base, 'POST', `/api/blogs/${b.id}/entries`, {
						body: { text: `${demo.text} (${i})`, ...(demo.title ? { title: demo.title } : {}), key: !!demo.key },
						token: b.editor_token,
					});
					assert.equal(res.status, 201);
				}
			}));
			t.diagnostic(`posted ${N} entries in ${Date.now() - t0} ms`);
			await api(big.base, 'GET', `/blogs/${b.id}`);   /* the script is loaded in Redis */
			const before = commandStats(redis);
			const t1 = process.hrtime.bigint();
			const res = await api(big.base, 'GET', `/blogs/${b.id}`);
			const ms = Number(process.hrtime.bigint() - t1) / 1e6;
			const delta = statsDelta(before, commandStats(redis));
			const bytes = Buffer.byteLength(res.text);
			t.diagnostic(`first screen of ${N} entries: ${bytes} bytes, ${ms.toFixed(1)} ms, Redis commands ${JSON.stringify(delta)}`);
			assert.equal(res.status, 200);
			assert.equal(delta.evalsha, 1, 'one round trip: one EVALSHA');
			for (const k of Object.keys(delta))
				assert.ok(['evalsha', 'hgetall', 'hget', 'zrevrangebylex', 'hmget', 'exists',
					'xread', 'xadd', 'xtrim', 'ping', 'publish', 'pexpire'].includes(k), `unexpected ${k}`);   /* pexpire: the delivery canary's key */
			assert.equal(delta.hgetall ?? 0, 1, 'one HGETALL: the blog hash, never the entries hash');
			assert.ok(bytes < 200 * 1024, `${bytes} bytes`);
			assert.equal(articleIds(res.text).length, 30);
			assert.equal(keyItems(res.text).length, 100, 'the summary: the newest 100 key events');
			/* and "Show older updates" reaches the first entry */
			const all = await walk(big.base, b.id, 100);
			assert.equal(all.length, N);
			assert.equal(new Set(all.map((e) => e.id)).size, N);
			for (let i = 1; i < all.length; i++)
				assert.equal(seqCmp(all[i - 1].seq, all[i].seq), 1);
		} finally {
			await big.stop();
		}
	});
});
