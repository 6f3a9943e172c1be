// The editor page /blogs/{id}/edit and the index / (SPEC: Pages, HTTP API):
// token kept in localStorage, post with title/author/key, edit, pin,
// delete, end with a confirmation, API error messages shown; the index
// lists live blogs first with state and last update.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startStack, api, createBlog, postEntry, uniqueId, waitUntil,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry } from './lib.mjs';

describe('editor and index pages', { timeout: 120000 }, () => {
	let s;
	let browser;
	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	async function checkedClose(view, { allowErrors = () => false } = {}) {
		await view.close();
		assert.deepEqual(view.foreign(), [], 'no request to another host');
		assert.deepEqual(view.errors.filter((e) => !allowErrors(e)), [], 'no script error');
	}

	it('posts, edits, pins, deletes and ends through the API, seen live by a reader', async () => {
		const blog = await createBlog(s, { id: uniqueId('ed'), title: 'Editor test' });
		const reader = await openPage(browser, s.base, `/blogs/${blog.id}`);
		await reader.page.getByText('No liveblog updates yet.').waitFor();
		const view = await openPage(browser, s.base, `/blogs/${blog.id}/edit`);
		const { page } = view;
		await page.locator('h1', { hasText: 'Editor test' }).waitFor();
		await page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();

		/* the token stays in this browser */
		await page.getByLabel('Token', { exact: true }).fill(blog.editor_token);
		await page.reload();
		assert.equal(await page.getByLabel('Token', { exact: true }).inputValue(), blog.editor_token);
		assert.equal(await page.evaluate((k) => localStorage.getItem(k), `liveblog.token.${blog.id}`),
			blog.editor_token);

		/* post */
		await page.getByLabel('Headline').fill('Doors open');
		await page.getByLabel('Author').fill('Desk');
		await page.getByLabel('Text', { exact: true }).fill('First line.\n\n* a\n* b');
		await page.getByLabel('Key event').check();
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#post-notice', { hasText: 'Posted.' }).waitFor();
		assert.equal(await page.getByLabel('Text', { exact: true }).inputValue(), '', 'the form is cleared');
		await page.locator('#edit-list > li').first().getByText('Doors open').waitFor();
		const entryId = await page.locator('#edit-list > li').first().getAttribute('data-entry-id');
		const item = page.locator(`#edit-list > li[data-entry-id="${entryId}"]`);
		await waitEntry(reader.page, entryId);
		const art = reader.page.locator(`#entry-${entryId}`);
		assert.equal(await art.locator('.entry-title').textContent(), 'Doors open');
		assert.equal(await art.locator('.entry-author').textContent(), 'Desk');
		assert.equal(await art.locator('.entry-key-badge').count(), 1);
		assert.deepEqual(await art.locator('li').allTextContents(), ['a', 'b']);

		/* edit */
		await item.getByRole('button', { name: 'Edit' }).click();
		const form = item.locator('form.edit-form');
		await form.getByLabel('Text', { exact: true }).fill('First line, corrected.');
		await form.getByRole('button', { name: 'Save changes' }).click();
		await form.waitFor({ state: 'detached' });
		await art.getByText('First line, corrected.').waitFor();
		await art.locator('.entry-updated').waitFor();

		/* pin, then pinning another entry moves the pin */
		await item.getByRole('button', { name: 'Pin' }).click();
		await item.getByRole('button', { name: 'Unpin' }).waitFor();
		await reader.page.locator('#pinned').getByText('Doors open').waitFor();
		await page.getByLabel('Text', { exact: true }).fill('Second entry');
		await page.getByLabel('Pin above the stream').check();
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#edit-list > li').nth(1).getByRole('button', { name: 'Pin', exact: true }).waitFor();
		await reader.page.locator('#pinned').getByText('Second entry').waitFor();
		assert.equal(await reader.page.locator('#pinned').getByText('Doors open').count(), 0);

		/* delete, after a confirmation; cancelling changes nothing */
		await item.getByRole('button', { name: 'Delete' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
		await page.waitForTimeout(300);
		assert.equal(await reader.page.locator(`#entry-${entryId}`).count(), 1);
		await item.getByRole('button', { name: 'Delete' }).click();
		await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
		await page.locator(`#edit-list > li[data-entry-id="${entryId}"]`).waitFor({ state: 'detached' });
		await reader.page.locator(`#entry-${entryId}`).waitFor({ state: 'detached' });

		/* end, after a confirmation */
		await page.getByRole('button', { name: 'End liveblog…' }).click();
		const dialog = page.getByRole('dialog');
		assert.match(await dialog.textContent(), /final/);
		await dialog.getByRole('button', { name: 'End liveblog' }).click();
		await page.locator('#state-badge', { hasText: 'ENDED' }).waitFor();
		assert.ok(await page.getByRole('button', { name: 'Post update' }).isDisabled());
		await reader.page.getByText('The liveblog has ended.').waitFor();
		const got = await api(s.base, 'GET', `/api/blogs/${blog.id}`);
		assert.equal(got.json.state, 'ended');

		await checkedClose(view);
		await checkedClose(reader);
	});

	it("shows the API error's message (bad token, ended blog)", async () => {
		const blog = await createBlog(s, { id: uniqueId('ed'), title: 'Errors' });
		const view = await openPage(browser, s.base, `/blogs/${blog.id}/edit`);
		const { page } = view;
		await page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();

		await page.getByLabel('Text', { exact: true }).fill('Should not be posted');
		await page.getByRole('button', { name: 'Post update' }).click();
		await page.locator('#error', { hasText: 'Enter the editor token first.' }).waitFor();

		await page.getByLabel('Token', { exact: true }).fill('wrong-token');
		const answer = page.waitForResponse((r) => r.url().endsWith('/entries') && r.request().method() === 'POST');
		await page.getByRole('button', { name: 'Post update' }).click();
		const res = await answer;
		assert.equal(res.status(), 401);
		const { message } = await res.json();
		assert.ok(message, 'the 401 has a message');
		await page.locator('#error', { hasText: message }).waitFor();
		assert.equal(await page.getByRole('alert').textContent(), message);

		await api(s.base, 'POST', `/api/blogs/${blog.id}/end`, { token: blog.editor_token });
		await page.locator('#state-badge', { hasText: 'ENDED' }).waitFor();
		await page.getByText('The liveblog has ended. It can no longer be changed.').waitFor();

		const missing = await openPage(browser, s.base, `/blogs/${uniqueId('none')}/edit`);
		if (missing.response.status() !== 404)	/* else the daemon refused the page itself */
			await missing.page.locator('#error', { hasText: 'There is no liveblog' }).waitFor();
		await checkedClose(missing, { allowErrors: (e) => /404/.test(e) });
		await checkedClose(view, { allowErrors: (e) => /401/.test(e) });
	});

	it('lists the blogs at /, live first, with state and last update', async () => {
		const ended = await createBlog(s, { id: uniqueId('ix-ended'), title: 'Index: ended one' });
		await postEntry(s, ended, { text: 'x' });
		await api(s.base, 'POST', `/api/blogs/${ended.id}/end`, { token: ended.editor_token });
		const live = await createBlog(s, { id: uniqueId('ix-live'), title: 'Index: live one' });
		const e = await postEntry(s, live, { text: 'y' });
		const view = await openPage(browser, s.base, '/');
		const { page } = view;
		const cards = page.locator('.blog-card');
		await page.locator('.blog-card', { hasText: 'Index: ended one' }).waitFor();
		await waitUntil(async () => (await page.locator('.blog-card time').count()) === await cards.count(),
			{ message: 'every blog has a time' });
		const rows = await cards.evaluateAll((cs) => cs.map((c) => ({
			title: c.querySelector('h2').textContent,
			href: c.querySelector('a').getAttribute('href'),
			state: c.querySelector('.badge').textContent,
			time: c.querySelector('time')?.getAttribute('datetime'),
		})));
		const firstEnded = rows.findIndex((r) => r.state === 'ENDED');
		assert.ok(firstEnded > 0, 'there are live and ended blogs');
		assert.ok(rows.slice(firstEnded).every((r) => r.state === 'ENDED'), `live first: ${JSON.stringify(rows)}`);
		const liveRow = rows.find((r) => r.title === 'Index: live one');
		assert.equal(liveRow.href, `/blogs/${live.id}`);
		assert.equal(liveRow.state, 'LIVE');
		assert.ok(Math.abs(new Date(liveRow.time) - new Date(e.ts)) < 2000,
			`last update ${liveRow.time} is the last entry's time ${e.ts}`);
		await page.locator('.blog-card a', { hasText: 'Index: live one' }).click();
		await page.waitForURL(`**/blogs/${live.id}`);
		await waitEntry(page, e.id);
		await checkedClose(view);
	});
});
