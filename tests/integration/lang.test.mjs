// A blog's language (SPEC part two, "Languages"): `lang` given at creation
// (BCP 47, validated and kept canonical; default --default-lang, itself
// "en"), changed with PATCH /api/blogs/{id} {"title"?,"lang"?} (editor
// token, live blogs only), in the Blog wire object; the reader page in
// that language (<html lang>, the catalog's words) from the catalogs of
// www/i18n/, one file per language; a change reaches readers greeted after
// it (their hello), on every instance.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	startStack, startDaemon, api, createBlog, postEntry, uniqueId, wsOpen, tempDir,
	assertErrorBody, waitUntil, rawHttp, REPO_ROOT,
} from './harness.mjs';

const FR = {
	live: 'EN DIRECT', ended_badge: 'TERMINÉ', ended: 'Le direct est terminé.',
	empty: 'Aucune mise à jour pour le moment.', key_events: 'Événements clés',
	latest: 'Dernières mises à jour', reconnecting: 'Reconnexion…',
};

/* The catalog the page carries for its script. */
function pageStrings(html) {
	const m = /<script type="application\/json" id="lb-i18n">([\s\S]*?)<\/script>/.exec(html);
	assert.ok(m, 'the page carries its catalog');
	return JSON.parse(m[1]);
}

async function create(s, body) {
	return api(s.base, 'POST', '/api/blogs', { body, token: s.adminToken });
}

