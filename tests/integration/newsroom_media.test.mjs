// Pictures and links in what the newsroom features render (SPEC part two,
// "Pictures" and "Search, sharing, feeds, long blogs"): the Atom and JSON
// feeds carry an entry's text with its links and its pictures (Atom: the
// page's <figure> markup in the content, and an enclosure link each; JSON
// Feed 1.1: the same content_html, "image" and "attachments"), every
// picture URL absolute under --public-url; the reader page, an entry's own
// page and the fragment show the same <figure> markup; the JSON-LD's
// "image" of an update is its pictures' absolute URLs. The Atom feed is
// checked by xmllint against RFC 4287's RELAX NG schema (tests/feeds).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, api, postEntry, uniqueId, tempDir,
} from './harness.mjs';
import { makeImages, upload, getMedia } from '../media/lib.mjs';
import { validateAtom, xpath, A } from './atom.mjs';

const PUBLIC = 'https://news.example/live';
const REL = 'rel="nofollow noopener noreferrer"';
const dir = tempDir('liveblog-newsroom-media-');

/* What an entry's <article> shows after its header: text blocks and figures. */
function articleContent(html, id) {
	const m = new RegExp(`id="entry-${id}"[\\s\\S]*?<div class="entry-body">([\\s\\S]*?)</div>([\\s\\S]*?)</article>`).exec(html);
	assert.ok(m, `entry ${id} in the HTML`);
	return { body: m[1], figures: m[2] };
}

/* The <figure> elements of an entry in some HTML. */
function figuresOf(html, id) {
	return articleContent(html, id).figures.match(/<figure[\s\S]*?<\/figure>/g) ?? [];
}

/* The LiveBlogPosting JSON-LD of a page. */
function jsonLd(html) {
	const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
	assert.ok(m, 'JSON-LD in the page');
	return JSON.parse(m[1]);
}

