// The server-rendered reader page /blogs/{id} and the cache headers of
// finished blogs (SPEC: Pages — "The server renders the current entries into
// the HTML itself (readable with JavaScript off, indexable by search engines,
// with schema.org LiveBlogPosting JSON-LD: coverageStartTime,
// coverageEndTime once ended, liveBlogUpdate), and the page's script takes
// over live from the seq it was rendered at"; "An ended blog never changes
// again, so its pages and event lists are served with long-lived cache
// headers and an ETag"). The entry markup is the one documented at the top
// of www/render.js; the text rules are render.js's own textBlocks().
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, REPO_ROOT,
} from './harness.mjs';
import { textBlocks } from '../../www/render.js';

/* ---- HTML helpers (the markup is fixed by render.js, so regexes do) ---- */

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&#34;': '"' };
function unescapeHtml(s) {
	return s.replace(/&(lt|gt|amp|quot|#39|#x27|#34);/g, (m) => ENTITIES[m]);
}
function escapeHtml(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function attrs(tagText) {
	const out = {};
	for (const m of tagText.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g))
		out[m[1]] = m[2] === undefined ? '' : unescapeHtml(m[2]);
	return out;
}

/* The <ol id="entries"> content of a page. */
function entriesList(html) {
	const start = html.indexOf('<ol id="entries"');
	assert.ok(start >= 0, 'the page has <ol id="entries">');
	const open = html.indexOf('>', start) + 1;
	const end = html.indexOf('</ol>', open);
	assert.ok(end > open, '<ol id="entries"> is closed');
	return html.slice(open, end);
}

/* [{attrs, inner, body, title, author, updated}] in page order. */
function articles(html) {
	const list = entriesList(html);
	const out = [];
	for (const m of list.matchAll(/<li class="entry-item">\s*<article\s([^>]*)>([\s\S]*?)<\/article>\s*<\/li>/g)) {
		const inner = m[2];
		const body = /<div class="entry-body">([\s\S]*)<\/div>\s*$/.exec(inner);
		const title = /<h3 class="entry-title">([\s\S]*?)<\/h3>/.exec(inner);
		const author = /<span class="entry-author">([\s\S]*?)<\/span>/.exec(inner);
		const updated = /<span class="entry-updated">updated <time datetime="([^"]*)"[^>]*>[^<]*<\/time><\/span>/.exec(inner);
		out.push({
			attrs: attrs(m[1]), inner, body: body ? body[1] : null,
			title: title ? unescapeHtml(title[1]) : null,
			author: author ? unescapeHtml(author[1]) : null,
			updated: updated ? updated[1] : null,
		});
	}
	/* nothing else sits in the list */
	const rest = list.replace(/<li class="entry-item">\s*<article\s[^>]*>[\s\S]*?<\/article>\s*<\/li>/g, '');
	assert.equal(rest.trim(), '', 'only entry items inside <ol id="entries">');
	return out;
}

/* An entry body parsed back into render.js's blocks; throws on any other
 * markup than <p>…<br>…</p> and <ul><li>…</li></ul>. */
function parseBody(body) {
	const blocks = [];
	const re = /<p>([\s\S]*?)<\/p>|<ul>((?:<li>[\s\S]*?<\/li>)*)<\/ul>|\s+/gy;
	let m;
	let pos = 0;
	while (pos < body.length && (m = re.exec(body))) {
		pos = re.lastIndex;
		if (m[1] !== undefined) {
			const lines = m[1].split('<br>');
			for (const l of lines)
				assert.ok(!/[<>]/.test(l), `no markup inside a paragraph line: ${l}`);
			blocks.push({ type: 'p', lines: lines.map(unescapeHtml) });
		} else if (m[2] !== undefined) {
			const lines = [...m[2].matchAll(/<li>([\s\S]*?)<\/li>/g)].map((x) => x[1]);
			for (const l of lines)
				assert.ok(!/[<>]/.test(l), `no markup inside a bullet: ${l}`);
			blocks.push({ type: 'ul', lines: lines.map(unescapeHtml) });
		}
	}
	assert.equal(pos, body.length, `entry body is only <p> and <ul> blocks: ${body}`);
	return blocks;
}

