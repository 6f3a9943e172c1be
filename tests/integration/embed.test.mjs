// Who may embed the blogs (SPEC part two, "Embedding in the newsroom's own
// pages"), over plain HTTP and WebSocket: --embed-origin ORIGIN (repeatable,
// or '*') drives the embed page's frame-ancestors (the other pages are
// never framed), Access-Control-Allow-Origin on every read (the allowed
// origin echoed, with Vary: Origin; '*' only when '*' was given; never on
// writes) and the WebSocket handshake's Origin (403 for a page of another
// origin; no Origin is fine; the server's own origin always is). Plus the
// shapes of GET /blogs/{id}/fragment and /blogs/{id}/embed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
	startRedis, startDaemon, api, createBlog, postEntry, uniqueId, wsOpen, sseOpen,
	DAEMON_BIN, assertErrorBody,
} from './harness.mjs';

const NEWS = 'https://news.example';
const HOST2 = 'http://127.0.0.2:5000';
const EVIL = 'https://evil.example';

/* The WebSocket handshake's answer for Origin origin (undefined: none). */
async function wsStatus(d, blog, origin) {
	const r = wsOpen(`${d.wsBase}/ws/blogs/${blog}`, { headers: origin ? { origin } : {} });
	try {
		await r.opened;
		await r.waitFor((m) => m.type === 'hello');
		r.close();
		return 101;
	} catch {
		return r.handshakeStatus;
	}
}

const frameAncestors = (res) => /frame-ancestors ([^;]*)/.exec(res.headers['content-security-policy'] ?? '')?.[1];

