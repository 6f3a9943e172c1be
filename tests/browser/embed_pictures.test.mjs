// Pictures in embeds, in Chromium (SPEC part two, "Pictures" and
// "Embedding in the newsroom's own pages"): on a host page of another
// origin (127.0.0.2, allowed with --embed-origin), embed.js shows an
// entry's pictures with the very <figure> markup of the server's fragment,
// loaded from the liveblog server (their URLs are under --public-url, not
// the host's), fitted to the embed's width with their aspect ratio, with
// caption and credit; a picture in an entry that arrives live too; and a
// server-rendered fragment pasted in the host page shows its pictures
// before any script runs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startRedis, startDaemon, freePort, postEntry, createBlog, uniqueId } from '../integration/harness.mjs';
import { makeImages, upload } from '../media/lib.mjs';
import { launchBrowser, PHONE } from './lib.mjs';

/* A host page on another origin: an article with one embed (inner: a fragment's HTML). */
function hostPage(blog, { script = null, inner = '' } = {}) {
	return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Article</title></head><body>
<h1>Le sommet</h1><p>Le texte de l’article.</p>
<div data-liveblog="${blog}">${inner}</div>
${script ? `<script src="${script}" async></script>` : ''}
</body></html>`;
}

/* The figures of an entry in the embed's shadow root (or the light DOM): markup, loaded, boxes. */
function figures(page, blog, entry) {
	return page.evaluate(([b, e]) => {
		const host = document.querySelector(`[data-liveblog="${b}"]`);
		const scope = host.shadowRoot ?? host;
		const root = scope.querySelector('.lb-root');
		return [...scope.querySelectorAll(`#entry-${e} figure`)].map((f) => {
			const img = f.querySelector('img');
			const box = img.getBoundingClientRect();
			return {
				html: f.outerHTML, src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
				width: box.width, height: box.height, rootWidth: root.clientWidth,
				caption: f.querySelector('figcaption')?.textContent ?? null,
			};
		});
	}, [blog, entry]);
}

/* The figures of an entry as the server's fragment has them, parsed by the browser. */
function fragmentFigures(page, base, blog, entry) {
	return page.evaluate(async ([u, e]) => {
		const doc = new DOMParser().parseFromString(await (await fetch(u)).text(), 'text/html');
		return [...doc.querySelectorAll(`#entry-${e} figure`)].map((f) => f.outerHTML);
	}, [`${base}/blogs/${blog}/fragment`, entry]);
}

describe('pictures in embeds on another origin', { timeout: 180000 }, () => {
	let browser, redis, d, host, b, imgs, first;

	before(async () => {
		browser = await launchBrowser();
		redis = await startRedis();
		const hostPort = await freePort();
		d = await startDaemon({ redisUrl: redis.url, args: ['--embed-origin', `http://127.0.0.2:${hostPort}`] });
		b = await createBlog(d, { id: uniqueId('embpic'), title: 'Sommet en images' });
		const all = makeImages();
		imgs = [all.find((i) => i.name === 'demo.jpg'), all.find((i) => i.name === 'png-alpha.png')];
		for (const img of imgs)
			assert.equal((await upload(d.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		first = await postEntry(d, b, { text: 'La ville au soir : https://example.org/ville', media: [
			{ id: imgs[0].id, alt: 'Une ville au crépuscule', caption: 'Le soir', credit: 'Illustration' },
		] });
		const script = `${d.base}/embed.js`;
		let fragment = '';
		const routes = {
			'/embed.html': () => hostPage(b.id, { script }),
			'/fragment.html': () => hostPage(b.id, { inner: fragment }),
		};
		const srv = http.createServer((req, res) => {
			const page = routes[new URL(req.url, 'http://x').pathname];
			if (!page) {
				res.writeHead(404).end();
				return;
			}
			res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
			res.end(page());
		});
		await new Promise((r) => srv.listen(hostPort, '127.0.0.2', r));
		host = { base: `http://127.0.0.2:${hostPort}`, close: () => new Promise((r) => srv.close(r)),
			setFragment: (f) => { fragment = f; } };
		host.setFragment(await (await fetch(`${d.base}/blogs/${b.id}/fragment`)).text());
	});
	after(async () => {
		await host?.close();
		await browser?.close();
		await d?.stop();
		await redis?.stop();
	});

	async function open(url) {
		const context = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' });
		const page = await context.newPage();
		const view = { page, context, errors: [], failed: [] };
		page.on('pageerror', (e) => view.errors.push(`pageerror: ${e.message}`));
		page.on('requestfailed', (r) => view.failed.push(r.url()));
		page.on('response', (r) => { if (r.status() >= 400) view.failed.push(`${r.status()} ${r.url()}`); });
		await page.goto(url);
		return view;
	}

	const loaded = (page, blog, entry, n) => page.waitForFunction(([bl, e, count]) => {
		const host = document.querySelector(`[data-liveblog="${bl}"]`);
		const imgs = [...(host.shadowRoot ?? host).querySelectorAll(`#entry-${e} figure img`)];
		return imgs.length === count && imgs.every((i) => i.complete && i.naturalWidth > 0);
	}, [blog, entry, n], { timeout: 10000 });

	it('embed.js: the fragment\'s figure markup, the picture from the server, fitted, captioned; live too', async () => {
		const view = await open(`${host.base}/embed.html`);
		const { page } = view;
		try {
			await loaded(page, b.id, first.id, 1);
			const [fig] = await figures(page, b.id, first.id);
			assert.equal(fig.src, `${d.base}/media/${imgs[0].id}`, 'under the server\'s URL, not the host\'s');
			assert.deepEqual([fig.html], await fragmentFigures(page, d.base, b.id, first.id),
				'the same markup as the server\'s');
			assert.equal(fig.caption, 'Le soirIllustration');
			assert.ok(fig.width <= fig.rootWidth, `${fig.width} px in a ${fig.rootWidth} px embed`);
			assert.ok(Math.abs(fig.height - fig.width * imgs[0].height / imgs[0].width) <= 1,
				`aspect ratio kept: ${fig.width}x${fig.height}`);
			/* an entry with two pictures arrives live */
			const live = await postEntry(d, b, { text: 'Deux images en direct.', media: [
				{ id: imgs[1].id, alt: 'Un dégradé', credit: 'netpbm' },
				{ id: imgs[0].id, alt: 'La ville encore' },
			] });
			await loaded(page, b.id, live.id, 2);
			const figs = await figures(page, b.id, live.id);
			assert.deepEqual(figs.map((f) => f.src), [`${d.base}/media/${imgs[1].id}`, `${d.base}/media/${imgs[0].id}`]);
			assert.deepEqual(figs.map((f) => f.html), await fragmentFigures(page, d.base, b.id, live.id));
			assert.deepEqual(view.failed, []);
			assert.deepEqual(view.errors, []);
		} finally {
			await view.context.close();
		}
	});

	it('a fragment pasted in the host page shows its pictures without any script', async () => {
		const view = await open(`${host.base}/fragment.html`);
		const { page } = view;
		try {
			await loaded(page, b.id, first.id, 1);
			const [fig] = await figures(page, b.id, first.id);
			assert.equal(fig.src, `${d.base}/media/${imgs[0].id}`);
			assert.deepEqual(view.failed, []);
		} finally {
			await view.context.close();
		}
	});
});
