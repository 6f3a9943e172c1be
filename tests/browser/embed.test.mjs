// Embedding in the newsroom's own pages, in Chromium (SPEC part two,
// "Embedding in the newsroom's own pages"): a host page on another origin
// (127.0.0.2, served by a tiny node server, allowed with --embed-origin)
// embeds two blogs with embed.js, under a stylesheet that tries to restyle
// everything: the embeds look exactly as without it and the host looks
// exactly as without them; live entries, edits, the ended state and
// liveblog:update events arrive; "N new updates" keeps the reader in place;
// a server-rendered fragment is taken over, not rendered again; data-limit
// makes a teaser; the iframe page posts its height to its parent; a page of
// an origin not allowed gets nothing (no CORS, WebSocket refused).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
	startRedis, startDaemon, freePort, api, createBlog, postEntry, uniqueId, waitUntil,
} from '../integration/harness.mjs';
import { launchBrowser, DESKTOP } from './lib.mjs';

const HOSTILE = `
* { font-family: "Comic Sans MS", cursive !important; color: #00ff00 !important;
    letter-spacing: 3px !important; line-height: 3 !important; text-transform: uppercase !important;
    box-sizing: content-box !important; }
div, p, li, ol, ul, h1, h2, h3, a, time, span, article, header, section, nav, button {
    margin: 40px !important; padding: 30px !important; background: #ff00ff !important;
    border: 5px dashed red !important; font-size: 30px !important; }
.entry, .entry-body, .lb-root, .entries, .lb-badge, .entry-meta { display: none !important; }
:root { --bg: black; --fg: lime; }
`;

