// Search and sharing (SPEC part two, "Search, sharing, feeds, long blogs"):
// the reader page's schema.org LiveBlogPosting JSON-LD checked against
// schema.org's types (the rules are encoded below: no network), the
// canonical link and og: tags, --public-url and --publisher, and each
// entry's own page /blogs/{id}/entries/{entry} (its permalink): its own
// og: tags, 404 once deleted or redacted, the older #entry- anchors kept.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, freePort, api, createBlog, postEntry, uniqueId,
} from './harness.mjs';

/* ---- schema.org, as far as these pages use it ------------------------------
 * Each type's properties are its own plus its parents' (schema.org's
 * hierarchy: Thing > CreativeWork > Article > SocialMediaPosting >
 * BlogPosting > LiveBlogPosting; Thing > Organization; Thing > Person).
 * Only properties schema.org defines on a type may appear on it. */
const THING = ['@context', '@type', 'name', 'url', 'image', 'description', 'sameAs', 'identifier'];
const CREATIVE_WORK = [...THING, 'headline', 'inLanguage', 'datePublished', 'dateModified',
	'publisher', 'author', 'dateCreated', 'keywords', 'thumbnailUrl', 'about', 'isPartOf'];
const ARTICLE = [...CREATIVE_WORK, 'articleBody', 'articleSection', 'wordCount'];
const BLOG_POSTING = [...ARTICLE, 'sharedContent'];
const TYPES = {
	LiveBlogPosting: [...BLOG_POSTING, 'coverageStartTime', 'coverageEndTime', 'liveBlogUpdate'],
	BlogPosting: BLOG_POSTING,
	Organization: [...THING, 'logo'],
	Person: THING,
};
/* What each property's value must be (schema.org ranges, narrowed to what
 * search engines read: URLs absolute, dates with a time zone). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BCP47 = /^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/;
/* Required: SPEC's list for LiveBlogPosting and each update. */
const REQUIRED = {
	LiveBlogPosting: ['url', 'headline', 'inLanguage', 'datePublished', 'dateModified',
		'coverageStartTime', 'publisher', 'liveBlogUpdate'],
	BlogPosting: ['headline', 'articleBody', 'datePublished', 'url'],
	Organization: ['name'],
	Person: ['name'],
};

/* Checks node (of type want) and what it holds; base: --public-url. */
function checkNode(node, want, base, where) {
	assert.equal(typeof node, 'object', where);
	assert.equal(node['@type'], want, `${where}: @type`);
	for (const k of Object.keys(node))
		assert.ok(TYPES[want].includes(k), `${where}: schema.org defines no "${k}" on ${want}`);
	for (const k of REQUIRED[want])
		assert.ok(node[k] !== undefined && node[k] !== '', `${where}: ${want} needs "${k}"`);
	const url = (u, what) => {
		assert.equal(typeof u, 'string', what);
		assert.ok(new URL(u).href, what);   /* absolute: parses without a base */
		assert.ok(u.startsWith(`${base}/`) || u === base, `${what} starts with --public-url: ${u}`);
	};
	for (const k of ['url']) if (k in node) url(node[k], `${where}.${k}`);
	if ('image' in node) {
		assert.ok(Array.isArray(node.image), `${where}.image`);
		node.image.forEach((u, i) => url(u, `${where}.image[${i}]`));
	}
	for (const k of ['datePublished', 'dateModified', 'coverageStartTime', 'coverageEndTime'])
		if (k in node) assert.match(node[k], DATE_TIME, `${where}.${k}`);
	if ('inLanguage' in node) assert.match(node.inLanguage, BCP47, `${where}.inLanguage`);
	for (const k of ['headline', 'articleBody', 'name'])
		if (k in node) assert.equal(typeof node[k], 'string', `${where}.${k}`);
	if ('headline' in node)
		assert.ok([...node.headline].length <= 110, `${where}.headline: at most 110 characters`);
	if ('publisher' in node) checkNode(node.publisher, 'Organization', base, `${where}.publisher`);
	if ('author' in node)
		checkNode(node.author, node.author['@type'] === 'Person' ? 'Person' : 'Organization', base,
			`${where}.author`);
	if ('dateModified' in node && 'datePublished' in node)
		assert.ok(node.dateModified >= node.datePublished, `${where}: modified after published`);
}

/* An update's headline is its own: its title, else the start of its words. */
function checkHeadline(u, entry, blogTitle) {
	if (entry.title) {
		assert.equal(u.headline, entry.title);
		return;
	}
	const words = entry.text.replace(/^\* /gm, '').replace(/\s+/g, ' ').trim();
	if (words !== blogTitle)
		assert.notEqual(u.headline, blogTitle, 'never the blog\'s title');
	if (u.headline.endsWith('…'))
		assert.ok(words.startsWith(u.headline.slice(0, -1)), `"${u.headline}" starts "${words}"`);
	else
		assert.equal(u.headline, words);
}

/* ---- HTML helpers ---- */