/* The one application/ld+json script of the page, parsed. */
function jsonLd(html) {
	const all = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
	assert.equal(all.length, 1, 'exactly one JSON-LD script');
	const text = all[0][1];
	assert.ok(!text.includes('<'), 'no "<" inside the JSON-LD script');
	assert.ok(all[0].index < html.indexOf('<body'), 'JSON-LD in the head');
	return JSON.parse(text);
}

function mainTag(html) {
	const all = [...html.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<main\s([^>]*)>/g)];
	assert.equal(all.length, 1, 'one <main>');
	return attrs(all[0][1]);
}

function maxAge(cc) {
	const m = /(?:^|[,\s])max-age=(\d+)/.exec(cc ?? '');
	return m ? Number(m[1]) : null;
}

/* The current entries (wire objects) from the log, newest first. */
async function currentEntries(base, blogId) {
	const map = new Map();
	for (const ev of await allEvents(base, blogId)) {
		if (ev.type === 'entry' || ev.type === 'edit') {
			/* pinning one entry unpins the previous one (SPEC: Event) */
			if (ev.entry.pinned)
				for (const [id, e] of map)
					map.set(id, { ...e, pinned: false });
			map.set(ev.entry.id, ev.entry);
		}
		else if (ev.type === 'delete')
			map.delete(ev.entry_id);
	}
	return [...map.values()].reverse().sort((a, b) => {
		const [am, an] = a.seq.split('-').map(BigInt);
		const [bm, bn] = b.seq.split('-').map(BigInt);
		return am !== bm ? (am > bm ? -1 : 1) : an > bn ? -1 : an < bn ? 1 : 0;
	});
}

/* Every rendered article agrees with its wire entry, exactly. */
function checkArticle(art, e, blogId) {
	const a = art.attrs;
	assert.equal(a.id, `entry-${e.id}`);
	assert.equal(a['data-entry-id'], e.id);
	assert.equal(a['data-seq'], e.seq);
	assert.equal(a['data-ts'], e.ts);
	assert.equal(a['data-revision'], String(e.revision));
	assert.equal(a.class, e.key ? 'entry entry-key' : 'entry');
	assert.equal('data-key' in a, e.key, `data-key only on key entries (${e.id})`);
	assert.equal('data-pinned' in a, e.pinned, `data-pinned only on the pinned entry (${e.id})`);
	assert.match(art.inner, new RegExp(`<a class="entry-permalink" href="/blogs/${blogId}#entry-${e.id}"[^>]*><time datetime="${e.ts}"[^>]*>[^<]+</time></a>`));
	assert.equal(art.title, e.title ? e.title : null, 'entry title');
	assert.equal(art.author, e.author ? e.author : null, 'entry author');
	assert.equal(art.updated, e.edited_ts ?? null, '"updated" with the edit time exactly when edited');
	assert.equal(/Key event/.test(art.inner), e.key, 'key badge');
	assert.deepEqual(parseBody(art.body), textBlocks(e.text), `body of ${e.id} follows render.js`);
}

/* GET /blogs/{id}: res.raw is the body as sent, res.text the body without
 * the template's HTML comments (they quote the markup they document). */
async function page(base, blogId, headers) {
	const res = await api(base, 'GET', `/blogs/${blogId}`, { headers });
	res.raw = res.text;
	res.text = res.text.replace(/<!--[\s\S]*?-->/g, '');
	return res;
}