/* A host page: an article with embeds of blogs (ids), maybe hostile. */
function hostPage({ blogs = [], hostile = false, script = null, limit = 0, inner = {} }) {
	const divs = blogs.map((id) => `<div data-liveblog="${id}"${limit ? ` data-limit="${limit}"` : ''}>${inner[id] ?? ''}</div>`).join('\n');
	return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Article</title>
${hostile ? `<style>${HOSTILE}</style>` : ''}
<style>body { font-family: Georgia, serif; color: #222; } p.article { font-size: 18px; margin: 1em 0; }</style>
</head><body>
<h1 class="article">Le sommet européen</h1>
<p class="article">Le texte de l’article commence ici.</p>
${divs}
<p class="article">Suite de l’article, après le direct.</p>
<div style="height: 3000px"></div>
<script>
window.__updates = [];
document.addEventListener('liveblog:update', (e) => window.__updates.push({
	blog: e.detail.blog, type: e.detail.type, id: e.detail.entry?.id ?? e.detail.entry_id ?? null,
	host: e.target.dataset.liveblog }));
</script>
${script ? `<script src="${script}" async></script>` : ''}
</body></html>`;
}

/* A tiny server for host pages on address (another origin than the daemon's). */
async function hostServer(address, routes, port) {
	port = port ?? await freePort();
	const srv = http.createServer(async (req, res) => {
		const page = routes[new URL(req.url, 'http://x').pathname];
		if (!page) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
		res.end(typeof page === 'function' ? await page() : page);
	});
	await new Promise((r) => srv.listen(port, address, r));
	return { base: `http://${address}:${port}`, close: () => new Promise((r) => srv.close(r)) };
}

/* Computed styles of what an embed shows, by role (in its shadow root). */
function embedStyles(page, blog) {
	return page.evaluate((id) => {
		const root = document.querySelector(`[data-liveblog="${id}"]`).shadowRoot;
		const props = ['display', 'font-family', 'font-size', 'color', 'line-height', 'margin-top',
			'padding-left', 'background-color', 'letter-spacing', 'text-transform', 'border-top-style',
			'box-sizing'];
		const out = {};
		for (const sel of ['.lb-root', '.lb-title', '.lb-badge', 'ol.entries', 'article.entry',
			'.entry-meta', '.entry-meta time', '.entry-body p', '.entry-title', '.lb-more a']) {
			const el = root.querySelector(sel);
			const cs = el && getComputedStyle(el);
			out[sel] = cs ? Object.fromEntries(props.map((p) => [p, cs.getPropertyValue(p)])) : null;
		}
		return out;
	}, blog);
}

/* Computed styles of the host's own elements. */
function hostStyles(page) {
	return page.evaluate(() => {
		const props = ['font-family', 'font-size', 'color', 'margin-top', 'line-height', 'background-color'];
		return ['h1.article', 'p.article', 'body'].map((sel) => {
			const cs = getComputedStyle(document.querySelector(sel));
			return props.map((p) => cs.getPropertyValue(p));
		});
	});
}

const shadowIds = (page, blog) => page.evaluate((id) =>
	[...(document.querySelector(`[data-liveblog="${id}"]`).shadowRoot?.querySelectorAll('ol.entries article.entry') ?? [])]
		.map((a) => a.dataset.entryId), blog);

async function waitShadowEntry(page, blog, entryId, timeout = 10000) {
	await page.waitForFunction(([b, e]) => !!document.querySelector(`[data-liveblog="${b}"]`)
		.shadowRoot?.getElementById(`entry-${e}`), [blog, entryId], { timeout });
}

describe('embeds on another origin', { timeout: 180000 }, () => {
	let browser;
	let redis;
	let d;
	let host;
	let refused;
	let a;
	let b;
	const adminToken = 'embed-admin';

	before(async () => {
		browser = await launchBrowser();
		redis = await startRedis();
		const hostPort = await freePort();
		const daemonPort = await freePort();
		d = await startDaemon({ redisUrl: redis.url, adminToken, port: daemonPort,
			args: ['--embed-origin', `http://127.0.0.2:${hostPort}`] });
		a = (await api(d.base, 'POST', '/api/blogs', { token: adminToken,
			body: { id: uniqueId('emba'), title: 'Sommet « européen »', lang: 'fr' } })).json;
		b = await createBlog(d, { id: uniqueId('embb'), title: 'Second blog' });
		const script = `${d.base}/embed.js`;
		const routes = {
			'/two.html': () => hostPage({ blogs: [a.id, b.id], hostile: true, script }),
			'/plain.html': () => hostPage({ blogs: [a.id, b.id], script }),
			'/hostile-only.html': () => hostPage({ blogs: [], hostile: true }),
			'/hostile-embed.html': () => hostPage({ blogs: [a.id], hostile: true, script }),
			'/teaser.html': () => hostPage({ blogs: [a.id], script, limit: 2 }),
			'/fragment.html': async () => hostPage({ blogs: [a.id],
				inner: { [a.id]: (await api(d.base, 'GET', `/blogs/${a.id}/fragment`)).text } }),
			'/iframe.html': () => `<!doctype html><html><body>
<script>window.__heights = []; addEventListener('message', (e) => window.__heights.push({ origin: e.origin, data: e.data }));</script>
<iframe id="lb" src="${d.base}/blogs/${a.id}/embed" style="width: 100%; height: 200px; border: 0"></iframe>
</body></html>`,
		};
		host = await hostServer('127.0.0.2', routes, hostPort);
		assert.equal(new URL(host.base).port, String(hostPort));
		refused = await hostServer('127.0.0.3', routes);
	});
	after(async () => {
		await host?.close();
		await refused?.close();
		await browser?.close();
		await d?.stop();
		await redis?.stop();
	});

	async function open(url, { viewport = DESKTOP, locale = 'en-US' } = {}) {
		const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Paris', serviceWorkers: 'block' });
		const page = await context.newPage();
		const view = { page, context, requests: [], sockets: [], errors: [] };
		page.on('request', (r) => view.requests.push(r.url()));
		page.on('websocket', (ws) => view.sockets.push(ws.url()));
		page.on('pageerror', (e) => view.errors.push(`pageerror: ${e.message}`));
		page.on('console', (m) => { if (m.type() === 'error') view.errors.push(`console: ${m.text()}`); });
		await page.goto(url);
		return view;
	}

	it('two embeds under a hostile stylesheet: the same look as without it, the host untouched, live', async () => {
		const first = await postEntry(d, a, { text: 'Ouverture du sommet.\n\n* point un\n* point deux', title: 'C’est parti', key: true });
		const plain = await open(`${host.base}/plain.html`);
		const hostile = await open(`${host.base}/two.html`);
		try {
			for (const v of [plain, hostile]) {
				await waitShadowEntry(v.page, a.id, first.id);
				await v.page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`)
					.shadowRoot?.querySelector('.lb-empty'), b.id);
				/* the styles are in before comparing */
				await v.page.waitForFunction((id) => getComputedStyle(document.querySelector(`[data-liveblog="${id}"]`)
					.shadowRoot.querySelector('.lb-root')).borderTopWidth === '4px', a.id);
			}
			const want = await embedStyles(plain.page, a.id);
			assert.ok(want['.entry-body p'], 'the entry is rendered');
			assert.deepEqual(await embedStyles(hostile.page, a.id), want, 'the host\'s CSS does not reach in');
			assert.deepEqual(await embedStyles(hostile.page, b.id), await embedStyles(plain.page, b.id));
			const shown = hostile.page.locator(`[data-liveblog="${a.id}"] .entry-body p`).first();
			assert.equal(await shown.isVisible(), true, 'shown despite display:none on .entry-body');
			/* French words in the French blog's embed, English in the other */
			const texts = await hostile.page.evaluate(([x, y]) => [x, y].map((id) => {
				const r = document.querySelector(`[data-liveblog="${id}"]`).shadowRoot;
				return [r.querySelector('.lb-badge').textContent, r.querySelector('.lb-empty')?.hidden,
					r.querySelector('.lb-empty')?.textContent, r.querySelector('.lb-keys .lb-heading').textContent];
			}), [a.id, b.id]);
			assert.deepEqual(texts, [['EN DIRECT', true, 'Aucune mise à jour pour le moment.', 'Événements clés'],
				['LIVE', false, 'No liveblog updates yet.', 'Key events']]);
			/* 24-hour French time, in the reader's zone */
			const time = await hostile.page.evaluate(([id, e]) => document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot.getElementById(`entry-${e}`).querySelector('time').textContent, [a.id, first.id]);
			assert.equal(time, new Intl.DateTimeFormat('fr', { hour: '2-digit', minute: '2-digit',
				timeZone: 'Europe/Paris' }).format(new Date(first.ts)));

			/* live: an entry to each, an edit, a delete, the end; events on the div */
			const second = await postEntry(d, a, { text: 'Deuxième mise à jour.' });
			const other = await postEntry(d, b, { text: 'Only in B.' });
			await waitShadowEntry(hostile.page, a.id, second.id);
			await waitShadowEntry(hostile.page, b.id, other.id);
			assert.deepEqual(await shadowIds(hostile.page, a.id), [second.id, first.id]);
			assert.deepEqual(await shadowIds(hostile.page, b.id), [other.id]);
			await api(d.base, 'PATCH', `/api/blogs/${a.id}/entries/${second.id}`,
				{ body: { text: 'Deuxième, corrigée.' }, token: a.editor_token });
			await api(d.base, 'DELETE', `/api/blogs/${b.id}/entries/${other.id}`, { token: b.editor_token });
			await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
			await hostile.page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot.querySelector('.lb-badge').textContent === 'ENDED', b.id);
			const ends = await hostile.page.evaluate((id) => {
				const r = document.querySelector(`[data-liveblog="${id}"]`).shadowRoot;
				return [r.querySelector('.lb-ended').hidden, r.querySelector('.lb-ended').textContent,
					r.querySelectorAll('article.entry').length, r.querySelector('.lb-empty').hidden];
			}, b.id);
			assert.deepEqual(ends, [false, 'The liveblog has ended.', 0, false]);
			await waitUntil(async () => (await hostile.page.evaluate(() => window.__updates.length)) >= 5);
			/* each blog's events in order (the two streams are independent) */
			const updates = await hostile.page.evaluate(() => window.__updates);
			assert.deepEqual(updates.filter((u) => u.blog === a.id), [
				{ blog: a.id, type: 'entry', id: second.id, host: a.id },
				{ blog: a.id, type: 'edit', id: second.id, host: a.id },
			]);
			assert.deepEqual(updates.filter((u) => u.blog === b.id), [
				{ blog: b.id, type: 'entry', id: other.id, host: b.id },
				{ blog: b.id, type: 'delete', id: other.id, host: b.id },
				{ blog: b.id, type: 'ended', id: null, host: b.id },
			]);
			/* only the two origins were asked anything */
			const origins = new Set([...hostile.requests, ...hostile.sockets].map((u) => new URL(u).host));
			assert.deepEqual([...origins].sort(), [new URL(d.base).host, new URL(host.base).host].sort());
			assert.deepEqual(hostile.errors, []);
		} finally {
			await plain.context.close();
			await hostile.context.close();
		}
	});

	it('the host looks the same with an embed as without (embed.css does not leak out)', async () => {
		const without = await open(`${host.base}/hostile-only.html`);
		const withEmbed = await open(`${host.base}/hostile-embed.html`);
		try {
			await withEmbed.page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot?.querySelector('.lb-root'), a.id);
			await withEmbed.page.waitForTimeout(300);
			assert.deepEqual(await hostStyles(withEmbed.page), await hostStyles(without.page));
		} finally {
			await without.context.close();
			await withEmbed.context.close();
		}
	});

	it('takes over a server-rendered fragment at its data-seq: the same nodes, no entry twice', async () => {
		const view = await open(`${host.base}/fragment.html`);
		const { page } = view;
		try {
			const before = await page.evaluate((id) => {
				const div = document.querySelector(`[data-liveblog="${id}"]`);
				const arts = [...div.querySelectorAll('article.entry')];
				arts.forEach((art) => { art.__rendered = true; });
				return { n: arts.length, seq: div.querySelector('[data-liveblog-root]').dataset.seq };
			}, a.id);
			assert.ok(before.n >= 2, 'readable without JavaScript: the entries are in the page');
			await page.addScriptTag({ url: `${d.base}/embed.js` });
			await page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`).shadowRoot
				?.querySelector('article.entry'), a.id);
			const kept = await page.evaluate((id) => [...document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot.querySelectorAll('article.entry')].every((x) => x.__rendered === true), a.id);
			assert.ok(kept, 'the very nodes the server rendered, moved into the shadow root');
			const late = await postEntry(d, a, { text: 'Arrivée après le rendu.' });
			await waitShadowEntry(page, a.id, late.id);
			const ids = await shadowIds(page, a.id);
			assert.equal(ids.length, before.n + 1);
			assert.equal(new Set(ids).size, ids.length, 'no entry twice');
			assert.equal(ids[0], late.id);
			const ws = view.sockets.find((u) => u.includes(`/ws/blogs/${a.id}`));
			assert.equal(new URL(ws).searchParams.get('since'), before.seq, 'resumed from data-seq');
			assert.equal(view.requests.filter((u) => u.includes(`/blogs/${a.id}/fragment`)).length, 0,
				'not fetched again');
		} finally {
			await view.context.close();
		}
	});

	it('data-limit: a teaser of the newest N and a link to the full page', async () => {
		const view = await open(`${host.base}/teaser.html`);
		const { page } = view;
		try {
			await page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`).shadowRoot
				?.querySelector('article.entry'), a.id);
			assert.equal((await shadowIds(page, a.id)).length, 2);
			const newest = await postEntry(d, a, { text: 'Tout dernier.' });
			await waitShadowEntry(page, a.id, newest.id);
			const ids = await shadowIds(page, a.id);
			assert.equal(ids.length, 2);
			assert.equal(ids[0], newest.id);
			const more = await page.evaluate((id) => document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot.querySelector('.lb-more a').href, a.id);
			assert.equal(more, `${d.base}/blogs/${a.id}`);
			assert.ok(view.requests.some((u) => u.endsWith(`/blogs/${a.id}/fragment?limit=2`)));
		} finally {
			await view.context.close();
		}
	});

	it('"N new updates": scrolled into the stream, what the reader reads stays put', async () => {
		const c = await createBlog(d, { id: uniqueId('embc'), title: 'Long' });
		for (let i = 0; i < 20; i++) await postEntry(d, c, { text: `Entry ${i}.\n\nA paragraph to take some room, ${i}.` });
		const view = await open(`${host.base}/plain.html`);
		try {
			/* a div the page adds later is embedded too */
			await view.page.evaluate((id) => {
				const div = document.createElement('div');
				div.dataset.liveblog = id;
				document.querySelector('p.article').after(div);
			}, c.id);
			await view.page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`).shadowRoot
				?.querySelectorAll('article.entry').length === 20, c.id);
			const anchor = await view.page.evaluate((id) => {
				/* no scroll anchoring, as in Safari: the page's own doing only */
				document.documentElement.style.overflowAnchor = 'none';
				document.body.style.overflowAnchor = 'none';
				const r = document.querySelector(`[data-liveblog="${id}"]`).shadowRoot;
				const list = r.querySelector('ol.entries');
				scrollTo(0, scrollY + list.getBoundingClientRect().top + 600);
				const first = [...list.children].find((li) => li.getBoundingClientRect().bottom > 0);
				return { id: first.querySelector('article').dataset.entryId, top: first.getBoundingClientRect().top };
			}, c.id);
			const e = await postEntry(d, c, { text: 'Breaking.' });
			await waitShadowEntry(view.page, c.id, e.id);
			const after = await view.page.evaluate(([id, at]) => {
				const r = document.querySelector(`[data-liveblog="${id}"]`).shadowRoot;
				return { top: r.getElementById(`entry-${at}`).getBoundingClientRect().top,
					button: r.querySelector('.lb-new').hidden ? null : r.querySelector('.lb-new').textContent };
			}, [c.id, anchor.id]);
			assert.ok(Math.abs(after.top - anchor.top) <= 1, `stayed at ${anchor.top}: ${after.top}`);
			assert.equal(after.button, '↑ 1 new update');
		} finally {
			await view.context.close();
		}
	});

	it('the iframe page posts its height to its parent\'s origin', async () => {
		const view = await open(`${host.base}/iframe.html`);
		const { page } = view;
		try {
			await page.waitForFunction(() => window.__heights.length > 0, null, { timeout: 10000 });
			let msgs = await page.evaluate(() => window.__heights);
			assert.equal(msgs[0].origin, d.base);
			assert.equal(msgs[0].data.type, 'liveblog:height');
			assert.equal(msgs[0].data.blog, a.id);
			assert.ok(msgs[0].data.height > 200, `height ${msgs[0].data.height}`);
			const h0 = msgs.at(-1).data.height;
			const e = await postEntry(d, a, { text: 'Une entrée qui agrandit la page.\n\nDeux paragraphes.' });
			await page.waitForFunction((h) => window.__heights.at(-1).data.height > h, h0, { timeout: 10000 });
			msgs = await page.evaluate(() => window.__heights);
			assert.ok(msgs.every((m) => m.origin === d.base && m.data.blog === a.id));
			const frame = page.frame({ url: /\/embed$/ });
			await frame.locator(`#entry-${e.id}`).waitFor();
		} finally {
			await view.context.close();
		}
	});

	it('a page of an origin not allowed gets nothing: no CORS, WebSocket refused', async () => {
		const view = await open(`${refused.base}/plain.html`);
		const { page } = view;
		try {
			await page.waitForTimeout(1500);
			const shown = await page.evaluate((id) => !!document.querySelector(`[data-liveblog="${id}"]`)
				.shadowRoot?.querySelector('article'), a.id);
			assert.equal(shown, false);
			assert.ok(view.errors.some((e) => /CORS|Access-Control-Allow-Origin|embed not loaded/.test(e)),
				view.errors.join('\n'));
			/* the socket, opened by hand from that page, is refused */
			const code = await page.evaluate((url) => new Promise((resolve) => {
				const ws = new WebSocket(url, 'liveblog.v1');
				ws.onopen = () => resolve('open');
				ws.onclose = (e) => resolve(`closed ${e.code}`);
			}), `${d.base.replace('http', 'ws')}/ws/blogs/${a.id}`);
			assert.equal(code, 'closed 1006');
			/* and the iframe page may not be framed there */
			const frame = await page.evaluate((src) => new Promise((resolve) => {
				const f = document.createElement('iframe');
				f.src = src;
				f.onload = () => { try { resolve(f.contentDocument ? 'readable' : 'blocked'); } catch { resolve('blocked'); } };
				document.body.appendChild(f);
				setTimeout(() => resolve('timeout'), 3000);
			}), `${d.base}/blogs/${a.id}/embed`);
			assert.notEqual(frame, 'readable');
		} finally {
			await view.context.close();
		}
	});

	it('shows "Reconnexion…" while the server is away, and resumes with no gap', async () => {
		const view = await open(`${host.base}/hostile-embed.html`);
		const { page } = view;
		const conn = () => page.evaluate((id) => document.querySelector(`[data-liveblog="${id}"]`)
			.shadowRoot.querySelector('.lb-conn').textContent, a.id);
		try {
			await page.waitForFunction((id) => document.querySelector(`[data-liveblog="${id}"]`).shadowRoot
				?.querySelector('article.entry'), a.id);
			const port = d.port;
			const args = ['--embed-origin', host.base];
			await d.stop();
			d = null;
			await waitUntil(async () => (await conn()) === 'Reconnexion…', { timeout: 8000 });
			d = await startDaemon({ redisUrl: redis.url, adminToken, port, args });
			const e = await postEntry(d, a, { text: 'De retour.' });
			await waitShadowEntry(page, a.id, e.id, 30000);
			assert.equal(await conn(), '');
			const ids = await shadowIds(page, a.id);
			assert.equal(new Set(ids).size, ids.length);
		} finally {
			await view.context.close();
		}
	});
});