describe('--embed-origin', { timeout: 120000 }, () => {
	let redis;
	let d;        /* two origins allowed */
	let any;      /* '*' */
	let plain;    /* none: its own origin only */
	let blog;

	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, args: ['--embed-origin', NEWS, '--embed-origin', HOST2] });
		any = await startDaemon({ redisUrl: redis.url, args: ['--embed-origin', '*'] });
		plain = await startDaemon({ redisUrl: redis.url });
		blog = await createBlog(d, { id: uniqueId('emb'), title: 'Embedded' });
		await postEntry(d, blog, { text: 'Une entrée.' });
	});
	after(async () => {
		for (const x of [d, any, plain]) await x?.stop();
		await redis?.stop();
	});

	it('reads answer an allowed Origin with Access-Control-Allow-Origin (echoed) and Vary: Origin', async () => {
		const reads = ['/api/blogs', `/api/blogs/${blog.id}`, `/api/blogs/${blog.id}/events`,
			`/api/blogs/${blog.id}/entries`, `/blogs/${blog.id}/fragment`, `/blogs/${blog.id}`,
			`/blogs/${blog.id}/feed.json`, '/embed.js', '/embed-app.js', '/render.js', '/i18n/fr.json'];
		for (const p of reads) {
			for (const [origin, want] of [[NEWS, NEWS], [HOST2, HOST2], [EVIL, undefined],
				[d.base, d.base], [undefined, undefined]]) {
				const res = await api(d.base, 'GET', p, { headers: origin ? { origin } : {} });
				assert.equal(res.status, 200, `${p} ${res.status}`);
				assert.equal(res.headers['access-control-allow-origin'], want, `${p} from ${origin}`);
				assert.match(res.headers.vary ?? '', /\bOrigin\b/i, `${p}: Vary: Origin`);
			}
		}
		/* '*' only with '*'; none on a server without the flag */
		assert.equal((await api(any.base, 'GET', '/api/blogs', { headers: { origin: EVIL } }))
			.headers['access-control-allow-origin'], '*');
		assert.equal((await api(plain.base, 'GET', '/api/blogs', { headers: { origin: NEWS } }))
			.headers['access-control-allow-origin'], undefined);
		/* an error of a read too (the page's script must see why) */
		const missing = await api(d.base, 'GET', `/api/blogs/${uniqueId('none')}`, { headers: { origin: NEWS } });
		assertErrorBody(missing, 404, 'not_found');
		assert.equal(missing.headers['access-control-allow-origin'], NEWS);
	});

	it('SSE streams carry CORS for an allowed Origin only', async () => {
		for (const [origin, want] of [[NEWS, NEWS], [EVIL, undefined]]) {
			const sse = sseOpen(d.base, `/sse/blogs/${blog.id}`, { headers: { origin } });
			const res = await sse.response;
			assert.equal(res.status, 200);
			assert.equal(res.headers['access-control-allow-origin'], want);
			assert.match(res.headers.vary ?? '', /Origin/);
			sse.req.destroy();
		}
	});

	it('writes never get CORS headers, from any origin', async () => {
		const tok = blog.editor_token;
		const writes = [
			['POST', `/api/blogs/${blog.id}/entries`, { text: 'w' }],
			['PATCH', `/api/blogs/${blog.id}`, { title: 'Embedded' }],
			['POST', '/api/blogs', { title: 'nope' }],
		];
		for (const daemon of [d, any]) {
			for (const [method, p, body] of writes) {
				const res = await api(daemon.base, method, p, { body, token: tok, headers: { origin: NEWS } });
				assert.ok(res.status < 500, `${method} ${p}: ${res.status}`);
				assert.equal(res.headers['access-control-allow-origin'], undefined, `${method} ${p}`);
			}
		}
	});

	it('only the embed page may be framed, by the allowed origins', async () => {
		const embed = await api(d.base, 'GET', `/blogs/${blog.id}/embed`);
		assert.equal(embed.status, 200);
		assert.equal(frameAncestors(embed), `'self' ${NEWS} ${HOST2}`);
		assert.equal(embed.headers['x-frame-options'], undefined);
		assert.equal(frameAncestors(await api(any.base, 'GET', `/blogs/${blog.id}/embed`)), '*');
		assert.equal(frameAncestors(await api(plain.base, 'GET', `/blogs/${blog.id}/embed`)), "'self'");
		for (const p of ['/', `/blogs/${blog.id}`, `/blogs/${blog.id}/edit`, '/api/blogs',
			`/blogs/${blog.id}/fragment`, '/embed.js']) {
			for (const daemon of [d, any]) {
				const res = await api(daemon.base, 'GET', p);
				assert.equal(frameAncestors(res), "'none'", p);
				assert.equal(res.headers['x-frame-options'], 'deny', p);
				assert.equal(res.headers['x-content-type-options'], 'nosniff', p);
			}
		}
	});

	it('the WebSocket handshake refuses a page of another origin (403); no Origin and its own are fine', async () => {
		assert.equal(await wsStatus(d, blog.id, NEWS), 101);
		assert.equal(await wsStatus(d, blog.id, HOST2), 101);
		assert.equal(await wsStatus(d, blog.id, undefined), 101);
		assert.equal(await wsStatus(d, blog.id, d.base), 101);
		assert.equal(await wsStatus(d, blog.id, EVIL), 403);
		assert.equal(await wsStatus(d, blog.id, 'null'), 403);
		assert.equal(await wsStatus(d, blog.id, `${NEWS}.evil.example`), 403);
		assert.equal(await wsStatus(d, blog.id, 'x'.repeat(300)), 403);
		assert.equal(await wsStatus(any, blog.id, EVIL), 101);
		assert.equal(await wsStatus(plain, blog.id, NEWS), 403);
		assert.equal(await wsStatus(plain, blog.id, plain.base), 101);
	});

	it('a bad --embed-origin is refused at start (exit 2, one line)', () => {
		for (const v of ['news.example', 'https://news.example/', 'https://news.example/path', 'ftp://x', '']) {
			const r = spawnSync(DAEMON_BIN, ['--embed-origin', v, '--listen', '127.0.0.1:1'], { encoding: 'utf8' });
			assert.equal(r.status, 2, v);
			assert.equal(r.stderr.trim(), `liveblogd: invalid value '${v}' for --embed-origin`);
		}
	});

	it('the fragment: no <html>, its root with data-seq like the page\'s <main>, entries, JSON-LD; ?limit', async () => {
		const b = await createBlog(d, { id: uniqueId('frag'), title: 'Fragment' });
		const e = [];
		for (let i = 0; i < 4; i++) e.push(await postEntry(d, b, { text: `n° ${i}`, key: i === 0 }));
		const res = await api(d.base, 'GET', `/blogs/${b.id}/fragment`);
		assert.equal(res.status, 200);
		assert.match(res.headers['content-type'], /^text\/html/);
		assert.ok(!/<(html|head|body)[\s>]/i.test(res.text));
		const page = (await api(d.base, 'GET', `/blogs/${b.id}`)).text;
		const pageSeq = /<main id="main" class="wrap" data-seq="([^"]*)"/.exec(page)[1];
		const root = /^<div class="lb-root" data-liveblog-root="" data-blog="([^"]+)" data-seq="([^"]*)" data-state="(live|ended)" data-base="([^"]*)" lang="([^"]+)">/.exec(res.text);
		assert.ok(root, res.text.slice(0, 300));
		assert.deepEqual(root.slice(1), [b.id, pageSeq, 'live', `http://127.0.0.1:${d.port}`, 'en']);
		const ids = [...res.text.matchAll(/<article class="entry[^"]*" id="entry-([^"]+)"/g)].map((m) => m[1]);
		assert.deepEqual(ids, e.map((x) => x.id).reverse());
		assert.ok(res.text.includes('<script type="application/ld+json">'));
		assert.ok(res.text.includes(`<a href="${d.base}/blogs/${b.id}/entries/${e[0].id}">`), 'key events link to their page');
		const teaser = await api(d.base, 'GET', `/blogs/${b.id}/fragment?limit=2`);
		assert.deepEqual([...teaser.text.matchAll(/<article class="entry[^"]*" id="entry-([^"]+)"/g)].map((m) => m[1]),
			[e[3].id, e[2].id]);
		assert.match(teaser.text, /data-limit="2"/);
		for (const bad of ['0', 'x', '-1', '99999'])
			assertErrorBody(await api(d.base, 'GET', `/blogs/${b.id}/fragment?limit=${bad}`), 400, 'bad_request', bad);
		assert.equal((await api(d.base, 'GET', `/blogs/${uniqueId('none')}/fragment`)).status, 404);
		await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		const ended = await api(d.base, 'GET', `/blogs/${b.id}/fragment`);
		assert.match(ended.text, /data-state="ended"/);
		assert.ok(ended.headers.etag);
		assert.equal((await api(d.base, 'GET', `/blogs/${b.id}/fragment`,
			{ headers: { 'if-none-match': ended.headers.etag } })).status, 304);
	});

	it('the embed page: the reader page for an iframe', async () => {
		const key = await postEntry(d, blog, { text: 'Un moment clé.', key: true });
		const res = await api(d.base, 'GET', `/blogs/${blog.id}/embed`);
		/* links leave the frame (permalinks), but in-page anchors stay in it */
		assert.ok(res.text.includes(`<a href="#entry-${key.id}" target="_self">`), 'key event link');
		assert.match(res.text, /<body class="page-reader page-embed">/);
		assert.ok(res.text.includes('<base target="_top">'));
		assert.ok(res.text.includes('<meta name="robots" content="noindex">'));
		assert.ok(res.text.includes('<script type="module" src="/embed-frame.js"></script>'));
		assert.ok(res.text.includes(`<link rel="canonical" href="${d.base}/blogs/${blog.id}">`));
		assert.equal((await api(d.base, 'GET', `/blogs/${uniqueId('none')}/embed`)).status, 404);
	});
});