describe('languages', { timeout: 120000 }, () => {
	let s;

	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('lang at creation: given, canonical, default "en"; in GET and the list', async () => {
		const fr = await create(s, { id: uniqueId('fr'), title: 'Sommet', lang: 'fr' });
		assert.equal(fr.status, 201);
		assert.equal(fr.json.lang, 'fr');
		const gb = await create(s, { id: uniqueId('gb'), title: 'Summit', lang: 'EN-gb' });
		assert.equal(gb.json.lang, 'en-GB');
		const plain = await create(s, { id: uniqueId('en'), title: 'Summit' });
		assert.equal(plain.json.lang, 'en');
		assert.equal((await api(s.base, 'GET', `/api/blogs/${gb.json.id}`)).json.lang, 'en-GB');
		const list = (await api(s.base, 'GET', '/api/blogs')).json.blogs;
		assert.equal(list.find((b) => b.id === fr.json.id).lang, 'fr');
	});

	it('a bad lang is 400 with a clear message and creates nothing', async () => {
		for (const lang of ['en_GB', 'fr FR', '', 'x-private', 42, ['fr'], 'a'.repeat(40)]) {
			const id = uniqueId('bad');
			const res = await create(s, { id, title: 'T', lang });
			assertErrorBody(res, 400, 'bad_request', JSON.stringify(lang));
			assert.match(res.json.message, /"lang" must be/);
			assert.equal((await api(s.base, 'GET', `/api/blogs/${id}`)).status, 404);
		}
	});

	it('PATCH changes title and lang (editor token); the blog and the page say so', async () => {
		const b = await createBlog(s, { id: uniqueId('patch'), title: 'Before' });
		let res = await api(s.base, 'PATCH', `/api/blogs/${b.id}`,
			{ body: { title: 'Après', lang: 'FR' }, token: b.editor_token });
		assert.equal(res.status, 200);
		assert.equal(res.json.title, 'Après');
		assert.equal(res.json.lang, 'fr');
		assert.equal(res.json.state, 'live');
		assert.equal(res.json.editor_token, undefined);
		res = await api(s.base, 'PATCH', `/api/blogs/${b.id}`, { body: { lang: 'en-GB' }, token: s.adminToken });
		assert.equal(res.status, 200, 'the admin token works too');
		assert.equal(res.json.title, 'Après', 'a title not given is kept');
		res = await api(s.base, 'PATCH', `/api/blogs/${b.id}`, { body: { lang: 'fr' }, token: b.editor_token });
		const page = await api(s.base, 'GET', `/blogs/${b.id}`);
		assert.match(page.text, /<html lang="fr">/);
		assert.match(page.text, /<h1 id="blog-title">Après<\/h1>/);
	});

	it('PATCH refusals: 401, 404, 400, and 409 ended on an ended blog whatever the body', async () => {
		const b = await createBlog(s, { id: uniqueId('refuse'), title: 'T' });
		const url = `/api/blogs/${b.id}`;
		assertErrorBody(await api(s.base, 'PATCH', url, { body: { title: 'x' } }), 401, 'unauthorized');
		assertErrorBody(await api(s.base, 'PATCH', url, { body: { title: 'x' }, token: 'wrong' }), 401, 'unauthorized');
		assertErrorBody(await api(s.base, 'PATCH', `/api/blogs/${uniqueId('none')}`,
			{ body: { title: 'x' }, token: s.adminToken }), 404, 'not_found');
		for (const body of [{}, { title: '' }, { lang: 'en_US' }, { title: 3 }])
			assertErrorBody(await api(s.base, 'PATCH', url, { body, token: b.editor_token }),
				400, 'bad_request', JSON.stringify(body));
		assertErrorBody(await api(s.base, 'PATCH', url, { raw: '{"title":', token: b.editor_token }),
			400, 'bad_request');
		assert.equal((await api(s.base, 'GET', url)).json.title, 'T', 'nothing changed');
		assert.equal((await api(s.base, 'POST', `${url}/end`, { token: b.editor_token })).status, 200);
		for (const opts of [{ body: { title: 'x' } }, { body: {} }, { raw: 'nope' }])
			assertErrorBody(await api(s.base, 'PATCH', url, { ...opts, token: b.editor_token }), 409, 'ended');
		assert.equal((await api(s.base, 'GET', url)).json.title, 'T');
	});

	it('the page of a French blog: <html lang="fr">, SPEC\'s French words, the catalog for the script', async () => {
		const b = (await create(s, { id: uniqueId('page'), title: 'Sommet', lang: 'fr' })).json;
		let page = await api(s.base, 'GET', `/blogs/${b.id}`);
		assert.match(page.text, /<html lang="fr">/);
		assert.ok(page.text.includes(`<span id="state-badge" class="badge badge-live">${FR.live}</span>`));
		assert.ok(page.text.includes(`<p id="empty" class="empty">${FR.empty}</p>`));
		assert.ok(page.text.includes(`data-i18n="latest">${FR.latest}</h2>`));
		assert.ok(page.text.includes(`data-i18n="key_events">${FR.key_events}</h2>`));
		const strings = pageStrings(page.text);
		for (const [k, v] of Object.entries(FR))
			assert.equal(strings[k], v, k);
		await postEntry(s, b, { text: 'Un moment clé.', key: true });
		await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		page = await api(s.base, 'GET', `/blogs/${b.id}`);
		assert.ok(page.text.includes(`<span id="state-badge" class="badge badge-ended">${FR.ended_badge}</span>`));
		assert.ok(page.text.includes(`<p id="ended-banner" class="ended-banner">${FR.ended}</p>`));
		assert.ok(page.text.includes('<span class="entry-key-badge">Événement clé</span>'));
		/* an English blog's page is in English */
		const en = await createBlog(s, { id: uniqueId('en'), title: 'Summit' });
		page = await api(s.base, 'GET', `/blogs/${en.id}`);
		assert.match(page.text, /<html lang="en">/);
		assert.ok(page.text.includes('<span id="state-badge" class="badge badge-live">LIVE</span>'));
	});

	it('the catalogs are served at /i18n/<lang>.json', async () => {
		const res = await api(s.base, 'GET', '/i18n/fr.json');
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^application\/json/);
		assert.equal(res.json.live, FR.live);
		assert.equal((await api(s.base, 'GET', '/i18n/xx.json')).status, 404);
		for (const p of ['/i18n/.fr.json', '/i18n/a/fr.json', '/i18n/', '/i18n'])
			assert.equal((await rawHttp(s.daemon.port,
				`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).status, 404, p);
	});

	it('a change reaches the hello of readers greeted after it, on every instance', async () => {
		const b = (await create(s, { id: uniqueId('hello'), title: 'Old', lang: 'en' })).json;
		const other = await s.addDaemon();
		/* readers on both instances: both hubs are loaded and stay */
		const r1 = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		const r2 = wsOpen(`${other.wsBase}/ws/blogs/${b.id}`);
		for (const r of [r1, r2]) {
			const hello = await r.waitFor((m) => m.type === 'hello');
			assert.equal(hello.blog.title, 'Old');
			await r.waitFor((m) => m.type === 'live');
		}
		const res = await api(s.base, 'PATCH', `/api/blogs/${b.id}`,
			{ body: { title: 'Nouveau', lang: 'fr' }, token: b.editor_token });
		assert.equal(res.status, 200);
		for (const d of [s.daemon, other]) {
			await waitUntil(async () => {
				const r = wsOpen(`${d.wsBase}/ws/blogs/${b.id}`);
				const hello = await r.waitFor((m) => m.type === 'hello');
				r.close();
				return hello.blog.title === 'Nouveau' && hello.blog.lang === 'fr';
			}, { timeout: 5000, message: `the new title in a hello from ${d.base}` });
		}
		r1.close();
		r2.close();
	});

	it('--default-lang sets the language of blogs created without one', async () => {
		const d = await startDaemon({ redisUrl: s.redis.url, args: ['--default-lang', 'FR'] });
		try {
			const res = await api(d.base, 'POST', '/api/blogs',
				{ body: { id: uniqueId('dflt'), title: 'Sommet' }, token: d.adminToken });
			assert.equal(res.json.lang, 'fr');
			const page = await api(d.base, 'GET', `/blogs/${res.json.id}`);
			assert.match(page.text, /<html lang="fr">/);
			assert.ok(page.text.includes(FR.live));
		} finally {
			await d.stop();
		}
	});

	it('adding a language is adding one file: a catalog dropped into --www is used', async () => {
		const www = tempDir('liveblog-www-');
		fs.cpSync(path.join(REPO_ROOT, 'www'), www, { recursive: true });
		fs.writeFileSync(path.join(www, 'i18n', 'de.json'), JSON.stringify({
			live: 'LIVE-TICKER', empty: 'Noch keine Einträge.', latest: 'Neueste Einträge',
		}));
		fs.writeFileSync(path.join(www, 'i18n', 'fr-CA.json'), JSON.stringify({ live: 'EN DIRECT (QC)' }));
		const d = await startDaemon({ redisUrl: s.redis.url, www });
		try {
			const mk = async (lang) => (await api(d.base, 'POST', '/api/blogs',
				{ body: { id: uniqueId(lang.toLowerCase()), title: 'T', lang }, token: d.adminToken })).json;
			const de = await mk('de');
			let page = await api(d.base, 'GET', `/blogs/${de.id}`);
			assert.match(page.text, /<html lang="de">/);
			assert.ok(page.text.includes('badge-live">LIVE-TICKER</span>'));
			assert.ok(page.text.includes('<p id="empty" class="empty">Noch keine Einträge.</p>'));
			assert.ok(page.text.includes('data-i18n="latest">Neueste Einträge</h2>'));
			assert.ok(page.text.includes('data-i18n="key_events">Key events</h2>'), 'a missing string is English');
			const ca = await mk('fr-CA');
			page = await api(d.base, 'GET', `/blogs/${ca.id}`);
			assert.ok(page.text.includes('badge-live">EN DIRECT (QC)</span>'));
			assert.ok(page.text.includes(`<p id="empty" class="empty">${FR.empty}</p>`), 'the rest from fr.json');
			assert.equal((await api(d.base, 'GET', '/i18n/de.json')).json.live, 'LIVE-TICKER');
		} finally {
			await d.stop();
		}
		/* the binary's own copy has no de.json: English */
		const compiled = await startDaemon({ redisUrl: s.redis.url, www: false });
		try {
			const res = await api(compiled.base, 'POST', '/api/blogs',
				{ body: { id: uniqueId('de2'), title: 'T', lang: 'de' }, token: compiled.adminToken });
			const page = await api(compiled.base, 'GET', `/blogs/${res.json.id}`);
			assert.ok(page.text.includes('badge-live">LIVE</span>'));
			assert.ok((await api(compiled.base, 'GET', `/blogs/${(await api(compiled.base, 'POST', '/api/blogs',
				{ body: { id: uniqueId('fr2'), title: 'T', lang: 'fr' }, token: compiled.adminToken })).json.id}`))
				.text.includes(FR.live), 'fr.json is compiled in');
		} finally {
			await compiled.stop();
		}
	});
});