describe('server-rendered reader page', { timeout: 120000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('renders an entry text as text: <img onerror> and <script> are escaped', async () => {
		const b = await createBlog(s, { id: uniqueId('pgxss'), title: 'XSS <b>bold</b> & co' });
		const e = await postEntry(s, b, {
			text: 'look: <img src=x onerror=alert(1)>\n\n* <script>alert(2)</script>',
			title: '<svg onload=alert(3)>', author: '<i>Eve</i> "quoted"',
		});
		const res = await page(s.base, b.id);
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^text\/html; charset=utf-8$/i);
		const html = res.text;
		assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'escaped <img>');
		assert.ok(!html.includes('<img src=x'), 'no live <img src=x>');
		assert.ok(!/<script>alert/.test(html), 'no live <script>');
		assert.ok(!/<svg/.test(html), 'no live <svg>');
		assert.ok(!/<i>Eve/.test(html), 'no live <i>');
		assert.ok(!/<b>bold/.test(html), 'blog title escaped');
		assert.ok(html.includes('<h1 id="blog-title">XSS &lt;b&gt;bold&lt;/b&gt; &amp; co</h1>'), 'escaped <h1>');
		assert.match(html, /<title>XSS &lt;b&gt;bold&lt;\/b&gt; &amp; co[^<]*<\/title>/);
		const arts = articles(html);
		assert.equal(arts.length, 1);
		checkArticle(arts[0], e, b.id);
		assert.equal(arts[0].body,
			'<p>look: &lt;img src=x onerror=alert(1)&gt;</p><ul><li>&lt;script&gt;alert(2)&lt;/script&gt;</li></ul>');
	});

	it('shows the current entries newest first: deleted ones absent, edited ones "updated", pinned and key marked; data-seq is the last event', async () => {
		const b = await createBlog(s, { id: uniqueId('pgstate'), title: 'State' });
		const tok = b.editor_token;
		const e1 = await postEntry(s, b, { text: 'first entry, to be corrected', author: 'Ana' });
		const e2 = await postEntry(s, b, { text: 'second entry, to be deleted DELETEDMARK', title: 'Gone soon' });
		const e3 = await postEntry(s, b, { text: 'third, key', key: true, title: 'Key one' });
		const e4 = await postEntry(s, b, { text: 'fourth\nline two\n\n* a\n* b' });
		let r = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e1.id}`, { body: { text: 'first entry, CORRECTED' }, token: tok });
		assert.equal(r.status, 200);
		r = await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e2.id}`, { token: tok });
		assert.equal(r.status, 200);
		r = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e4.id}`, { body: { pinned: true }, token: tok });
		assert.equal(r.status, 200);
		r = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e3.id}`, { body: { pinned: true }, token: tok });
		assert.equal(r.status, 200);

		const events = await allEvents(s.base, b.id);
		const cur = await currentEntries(s.base, b.id);
		assert.deepEqual(cur.map((e) => e.id), [e4.id, e3.id, e1.id]);
		assert.equal(cur.filter((e) => e.pinned).length, 1, 'one pinned entry in the log');

		const res = await page(s.base, b.id);
		assert.equal(res.status, 200);
		const html = res.text;
		const main = mainTag(html);
		assert.equal(main['data-seq'], events.at(-1).seq, 'data-seq = seq of the last event (an edit)');
		assert.equal(main['data-state'], 'live');
		const arts = articles(html);
		assert.deepEqual(arts.map((a) => a.attrs['data-entry-id']), cur.map((e) => e.id), 'newest first, deleted left out');
		for (let i = 0; i < cur.length; i++)
			checkArticle(arts[i], cur[i], b.id);
		assert.ok(!html.includes(e2.id), 'the deleted entry id appears nowhere (not in JSON-LD either)');
		assert.ok(!html.includes('DELETEDMARK'), 'the deleted text appears nowhere');
		assert.ok(!html.includes('to be corrected'), 'the text before the edit appears nowhere');
		assert.ok(arts[2].updated, 'the edited entry shows "updated"');
		assert.match(arts[2].inner, /<span class="entry-updated">updated <time datetime="[^"]+"[^>]*>[^<]+<\/time><\/span>/);
		assert.ok(html.includes('<span id="state-badge" class="badge badge-live">LIVE</span>'), 'LIVE badge');
		assert.match(html, /<p id="ended-banner" class="ended-banner" hidden>/);
		assert.match(html, /<p id="empty" class="empty" hidden>/);

		// a delete is an event too: data-seq follows it
		r = await api(s.base, 'DELETE', `/api/blogs/${b.id}/entries/${e4.id}`, { token: tok });
		assert.equal(r.status, 200);
		const after = await allEvents(s.base, b.id);
		const html2 = (await page(s.base, b.id)).text;
		assert.equal(mainTag(html2)['data-seq'], after.at(-1).seq, 'data-seq = seq of the delete');
		assert.deepEqual(articles(html2).map((a) => a.attrs['data-entry-id']), [e3.id, e1.id]);
	});

	it('JSON-LD: LiveBlogPosting with coverageStartTime, liveBlogUpdate per entry, coverageEndTime once ended', async () => {
		const b = await createBlog(s, { id: uniqueId('pgld'), title: 'Élection </script> « soirée »' });
		const e1 = await postEntry(s, b, { text: 'Ouverture </script><script>alert(1)</script>', title: 'Début' });
		const e2 = await postEntry(s, b, { text: 'Résultats\n\n* A: 51 %\n* B: 49 %', key: true });
		await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e1.id}`, { body: { text: 'Ouverture (corrigé) </script>' }, token: b.editor_token });
		const blog = (await api(s.base, 'GET', `/api/blogs/${b.id}`)).json;
		const cur = await currentEntries(s.base, b.id);

		let html = (await page(s.base, b.id)).text;
		let ld = jsonLd(html);
		assert.equal(ld['@context'], 'https://schema.org');
		assert.equal(ld['@type'], 'LiveBlogPosting');
		assert.equal(ld.headline, blog.title);
		assert.equal(ld.coverageStartTime, blog.created_at);
		assert.ok(!('coverageEndTime' in ld), 'no coverageEndTime while live');
		assert.ok(Array.isArray(ld.liveBlogUpdate));
		assert.equal(ld.liveBlogUpdate.length, cur.length);
		for (const e of cur) {
			const u = ld.liveBlogUpdate.filter((x) => typeof x.url === 'string' && x.url.endsWith(`/blogs/${b.id}#entry-${e.id}`));
			assert.equal(u.length, 1, `one liveBlogUpdate for ${e.id}`);
			assert.equal(u[0]['@type'], 'BlogPosting');
			assert.equal(u[0].articleBody, e.text);
			assert.equal(u[0].datePublished, e.ts);
			if (e.edited_ts)
				assert.equal(u[0].dateModified, e.edited_ts);
			if (e.title)
				assert.equal(u[0].headline, e.title);
		}
		assert.ok(!/<script>alert/.test(html));

		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		html = (await page(s.base, b.id)).text;
		ld = jsonLd(html);
		assert.equal(ld.coverageStartTime, blog.created_at);
		assert.equal(ld.coverageEndTime, end.json.ended_at);
		assert.equal(ld.liveBlogUpdate.length, 2);
		assert.ok(ld.liveBlogUpdate.some((u) => u.articleBody === 'Ouverture (corrigé) </script>'));
		assert.ok(ld.liveBlogUpdate.some((u) => u.articleBody === e2.text));
	});

	it('an empty live blog: no entries, "No liveblog updates yet." shown, empty liveBlogUpdate', async () => {
		const b = await createBlog(s, { id: uniqueId('pgempty'), title: 'Empty' });
		const res = await page(s.base, b.id);
		assert.equal(res.status, 200);
		assert.deepEqual(articles(res.text), []);
		assert.ok(res.text.includes('<p id="empty" class="empty">No liveblog updates yet.</p>'), 'empty text shown');
		const main = mainTag(res.text);
		assert.equal(main['data-state'], 'live');
		// blog.html: data-seq is "empty for an empty log" (0-0 also means "from the start")
		assert.ok(['', '0-0'].includes(main['data-seq']), `data-seq of an empty log: ${main['data-seq']}`);
		const ld = jsonLd(res.text);
		assert.deepEqual(ld.liveBlogUpdate, []);
		assert.ok(!('coverageEndTime' in ld));
	});

	it('an ended blog: ENDED badge, banner, data-state="ended", data-seq = the ended event', async () => {
		const b = await createBlog(s, { id: uniqueId('pgended'), title: 'Done' });
		const e1 = await postEntry(s, b, { text: 'only entry' });
		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		const events = await allEvents(s.base, b.id);
		assert.equal(events.at(-1).type, 'ended');
		const res = await page(s.base, b.id);
		assert.equal(res.status, 200);
		const main = mainTag(res.text);
		assert.equal(main['data-state'], 'ended');
		assert.equal(main['data-seq'], events.at(-1).seq);
		assert.ok(res.text.includes('<span id="state-badge" class="badge badge-ended">ENDED</span>'));
		assert.ok(res.text.includes('<p id="ended-banner" class="ended-banner">The liveblog has ended.</p>'));
		assert.ok(!res.text.includes('badge-live'));
		const arts = articles(res.text);
		assert.equal(arts.length, 1);
		checkArticle(arts[0], { ...e1 }, b.id);
	});

	it('an unknown blog is a 404 HTML page', async () => {
		const res = await page(s.base, 'no-such-blog-here');
		assert.equal(res.status, 404);
		assert.match(res.headers['content-type'], /^text\/html/);
		assert.ok(!/max-age=31536000/.test(res.headers['cache-control'] ?? ''), 'a 404 is not cached for a year');
	});

	describe('cache headers', () => {
		it('a live blog: page and events are not cached long', async () => {
			const b = await createBlog(s, { id: uniqueId('cachelive') });
			await postEntry(s, b, { text: 'x' });
			for (const p of [`/blogs/${b.id}`, `/api/blogs/${b.id}/events`]) {
				const res = await api(s.base, 'GET', p);
				assert.equal(res.status, 200, p);
				const cc = res.headers['cache-control'] ?? '';
				assert.ok(!/immutable/.test(cc), `${p}: not immutable (${cc})`);
				const age = maxAge(cc);
				assert.ok(age === null || age <= 60, `${p}: max-age ${age} is short (${cc})`);
				// a validator, if any, must not freeze the live content
				if (res.headers.etag) {
					await postEntry(s, b, { text: `more for ${p}` });
					const again = await api(s.base, 'GET', p, { headers: { 'if-none-match': res.headers.etag } });
					assert.equal(again.status, 200, `${p}: a changed live resource is not 304`);
				}
			}
		});

		it('an ended blog page: cached for --ended-max-age, ETag, If-None-Match → 304', async () => {
			const b = await createBlog(s, { id: uniqueId('cacheend') });
			await postEntry(s, b, { text: 'x' });
			// rendered once while live, then ended: the ended page must not be the live one
			const live = await page(s.base, b.id);
			assert.equal(mainTag(live.text)['data-state'], 'live');
			assert.equal((await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token })).status, 200);

			const res = await page(s.base, b.id);
			assert.equal(res.status, 200);
			assert.equal(mainTag(res.text)['data-state'], 'ended');
			const cc = res.headers['cache-control'] ?? '';
			assert.equal(maxAge(cc), 3600, `max-age is --ended-max-age (3600 by default): ${cc}`);
			assert.match(cc, /\bpublic\b/);
			assert.doesNotMatch(cc, /immutable/, 'never immutable: a redaction must reach every cache');
			const etag = res.headers.etag;
			assert.match(etag ?? '', /^(W\/)?"[^"]+"$/, `an ETag: ${etag}`);

			const same = await page(s.base, b.id);
			assert.equal(same.headers.etag, etag, 'the same ETag every time');
			assert.equal(same.raw, res.raw, 'the same bytes every time');

			const r304 = await page(s.base, b.id, { 'if-none-match': etag });
			assert.equal(r304.status, 304);
			assert.equal(r304.raw, '');
			assert.equal(r304.headers.etag, etag, '304 carries the ETag');
			assert.equal(maxAge(r304.headers['cache-control']), 3600, '304 carries the cache headers');

			const other = await page(s.base, b.id, { 'if-none-match': '"something-else"' });
			assert.equal(other.status, 200);
			assert.equal(other.text, res.text);

			// another instance on the same Redis serves the same page and ETag
			const d2 = await s.addDaemon();
			const res2 = await page(d2.base, b.id);
			assert.equal(res2.status, 200);
			assert.equal(res2.headers.etag, etag, 'ETag agreed across instances');
			assert.equal(res2.raw, res.raw);
			assert.equal((await page(d2.base, b.id, { 'if-none-match': etag })).status, 304);
		});

		it('If-None-Match follows HTTP: a list of ETags, the weak form and * revalidate', async () => {
			const b = await createBlog(s, { id: uniqueId('cacheinm') });
			await postEntry(s, b, { text: 'x' });
			await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
			const etag = (await page(s.base, b.id)).headers.etag;
			assert.ok(etag);
			const strong = etag.replace(/^W\//, '');
			// RFC 9110 13.1.2: a list of entity tags, weak comparison, "*"
			const got = {};
			for (const [name, value] of [['list', `"older", ${etag}`], ['weak', `W/${strong}`], ['star', '*']])
				got[name] = (await page(s.base, b.id, { 'if-none-match': value })).status;
			assert.deepEqual(got, { list: 304, weak: 304, star: 304 });
			assert.equal((await page(s.base, b.id, { 'if-none-match': '"older", "other"' })).status, 200, 'a list without it');
		});

		it('an ended blog\'s events: cached for --ended-max-age, ETag per query, 304', async () => {
			const b = await createBlog(s, { id: uniqueId('cacheev') });
			const e1 = await postEntry(s, b, { text: 'one' });
			await postEntry(s, b, { text: 'two' });
			await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
			const all = await api(s.base, 'GET', `/api/blogs/${b.id}/events`);
			assert.equal(all.status, 200);
			assert.equal(all.json.events.length, 3);
			assert.equal(all.json.events.at(-1).type, 'ended');
			const cc = all.headers['cache-control'] ?? '';
			assert.equal(maxAge(cc), 3600, `max-age is --ended-max-age (3600 by default): ${cc}`);
			const etag = all.headers.etag;
			assert.match(etag ?? '', /^(W\/)?"[^"]+"$/);
			const r304 = await api(s.base, 'GET', `/api/blogs/${b.id}/events`, { headers: { 'if-none-match': etag } });
			assert.equal(r304.status, 304);
			assert.equal(r304.text, '');
			assert.equal(r304.headers.etag, etag);

			// another query is another representation: never answered with the first one's 304
			const since = await api(s.base, 'GET', `/api/blogs/${b.id}/events?since=${e1.seq}`, { headers: { 'if-none-match': etag } });
			assert.equal(since.status, 200, 'a since query is not the full list');
			assert.deepEqual(since.json.events, all.json.events.slice(1));
			assert.notEqual(since.headers.etag, etag);
			const lim = await api(s.base, 'GET', `/api/blogs/${b.id}/events?limit=1`, { headers: { 'if-none-match': etag } });
			assert.equal(lim.status, 200, 'a limit query is not the full list');
			assert.deepEqual(lim.json.events, all.json.events.slice(0, 1));
			assert.notEqual(lim.headers.etag, etag);
			const r304b = await api(s.base, 'GET', `/api/blogs/${b.id}/events?since=${e1.seq}`, { headers: { 'if-none-match': since.headers.etag } });
			assert.equal(r304b.status, 304);
		});
	});

	it('the demo article: six entries, paragraphs and bullets exactly, French UTF-8 intact', async () => {
		const file = path.join(REPO_ROOT, 'demo', 'article-fr.jsonl');
		const demo = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
		assert.equal(demo.length, 6, 'six demo entries');
		const b = await createBlog(s, { id: uniqueId('demo'), title: 'Immigration : la pression américaine « en direct »' });
		const posted = [];
		for (const d of demo)
			posted.push(await postEntry(s, b, d));
		for (let i = 0; i < demo.length; i++) {
			assert.equal(posted[i].text, demo[i].text, 'stored text unchanged');
			assert.equal(posted[i].title, demo[i].title ?? '');
		}

		const check = (html, ended) => {
			assert.equal(mainTag(html)['data-state'], ended ? 'ended' : 'live');
			const arts = articles(html);
			assert.equal(arts.length, 6);
			const newestFirst = [...posted].reverse();
			for (let i = 0; i < 6; i++) {
				const e = newestFirst[i];
				checkArticle(arts[i], e, b.id);
				// exact bytes: the blocks of the text, escaped, nothing else
				const expected = textBlocks(e.text).map((blk) => (blk.type === 'ul'
					? `<ul>${blk.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
					: `<p>${blk.lines.map(escapeHtml).join('<br>')}</p>`)).join('');
				assert.equal(arts[i].body.replace(/>\s+</g, '><').trim(), expected, `entry ${6 - i} body`);
			}
			// the guillemets are UTF-8 characters in the page, not entities, not mojibake
			assert.ok(html.includes('« Nous ne pouvons pas reconstruire la civilisation occidentale'), '« intact');
			assert.ok(html.includes('de « défendre la souveraineté nationale'), '« défendre intact');
			assert.ok(html.includes('des communautés locales »'), '» intact');
			assert.ok(!/Ã|Â/.test(html), 'no mojibake');
			// bullets of entry 3
			assert.ok(html.includes('<ul><li>dialoguent régulièrement avec les gouvernements des pays où ils sont en poste,</li>'));
			const ld = jsonLd(html);
			assert.equal(ld.liveBlogUpdate.length, 6);
			for (const e of posted)
				assert.ok(ld.liveBlogUpdate.some((u) => u.articleBody === e.text && u.datePublished === e.ts), `JSON-LD holds ${e.id}`);
		};
		const live = await page(s.base, b.id);
		assert.equal(live.status, 200);
		check(live.text, false);
		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assert.equal(end.status, 200);
		const ended = await page(s.base, b.id);
		check(ended.text, true);
		assert.equal(jsonLd(ended.text).coverageEndTime, end.json.ended_at);
	});
});
