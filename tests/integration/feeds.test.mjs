// A blog's feeds (SPEC part two, "Search, sharing, feeds, long blogs"):
// /blogs/{id}/feed.atom (RFC 4287) and /blogs/{id}/feed.json (JSON Feed
// 1.1), the newest 50 entries, each with id urn:uuid:ENTRY, its title, its
// text as escaped HTML paragraphs (the page's rules), published/updated
// times and its permalink, in the blog's language; linked from the reader
// page. The Atom feed is checked by a real parser, xmllint, against the
// RELAX NG schema of RFC 4287 appendix B (tests/feeds/atom.rng) plus the
// RFC's rules that schema leaves to Schematron; the JSON Feed against
// version 1.1's rules.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, freePort, api, createBlog, postEntry, uniqueId, tempDir,
} from './harness.mjs';
import { validateAtom, xpath, A } from './atom.mjs';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const dir = tempDir('liveblog-feeds-');

/* The entry-body HTML of an entry in the reader page: the feed's content. */
function pageBody(html, id) {
	const m = new RegExp(`id="entry-${id}"[\\s\\S]*?<div class="entry-body">([\\s\\S]*?)</div></article>`).exec(html);
	assert.ok(m, `entry ${id} in the page`);
	return m[1];
}

describe('feeds', { timeout: 120000 }, () => {
	let redis;
	let d;
	let base;

	before(async () => {
		redis = await startRedis();
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		d = await startDaemon({ redisUrl: redis.url, port, args: ['--publisher', 'Le Quotidien'] });
	});
	after(async () => {
		await d?.stop();
		await redis?.stop();
	});

	async function frenchBlog() {
		const res = await api(d.base, 'POST', '/api/blogs',
			{ body: { id: uniqueId('feed'), title: 'Sommet « européen » & <direct>', lang: 'fr' }, token: d.adminToken });
		assert.equal(res.status, 201);
		const b = res.json;
		const e = [
			await postEntry(d, b, { text: 'Ouverture du sommet.', title: 'C’est parti', author: 'Anne & Bob' }),
			await postEntry(d, b, { text: 'Les points :\n* un <b>gras</b>\n* deux & trois\n\nEt </content> ]]> la suite\u0007.' }),
			await postEntry(d, b, { text: 'Sera supprimée.' }),
			await postEntry(d, b, { text: 'Avant correction.' }),
		];
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${e[2].id}`, { token: b.editor_token });
		await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${e[3].id}`,
			{ body: { text: 'Après correction.' }, token: b.editor_token });
		return { b, e };
	}

	it('Atom: valid against RFC 4287\'s schema; ids, titles, HTML paragraphs, times, permalinks, language', async () => {
		const { b, e } = await frenchBlog();
		const res = await api(d.base, 'GET', `/blogs/${b.id}/feed.atom`);
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
		const file = validateAtom(res.text, dir);
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		/* the rules the RFC's schema leaves to Schematron, and SPEC's */
		assert.equal(xpath(file, `string(/${A('feed')}/@*[local-name()='lang'])`), 'fr');
		assert.equal(xpath(file, `string(/${A('feed')}/${A('title')})`), b.title);
		assert.equal(xpath(file, `string(/${A('feed')}/${A('author')}/${A('name')})`), 'Le Quotidien');
		assert.equal(xpath(file, `string(/${A('feed')}/${A('link')}[@rel='self']/@href)`), `${base}/blogs/${b.id}/feed.atom`);
		assert.equal(xpath(file, `string(/${A('feed')}/${A('link')}[@rel='alternate']/@href)`), `${base}/blogs/${b.id}`);
		assert.equal(xpath(file, `count(//${A('entry')})`), '3', 'the deleted entry is not in it');
		const ids = [3, 1, 0].map((i) => `urn:uuid:${e[i].id}`);
		for (let i = 0; i < 3; i++) {
			const entry = `//${A('entry')}[${i + 1}]`;
			assert.equal(xpath(file, `string(${entry}/${A('id')})`), ids[i], 'newest first');
			const id = ids[i].slice(9);
			const cur = (await api(d.base, 'GET', `/api/blogs/${b.id}/entries?limit=100`)).json.entries.find((x) => x.id === id);
			assert.equal(xpath(file, `string(${entry}/${A('published')})`), cur.ts);
			assert.equal(xpath(file, `string(${entry}/${A('updated')})`), cur.edited_ts ?? cur.ts);
			assert.equal(xpath(file, `string(${entry}/${A('link')}[@rel='alternate']/@href)`), `${base}/blogs/${b.id}/entries/${id}`);
			assert.equal(xpath(file, `string(${entry}/${A('content')}/@type)`), 'html');
			/* the content is the page's HTML of the text, escaped once in the XML */
			assert.equal(xpath(file, `string(${entry}/${A('content')})`),
				pageBody(page, id).replace(/\u0007/g, ''));
		}
		assert.equal(xpath(file, `string(//${A('entry')}[3]/${A('title')})`), 'C’est parti');
		assert.equal(xpath(file, `string(//${A('entry')}[3]/${A('author')}/${A('name')})`), 'Anne & Bob');
		assert.equal(xpath(file, `string(//${A('entry')}[2]/${A('title')})`),
			'Les points : un <b>gras</b> deux & trois Et </content> ]]> la suite.');
		assert.match(xpath(file, `string(//${A('entry')}[2]/${A('content')})`),
			/^<p>Les points :<\/p><ul><li>un &lt;b&gt;gras&lt;\/b&gt;<\/li><li>deux &amp; trois<\/li><\/ul><p>Et &lt;\/content&gt; \]\]&gt; la suite\.<\/p>$/);
		assert.ok(!res.text.includes('\u0007'), 'no character XML refuses');
	});

	it('JSON Feed 1.1: version, required fields, unique ids, RFC 3339 dates, HTML content', async () => {
		const { b, e } = await frenchBlog();
		const res = await api(d.base, 'GET', `/blogs/${b.id}/feed.json`);
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], 'application/feed+json; charset=utf-8');
		const f = res.json;
		assert.equal(f.version, 'https://jsonfeed.org/version/1.1');
		assert.equal(f.title, b.title);
		assert.equal(f.home_page_url, `${base}/blogs/${b.id}`);
		assert.equal(f.feed_url, `${base}/blogs/${b.id}/feed.json`);
		assert.equal(f.language, 'fr');
		assert.deepEqual(f.authors, [{ name: 'Le Quotidien' }]);
		assert.ok(Array.isArray(f.items));
		assert.equal(f.items.length, 3);
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const seen = new Set();
		for (const it of f.items) {
			/* 1.1: id (a string, unique), content_html or content_text */
			assert.equal(typeof it.id, 'string');
			assert.ok(!seen.has(it.id), 'ids unique');
			seen.add(it.id);
			assert.match(it.id, /^urn:uuid:[0-9a-f-]{36}$/);
			assert.equal(typeof it.content_html, 'string');
			for (const k of ['date_published', 'date_modified'])
				if (k in it) assert.match(it[k], RFC3339, k);
			assert.ok(new URL(it.url).href.startsWith(`${base}/blogs/${b.id}/entries/`));
			assert.equal(typeof it.title, 'string');
			assert.ok(it.title.length > 0);
			assert.equal(it.content_html, pageBody(page, it.id.slice(9)));
			for (const k of Object.keys(it))
				assert.ok(['id', 'url', 'title', 'content_html', 'date_published', 'date_modified', 'authors'].includes(k), k);
		}
		assert.deepEqual(f.items.map((it) => it.id), [3, 1, 0].map((i) => `urn:uuid:${e[i].id}`));
		assert.equal(f.items[0].date_modified, (await api(d.base, 'GET', `/api/blogs/${b.id}/entries`)).json.entries[0].edited_ts);
		assert.deepEqual(f.items[2].authors, [{ name: 'Anne & Bob' }]);
	});

	it('the newest 50 entries; linked from the reader page; cached once ended; 404 unknown', async () => {
		const b = await createBlog(d, { id: uniqueId('feed50'), title: 'Cinquante' });
		const ids = [];
		for (let i = 0; i < 55; i++) ids.push((await postEntry(d, b, { text: `n° ${i}` })).id);
		const json = (await api(d.base, 'GET', `/blogs/${b.id}/feed.json`)).json;
		assert.deepEqual(json.items.map((it) => it.id.slice(9)), ids.slice(5).reverse());
		const atom = (await api(d.base, 'GET', `/blogs/${b.id}/feed.atom`)).text;
		const file = validateAtom(atom, dir);
		assert.equal(xpath(file, `count(//${A('entry')})`), '50');
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		assert.ok(page.includes(`<link rel="alternate" type="application/atom+xml" title="Atom feed" href="${base}/blogs/${b.id}/feed.atom">`));
		assert.ok(page.includes(`<link rel="alternate" type="application/feed+json" title="JSON Feed" href="${base}/blogs/${b.id}/feed.json">`));
		await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		for (const f of ['feed.atom', 'feed.json']) {
			const r = await api(d.base, 'GET', `/blogs/${b.id}/${f}`);
			assert.ok(r.headers.etag, f);
			assert.match(r.headers['cache-control'], /max-age=/);
			assert.equal((await api(d.base, 'GET', `/blogs/${b.id}/${f}`, { headers: { 'if-none-match': r.headers.etag } })).status, 304);
		}
		validateAtom((await api(d.base, 'GET', `/blogs/${b.id}/feed.atom`)).text, dir);
		for (const f of ['feed.atom', 'feed.json'])
			assert.equal((await api(d.base, 'GET', `/blogs/${uniqueId('none')}/${f}`)).status, 404);
		/* an empty blog's feeds are valid too */
		const empty = await createBlog(d, { id: uniqueId('feed0'), title: 'Vide' });
		validateAtom((await api(d.base, 'GET', `/blogs/${empty.id}/feed.atom`)).text, dir);
		assert.deepEqual((await api(d.base, 'GET', `/blogs/${empty.id}/feed.json`)).json.items, []);
	});

	it('the schema has teeth: a feed without id, or with a bad date, is refused', () => {
		assert.throws(() => validateAtom('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2026-01-01T00:00:00Z</updated></feed>', dir), /xmllint/);
		assert.throws(() => validateAtom('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>yesterday</updated></feed>', dir), /xmllint/);
		validateAtom('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>2026-01-01T00:00:00Z</updated></feed>', dir);
	});
});
