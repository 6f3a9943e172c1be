// Pictures on the reader page, in Chromium (SPEC "Pictures": width/height set
// so nothing moves when they load, loading="lazy", caption and credit; the
// same markup from the server and from render.js; JSON-LD "image").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, api, createBlog, postEntry, uniqueId } from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry, PHONE } from './lib.mjs';
import { makeImages, noiseJpeg, upload } from '../media/lib.mjs';

/* Holds every /media/ response until release() (the bytes "arrive late"). */
async function holdMedia(page) {
	let release;
	const gate = new Promise((r) => { release = r; });
	const held = [];
	await page.route('**/media/**', async (route) => {
		held.push(route.request().url());
		await gate;
		await route.continue();
	});
	return { release, held };
}

/* Heights of the pictured articles and whether their images have loaded. */
const measure = (page) => page.$$eval('#entries article:has(figure)', (arts) => arts.map((a) => ({
	id: a.dataset.entryId,
	height: a.getBoundingClientRect().height,
	loaded: [...a.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0),
})));

describe('pictures on the reader page', { timeout: 180000 }, () => {
	let s, browser, b, imgs, entries;
	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
		b = await createBlog(s, { id: uniqueId('pics-page') });
		const all = makeImages();
		imgs = [all.find((i) => i.name === 'demo.jpg'), all.find((i) => i.name === 'png-alpha.png'),
			all.find((i) => i.name === 'jpeg-exif6.jpg')];
		for (const img of imgs)
			assert.equal((await upload(s.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		entries = [];
		entries.push(await postEntry(s, b, { text: 'Before the pictures.' }));
		entries.push(await postEntry(s, b, { text: 'Skyline https://example.org/photo', media: [
			{ id: imgs[0].id, alt: 'A skyline at dusk', caption: 'Dusk over the city', credit: 'Illustration' },
		] }));
		entries.push(await postEntry(s, b, { title: 'Two', text: 'Two pictures.', media: [
			{ id: imgs[1].id, alt: 'A gradient', credit: 'netpbm' },
			{ id: imgs[2].id, alt: 'Turned by EXIF' },
		] }));
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	it('the server renders each picture as render.js does: width, height, alt, lazy, caption and credit', async () => {
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		const diffs = await view.page.evaluate(async ({ list, base }) => {
			const m = await import('/render.js');
			const out = [];
			for (const e of list) {
				const server = [...document.querySelectorAll(`#entry-${e.id} figure`)].map((f) => f.outerHTML);
				const script = (e.media || []).map((x) => m.renderFigure(x, document, base).outerHTML);
				if (JSON.stringify(server) !== JSON.stringify(script))
					out.push({ id: e.id, server, script });
			}
			return out;
		}, { list: entries, base: s.base });
		assert.deepEqual(diffs, []);
		const first = view.page.locator(`#entry-${entries[1].id} figure img`);
		assert.equal(await first.getAttribute('src'), `${s.base}/media/${imgs[0].id}`, 'under --public-url');
		assert.equal(await first.getAttribute('width'), '1200');
		assert.equal(await first.getAttribute('height'), '675');
		assert.equal(await first.getAttribute('loading'), 'lazy');
		assert.equal(await first.getAttribute('alt'), 'A skyline at dusk');
		assert.equal(await view.page.locator(`#entry-${entries[1].id} figcaption`).textContent(),
			'Dusk over the cityIllustration');
		assert.equal(await view.page.locator(`#entry-${entries[2].id} figure img`).nth(1).getAttribute('width'),
			'360', 'the EXIF-turned JPEG is as tall as it shows');
		assert.equal(await view.page.locator(`#entry-${entries[2].id} figcaption`).count(), 1);
		const ld = JSON.parse(await view.page.locator('script[type="application/ld+json"]').textContent());
		const u = ld.liveBlogUpdate.find((x) => x.url.endsWith(entries[1].id));
		assert.deepEqual(u.image, [`${s.base}/media/${imgs[0].id}`], 'absolute, under --public-url');
		assert.equal(ld.liveBlogUpdate.find((x) => x.url.endsWith(entries[0].id)).image, undefined);
		await view.close();
		assert.deepEqual(view.foreign(), []);
		assert.deepEqual(view.errors, []);
	});

	for (const [name, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
		it(`no layout shift (${name}): each entry is as tall before its pictures arrive as after`, async () => {
			let hold;
			const view = await openPage(browser, s.base, `/blogs/${b.id}`, {
				viewport, beforeGoto: async (page) => {
					hold = await holdMedia(page);
					await page.addInitScript(() => {
						window.__cls = 0;
						new PerformanceObserver((l) => {
							for (const e of l.getEntries()) window.__cls += e.value;
						}).observe({ type: 'layout-shift', buffered: true });
					});
				},
			});
			const page = view.page;
			await page.waitForFunction(() => document.querySelectorAll('#entries figure img').length === 3);
			const before = await measure(page);
			assert.equal(before.length, 2);
			assert.ok(before.every((a) => !a.loaded), 'measured before the bytes came');
			hold.release();
			await page.waitForFunction(() => [...document.querySelectorAll('#entries figure img')]
				.every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 20000 });
			const after = await measure(page);
			for (let i = 0; i < before.length; i++)
				assert.ok(Math.abs(after[i].height - before[i].height) < 0.5,
					`${after[i].id}: ${before[i].height} px before, ${after[i].height} after`);
			const box = await page.$eval(`#entry-${entries[1].id} img`, (i) => ({
				w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height,
				col: i.closest('article').getBoundingClientRect().width,
			}));
			assert.ok(box.w <= box.col + 0.5, 'the picture fits the column');
			assert.ok(Math.abs(box.h / box.w - 675 / 1200) < 0.01, `ratio kept: ${box.w}x${box.h}`);
			assert.ok(await page.evaluate(() => window.__cls) < 0.001, 'no layout-shift entry');
			// control: a picture without width/height does move what follows it
			const control = noiseJpeg(400, 300, { seed: 60 + (viewport ? 1 : 0) });
			assert.equal((await upload(s.base, b.id, b.editor_token, control.buf, control.type)).status, 201);
			const hold2 = await holdMedia(page);
			const shift = await page.evaluate(async (id) => {
				const art = document.querySelector('#entries article');
				const img = document.createElement('img');
				img.src = `/media/${id}`;
				art.appendChild(img);
				const h0 = art.getBoundingClientRect().height;
				window.__done = new Promise((r) => { img.onload = r; });
				return h0;
			}, control.id);
			hold2.release();
			await page.evaluate(() => window.__done);
			const h1 = await page.$eval('#entries article', (a) => a.getBoundingClientRect().height);
			assert.ok(h1 - shift > 50, `the control grew by ${h1 - shift} px: the measure sees shifts`);
			await view.close();
			assert.deepEqual(view.errors, []);
		});
	}

	it('an entry with pictures that arrives live shows them, lazy, at their size', async () => {
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		await view.page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		const e = await postEntry(s, b, { text: 'Live picture', media: [
			{ id: imgs[1].id, alt: 'Live gradient', caption: 'Live' },
		] });
		await waitEntry(view.page, e.id);
		const img = view.page.locator(`#entry-${e.id} figure img`);
		assert.equal(await img.getAttribute('width'), '640');
		assert.equal(await img.getAttribute('loading'), 'lazy');
		await view.page.waitForFunction((id) => {
			const i = document.querySelector(`#entry-${id} figure img`);
			return i && i.complete && i.naturalWidth === 640;
		}, e.id, { timeout: 15000 });
		assert.equal(await view.page.locator(`#entry-${e.id} .entry-caption`).textContent(), 'Live');
		await view.close();
		assert.deepEqual(view.foreign(), []);
		assert.deepEqual(view.errors, []);
	});

	it('an edit that changes the pictures applies in place', async () => {
		const view = await openPage(browser, s.base, `/blogs/${b.id}`);
		await view.page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		const e = entries[2];
		const res = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`,
			{ token: b.editor_token, body: { media: [{ id: imgs[0].id, alt: 'Swapped' }] } });
		assert.equal(res.status, 200, res.text);
		await view.page.waitForFunction((id) => document.querySelectorAll(`#entry-${id} figure`).length === 1 &&
			document.querySelector(`#entry-${id} img`).alt === 'Swapped', e.id, { timeout: 10000 });
		await view.close();
		assert.deepEqual(view.errors, []);
	});
});