describe('pictures and links in feeds, entry pages, fragments, JSON-LD', { timeout: 120000 }, () => {
	let redis, d, b, imgs, e;

	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, args: ['--public-url', PUBLIC, '--publisher', 'Le Quotidien'] });
		const res = await api(d.base, 'POST', '/api/blogs',
			{ body: { id: uniqueId('nmedia'), title: 'Sommet', lang: 'fr' }, token: d.adminToken });
		assert.equal(res.status, 201);
		b = res.json;
		const all = makeImages();
		imgs = [all.find((i) => i.name === 'demo.jpg'), all.find((i) => i.name === 'png-alpha.png')];
		for (const img of imgs)
			assert.equal((await upload(d.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		e = [
			await postEntry(d, b, { text: 'Texte seul, voir https://example.org/a. Fin.' }),
			await postEntry(d, b, { text: 'Deux images : https://example.org/photo?x=1&y=2', media: [
				{ id: imgs[0].id, alt: 'Une ville « au crépuscule »', caption: 'Le soir & la ville', credit: 'Illustration' },
				{ id: imgs[1].id, alt: 'Un dégradé' },
			] }),
			await postEntry(d, b, { text: 'Une image.', media: [{ id: imgs[1].id, alt: 'Seule' }] }),
		];
	});
	after(async () => {
		await d?.stop();
		await redis?.stop();
	});

	const url = (img) => `${PUBLIC}/media/${img.id}`;

	it('Atom: the content is the page\'s text with links and its figures, absolute; an enclosure per picture; valid', async () => {
		const res = await api(d.base, 'GET', `/blogs/${b.id}/feed.atom`);
		assert.equal(res.status, 200);
		const file = validateAtom(res.text, dir);
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const entry = (id) => `//${A('entry')}[${A('id')}='urn:uuid:${id}']`;
		for (const x of e) {
			const { body, figures } = articleContent(page, x.id);
			assert.equal(xpath(file, `string(${entry(x.id)}/${A('content')})`), body + figures,
				'the content is what the page shows of the entry');
		}
		const two = xpath(file, `string(${entry(e[1].id)}/${A('content')})`);
		assert.ok(two.includes(`<a href="https://example.org/photo?x=1&amp;y=2" ${REL}>`), two);
		assert.ok(two.includes(`<figure class="entry-figure"><img src="${url(imgs[0])}" width="${imgs[0].width}" ` +
			`height="${imgs[0].height}" alt="Une ville « au crépuscule »" loading="lazy" decoding="async">` +
			'<figcaption><span class="entry-caption">Le soir &amp; la ville</span>' +
			'<span class="entry-credit">Illustration</span></figcaption></figure>'), two);
		assert.ok(two.includes(`<img src="${url(imgs[1])}"`), two);
		assert.ok(xpath(file, `string(${entry(e[0].id)}/${A('content')})`)
			.includes(`<a href="https://example.org/a" ${REL}>https://example.org/a</a>. Fin.`));
		/* enclosures: each picture, its type, in order; none on the text-only entry */
		const enc = (id, i, attr) => xpath(file, `string(${entry(id)}/${A('link')}[@rel='enclosure'][${i}]/@${attr})`);
		assert.equal(xpath(file, `count(${entry(e[1].id)}/${A('link')}[@rel='enclosure'])`), '2');
		assert.equal(enc(e[1].id, 1, 'href'), url(imgs[0]));
		assert.equal(enc(e[1].id, 1, 'type'), 'image/jpeg');
		assert.equal(enc(e[1].id, 2, 'href'), url(imgs[1]));
		assert.equal(enc(e[1].id, 2, 'type'), 'image/png');
		assert.equal(xpath(file, `count(${entry(e[0].id)}/${A('link')}[@rel='enclosure'])`), '0');
		assert.equal(xpath(file, `count(${entry(e[2].id)}/${A('link')}[@rel='enclosure'])`), '1');
	});

	it('JSON Feed 1.1: the same content_html, image (the first picture) and attachments {url, mime_type}', async () => {
		const res = await api(d.base, 'GET', `/blogs/${b.id}/feed.json`);
		assert.equal(res.status, 200);
		const feed = res.json;
		assert.equal(feed.version, 'https://jsonfeed.org/version/1.1');
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const item = (id) => feed.items.find((i) => i.id === `urn:uuid:${id}`);
		for (const x of e) {
			const { body, figures } = articleContent(page, x.id);
			assert.equal(item(x.id).content_html, body + figures);
		}
		assert.equal(item(e[1].id).image, url(imgs[0]));
		assert.deepEqual(item(e[1].id).attachments, [
			{ url: url(imgs[0]), mime_type: 'image/jpeg' },
			{ url: url(imgs[1]), mime_type: 'image/png' },
		]);
		assert.equal(item(e[2].id).image, url(imgs[1]));
		assert.deepEqual(item(e[2].id).attachments, [{ url: url(imgs[1]), mime_type: 'image/png' }]);
		assert.equal(item(e[0].id).image, undefined);
		assert.equal(item(e[0].id).attachments, undefined);
		assert.ok(item(e[0].id).content_html.includes(`<a href="https://example.org/a" ${REL}>`));
		/* the URL names a picture this server serves */
		for (const img of imgs) {
			const got = await getMedia(d.base, url(img).slice(PUBLIC.length + '/media/'.length));
			assert.equal(got.status, 200);
			assert.ok(got.buf.equals(img.buf));
		}
	});

	it('the reader page, an entry\'s own page and the fragment show the same figures, absolute', async () => {
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const own = await api(d.base, 'GET', `/blogs/${b.id}/entries/${e[1].id}`);
		assert.equal(own.status, 200);
		const frag = await api(d.base, 'GET', `/blogs/${b.id}/fragment`);
		assert.equal(frag.status, 200);
		const figs = figuresOf(page, e[1].id);
		assert.equal(figs.length, 2);
		assert.ok(figs[0].startsWith(`<figure class="entry-figure"><img src="${url(imgs[0])}"`), figs[0]);
		assert.ok(figs[1].startsWith(`<figure class="entry-figure"><img src="${url(imgs[1])}"`), figs[1]);
		for (const html of [own.text, frag.text]) {
			for (const x of e)
				assert.deepEqual(figuresOf(html, x.id), figuresOf(page, x.id));
		}
		assert.ok(frag.text.includes(`<a href="https://example.org/photo?x=1&amp;y=2" ${REL}>`));
	});

	it('the pages\' Content-Security-Policy lets in pictures from --public-url\'s origin (the page reached under another name)', async () => {
		for (const p of [`/blogs/${b.id}`, `/blogs/${b.id}/entries/${e[1].id}`, `/blogs/${b.id}/embed`]) {
			const r = await api(d.base, 'GET', p);
			assert.equal(r.status, 200, p);
			const img = /(?:^|;)\s*img-src ([^;]*)/.exec(r.headers['content-security-policy'])?.[1];
			assert.deepEqual(img?.split(' '), ["'self'", 'https://news.example', 'data:'], `${p}: ${r.headers['content-security-policy']}`);
		}
	});

	it('JSON-LD: image on the updates with pictures, their absolute URLs, on the page and the entry\'s page', async () => {
		for (const p of [`/blogs/${b.id}`, `/blogs/${b.id}/entries/${e[1].id}`]) {
			const ld = jsonLd((await api(d.base, 'GET', p)).text);
			const u = (id) => ld.liveBlogUpdate.find((x) => x.url === `${PUBLIC}/blogs/${b.id}/entries/${id}`);
			assert.deepEqual(u(e[1].id).image, [url(imgs[0]), url(imgs[1])], p);
			assert.deepEqual(u(e[2].id).image, [url(imgs[1])], p);
			assert.equal(u(e[0].id).image, undefined, p);
		}
	});
});