function jsonLd(html) {
	const all = [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)];
	assert.equal(all.length, 1, 'one JSON-LD script');
	return JSON.parse(all[0][1]);
}
function metaContent(html, property) {
	const m = new RegExp(`<meta property="${property}" content="([^"]*)">`).exec(html);
	return m ? m[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
		.replace(/&lt;/g, '<').replace(/&gt;/g, '>') : null;
}
function canonical(html) {
	const m = /<link rel="canonical" href="([^"]*)">/.exec(html);
	return m ? m[1] : null;
}

describe('search and sharing', { timeout: 120000 }, () => {
	let redis;
	let d;
	let base;

	before(async () => {
		redis = await startRedis();
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		d = await startDaemon({ redisUrl: redis.url, port,
			args: ['--public-url', `${base}/`, '--publisher', 'Le Quotidien « du soir »'] });
	});
	after(async () => {
		await d?.stop();
		await redis?.stop();
	});

	it('the JSON-LD is valid schema.org LiveBlogPosting: required properties, absolute URLs, own headlines', async () => {
		const b = await createBlog(d, { id: uniqueId('ld'), title: 'Sommet européen : la soirée' });
		const long = `${'Les chefs d’État arrivent un à un au palais, '.repeat(5)}fin.`;
		const entries = [
			await postEntry(d, b, { text: 'Ouverture.', title: 'Le début', author: 'Anne' }),
			await postEntry(d, b, { text: long, key: true }),
			await postEntry(d, b, { text: '* Point un\n* Point deux\n\nEt la suite.' }),
			await postEntry(d, b, { text: b.title }),   /* a text equal to the title */
		];
		await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${entries[2].id}`,
			{ body: { text: '* Point un (corrigé)\n* Point deux\n\nEt la suite.' }, token: b.editor_token });
		for (const ended of [false, true]) {
			if (ended) await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
			const page = await api(d.base, 'GET', `/blogs/${b.id}`);
			const blog = (await api(d.base, 'GET', `/api/blogs/${b.id}`)).json;
			const events = (await api(d.base, 'GET', `/api/blogs/${b.id}/events?limit=1000`)).json.events;
			const ld = jsonLd(page.text);
			assert.equal(ld['@context'], 'https://schema.org');
			checkNode(ld, 'LiveBlogPosting', base, 'LiveBlogPosting');
			assert.equal(ld.url, `${base}/blogs/${b.id}`);
			assert.equal(ld.headline, blog.title);
			assert.equal(ld.inLanguage, 'en');
			assert.equal(ld.datePublished, blog.created_at);
			assert.equal(ld.coverageStartTime, blog.created_at);
			assert.equal(ld.dateModified, new Date(Number(events.at(-1).seq.split('-')[0])).toISOString(),
				'dateModified: the last change');
			assert.equal('coverageEndTime' in ld, ended);
			if (ended) assert.equal(ld.coverageEndTime, blog.ended_at);
			assert.equal(ld.publisher.name, 'Le Quotidien « du soir »');
			assert.equal(ld.liveBlogUpdate.length, 4);
			const cur = Object.fromEntries((await Promise.all(entries.map((e) =>
				api(d.base, 'GET', `/api/blogs/${b.id}/events?limit=1000`).then((r) => r.json.events
					.filter((x) => x.entry?.id === e.id).at(-1).entry)))).map((e) => [e.id, e]));
			const urls = new Set();
			ld.liveBlogUpdate.forEach((u, i) => {
				checkNode(u, 'BlogPosting', base, `liveBlogUpdate[${i}]`);
				const id = u.url.split('/').at(-1);
				const e = cur[id];
				assert.ok(e, `the update ${u.url} is an entry`);
				assert.equal(u.url, `${base}/blogs/${b.id}/entries/${e.id}`);
				assert.ok(!urls.has(u.url), 'one update per entry');
				urls.add(u.url);
				checkHeadline(u, e, b.title);
				assert.equal(u.articleBody, e.text);
				assert.equal(u.datePublished, e.ts);
				assert.equal(u.dateModified, e.edited_ts);
				if (e.author) assert.deepEqual(u.author, { '@type': 'Person', name: e.author });
				else assert.ok(!('author' in u));
			});
			assert.ok(ld.liveBlogUpdate.find((u) => u.headline.endsWith('…')), 'the long text is cut');
		}
	});

	it('canonical link and og: tags, under --public-url', async () => {
		const b = await createBlog(d, { id: uniqueId('og'), title: 'Soirée électorale' });
		let html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		assert.equal(canonical(html), `${base}/blogs/${b.id}`);
		assert.equal(metaContent(html, 'og:url'), `${base}/blogs/${b.id}`);
		assert.equal(metaContent(html, 'og:type'), 'article');
		assert.equal(metaContent(html, 'og:title'), 'Soirée électorale');
		assert.equal(metaContent(html, 'og:description'), 'No liveblog updates yet.');
		const e = await postEntry(d, b, { text: 'Les premiers résultats tombent.\n\nParticipation en hausse.' });
		html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		assert.equal(metaContent(html, 'og:description'), 'Les premiers résultats tombent. Participation en hausse.');
		assert.ok(html.includes(`href="${base}/blogs/${b.id}/entries/${e.id}"`), 'the permalink, absolute');
		assert.ok(!/href="\/blogs\/[^"]*#entry-/.test(html), 'no relative #entry- permalink left');
	});

	it('an entry\'s own page: the reader page with it marked, its own og: tags; 404 once deleted', async () => {
		const b = await createBlog(d, { id: uniqueId('perma'), title: 'Match' });
		const e1 = await postEntry(d, b, { text: 'Coup d’envoi.', title: 'C’est parti' });
		const e2 = await postEntry(d, b, { text: 'But à la 12e minute !' });
		const url = `/blogs/${b.id}/entries/${e1.id}`;
		const res = await api(d.base, 'GET', url);
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^text\/html/);
		assert.equal(canonical(res.text), `${base}${url}`);
		assert.equal(metaContent(res.text, 'og:url'), `${base}${url}`);
		assert.equal(metaContent(res.text, 'og:title'), 'C’est parti');
		assert.equal(metaContent(res.text, 'og:description'), 'Coup d’envoi.');
		assert.match(res.text, new RegExp(`<article class="entry entry-target" id="entry-${e1.id}"`));
		assert.ok(res.text.includes(`id="entry-${e2.id}"`), 'the rest of the blog is there');
		/* upper-case ids are the same entry */
		assert.equal((await api(d.base, 'GET', url.toUpperCase().replace(`/BLOGS/${b.id.toUpperCase()}/ENTRIES/`, `/blogs/${b.id}/entries/`))).status, 200);
		/* older #entry- anchors keep working: the element is there */
		assert.ok((await api(d.base, 'GET', `/blogs/${b.id}`)).text.includes(`id="entry-${e1.id}"`));
		for (const bad of [`/blogs/${b.id}/entries/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`,
			`/blogs/${uniqueId('none')}/entries/${e1.id}`, `/blogs/${b.id}/entries/nope`]) {
			const r = await api(d.base, 'GET', bad);
			assert.equal(r.status, 404, bad);
			assert.match(r.headers['content-type'], /^text\/html/);
		}
		await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${e1.id}`, { token: b.editor_token });
		assert.equal((await api(d.base, 'GET', url)).status, 404, 'deleted');
		assert.equal((await api(d.base, 'GET', `/blogs/${b.id}/entries/${e2.id}`)).status, 200);
	});

	it('a redacted entry (payload "redacted": true) has no page and is in no page', async () => {
		const b = await createBlog(d, { id: uniqueId('redact'), title: 'Procès' });
		const keep = await postEntry(d, b, { text: 'Audience ouverte.' });
		const gone = await postEntry(d, b, { text: 'Nom du témoin mineur.' });
		/* what the redaction stores (SPEC "Redaction"): the entry emptied, marked */
		const key = `lb:blog:${b.id}:entries`;
		const [cseq, eseq] = redis.cli('HGET', key, gone.id).split(' ');
		redis.cli('HSET', key, gone.id, `${cseq} ${eseq} ${JSON.stringify({
			id: gone.id, redacted: true, author: '', title: '', text: '', key: false,
			pinned: false, revision: 1 })}`);
		assert.equal((await api(d.base, 'GET', `/blogs/${b.id}/entries/${gone.id}`)).status, 404);
		const html = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		assert.ok(!html.includes(gone.id), 'not in the page, its JSON-LD or its links');
		assert.ok(html.includes(keep.id));
		assert.equal(jsonLd(html).liveBlogUpdate.length, 1);
	});

	it('an ended blog\'s entry page is cached like its page (ETag, 304)', async () => {
		const b = await createBlog(d, { id: uniqueId('endp'), title: 'Fini' });
		const e = await postEntry(d, b, { text: 'Dernier mot.' });
		await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		const url = `/blogs/${b.id}/entries/${e.id}`;
		const first = await api(d.base, 'GET', url);
		assert.equal(first.status, 200);
		assert.ok(first.headers.etag);
		assert.match(first.headers['cache-control'], /max-age=/);
		const again = await api(d.base, 'GET', url, { headers: { 'if-none-match': first.headers.etag } });
		assert.equal(again.status, 304);
		assert.notEqual(first.headers.etag, (await api(d.base, 'GET', `/blogs/${b.id}`)).headers.etag,
			'the entry page and the blog page are two renderings');
	});

	it('--public-url with a path prefix and no --publisher: URLs under it, the host as publisher', async () => {
		const d2 = await startDaemon({ redisUrl: redis.url, args: ['--public-url', 'https://news.example/live'] });
		try {
			const b = await createBlog(d2, { id: uniqueId('pfx'), title: 'T' });
			const e = await postEntry(d2, b, { text: 'x' });
			const html = (await api(d2.base, 'GET', `/blogs/${b.id}`)).text;
			const ld = jsonLd(html);
			checkNode(ld, 'LiveBlogPosting', 'https://news.example/live', 'LiveBlogPosting');
			assert.equal(ld.liveBlogUpdate[0].url, `https://news.example/live/blogs/${b.id}/entries/${e.id}`);
			assert.equal(ld.publisher.name, 'news.example');
			assert.equal(canonical(html), `https://news.example/live/blogs/${b.id}`);
		} finally {
			await d2.stop();
		}
	});
});
