// The editor page's pictures, in Chromium (SPEC "Pictures": the editor page
// uploads by file picker or drop, requires alt text and previews): a file
// chosen or dropped is uploaded at once and previewed; an update is not
// posted while a picture lacks alt text; a picture the server refuses says
// why; the edit form removes and adds pictures.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, createBlog, uniqueId, tempDir, allEvents } from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry } from './lib.mjs';
import { makeImages } from '../media/lib.mjs';

describe('editor page: pictures', { timeout: 180000 }, () => {
	let s, browser, imgs;
	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
		const all = makeImages();
		imgs = { demo: all.find((i) => i.name === 'demo.jpg'), png: all.find((i) => i.name === 'png-640x360.png'),
			webp: all.find((i) => i.name === 'webp-lossy.webp') };
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	async function editor(blog) {
		const view = await openPage(browser, s.base, `/blogs/${blog.id}/edit`);
		const posts = [];
		view.page.on('request', (r) => {
			if (r.method() === 'POST' && r.url().endsWith('/entries'))
				posts.push(r.url());
		});
		await view.page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		await view.page.getByLabel('Token', { exact: true }).fill(blog.editor_token);
		return { view, page: view.page, posts };
	}

	it('a chosen file is uploaded and previewed; no post without alt text; then posted with caption and credit', async () => {
		const blog = await createBlog(s, { id: uniqueId('edpic') });
		const { view, page, posts } = await editor(blog);
		await page.locator('#post-pictures input[type="file"]').setInputFiles(imgs.demo.path);
		const item = page.locator('#post-pictures .picture-item');
		await item.locator('.picture-status', { hasText: '1200 × 675' }).waitFor();
		assert.match(await item.locator('img.picture-preview').getAttribute('src'), /^data:image\/jpeg;base64,/);
		await page.waitForFunction(() => {
			const i = document.querySelector('#post-pictures img.picture-preview');
			return i && i.complete && i.naturalWidth === 1200;
		});
		await page.getByLabel('Text', { exact: true }).fill('With a picture https://example.org');
		// empty: the browser's own check stops the form on the alt field
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.waitForFunction(() => document.activeElement?.name === 'alt');
		assert.equal(await item.getByLabel('Alt text (required)').evaluate((i) => i.validity.valueMissing), true);
		// blank: the page's check says why and focuses it
		await item.getByLabel('Alt text (required)').fill('   ');
		await page.getByLabel('Text', { exact: true }).focus();
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#error', { hasText: 'alt text' }).waitFor();
		assert.equal(await page.evaluate(() => document.activeElement?.name), 'alt');
		assert.equal(posts.length, 0, 'nothing posted without alt text');
		assert.equal((await allEvents(s.base, blog.id)).length, 0);

		await item.getByLabel('Alt text (required)').fill('A skyline at dusk');
		await item.getByLabel('Caption').fill('Dusk');
		await item.getByLabel('Credit').fill('Illustration');
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#post-notice', { hasText: 'Posted.' }).waitFor();
		assert.equal(await page.locator('#post-pictures .picture-item').count(), 0, 'the pictures are cleared');
		const evs = await allEvents(s.base, blog.id);
		assert.equal(evs.length, 1);
		assert.deepEqual(evs[0].entry.media, [{ id: imgs.demo.id, type: 'image/jpeg', width: 1200, height: 675,
			url: `/media/${imgs.demo.id}`, alt: 'A skyline at dusk', caption: 'Dusk', credit: 'Illustration' }]);
		await page.locator('#edit-list figure img[alt="A skyline at dusk"]').waitFor();
		const reader = await openPage(browser, s.base, `/blogs/${blog.id}`);
		await waitEntry(reader.page, evs[0].entry.id);
		assert.equal(await reader.page.locator(`#entry-${evs[0].entry.id} figcaption`).textContent(), 'DuskIllustration');
		await reader.close();
		await view.close();
		assert.deepEqual(view.foreign(), []);
		assert.deepEqual(view.errors, []);
	});

	it('files dropped on the zone are uploaded; a refused one says why and blocks the post', async () => {
		const blog = await createBlog(s, { id: uniqueId('eddrop') });
		const { view, page, posts } = await editor(blog);
		const files = [
			{ name: 'gradient.png', type: 'image/png', b64: imgs.png.buf.toString('base64') },
			{ name: 'fake.webp', type: 'image/webp', b64: Buffer.from('RIFF____WEBPnot really').toString('base64') },
		];
		await page.evaluate((list) => {
			const dt = new DataTransfer();
			for (const f of list)
				dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
			const zone = document.querySelector('#post-pictures .dropzone');
			zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
			zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
		}, files);
		const items = page.locator('#post-pictures .picture-item');
		await items.nth(0).locator('.picture-status', { hasText: '640 × 360' }).waitFor();
		await items.nth(1).locator('.picture-status', { hasText: /WebP|RIFF/ }).waitFor();
		assert.match(await items.nth(1).getAttribute('class'), /is-failed/);
		await items.nth(0).getByLabel('Alt text (required)').fill('Gradient');
		await page.getByLabel('Text', { exact: true }).fill('Dropped');
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#error', { hasText: 'could not be uploaded' }).waitFor();
		assert.equal(posts.length, 0);
		await items.nth(1).getByRole('button', { name: 'Remove' }).click();
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#post-notice', { hasText: 'Posted.' }).waitFor();
		const evs = await allEvents(s.base, blog.id);
		assert.deepEqual(evs.map((e) => e.entry.media.map((m) => [m.id, m.alt])), [[[imgs.png.id, 'Gradient']]]);
		await view.close();
		assert.deepEqual(view.errors.filter((e) => !/status of 400/.test(e)), []);
	});

	it('the edit form removes a picture and adds another', async () => {
		const blog = await createBlog(s, { id: uniqueId('edform') });
		const { view, page } = await editor(blog);
		await page.locator('#post-pictures input[type="file"]').setInputFiles([imgs.png.path, imgs.webp.path]);
		const items = page.locator('#post-pictures .picture-item');
		await items.nth(1).locator('.picture-status', { hasText: '640 × 360' }).waitFor();
		await items.nth(0).getByLabel('Alt text (required)').fill('One');
		await items.nth(1).getByLabel('Alt text (required)').fill('Two');
		await page.getByLabel('Text', { exact: true }).fill('Two pictures');
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#post-notice', { hasText: 'Posted.' }).waitFor();
		const row = page.locator('#edit-list > li').first();
		await row.getByRole('button', { name: 'Edit' }).click();
		const form = row.locator('form.edit-form');
		await form.locator('.picture-item').nth(1).waitFor();
		assert.equal(await form.locator('.picture-item').nth(0).getByLabel('Alt text (required)').inputValue(), 'One');
		await form.locator('.picture-item').nth(0).getByRole('button', { name: 'Remove' }).click();
		await form.locator('input[type="file"]').setInputFiles(imgs.demo.path);
		const added = form.locator('.picture-item').nth(1);
		await added.locator('.picture-status', { hasText: '1200 × 675' }).waitFor();
		await added.getByLabel('Alt text (required)').fill('Three');
		await form.getByRole('button', { name: 'Save changes' }).click();
		await form.waitFor({ state: 'detached' });
		const evs = await allEvents(s.base, blog.id);
		assert.deepEqual(evs.at(-1).entry.media.map((m) => m.alt), ['Two', 'Three']);
		assert.equal(evs.at(-1).type, 'edit');
		await view.close();
		assert.deepEqual(view.errors, []);
	});
});
