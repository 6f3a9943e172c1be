// A blog's language in Chromium (SPEC part two, "Languages"): a French
// blog read by an American reader in Paris speaks French (SPEC's strings)
// and writes times the French way, 24-hour "14:32", in the reader's time
// zone — in the server-rendered HTML taken over by the script and in what
// the script builds live (entries, key events, "updated", the connection
// state). An English blog read by the same reader keeps his 12-hour clock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startRedis, startDaemon, api, postEntry, uniqueId,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, waitEntry } from './lib.mjs';

const expectedWhileDown = (e) => /WebSocket connection to .* failed/.test(e);

function hhmm(locale, iso) {
	return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' })
		.format(new Date(iso));
}

describe('a blog in its language', { timeout: 120000 }, () => {
	let browser;
	let redis;
	let d;
	const adminToken = 'lang-admin';

	before(async () => {
		browser = await launchBrowser();
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, adminToken });
	});
	after(async () => {
		await browser?.close();
		await d?.stop();
		await redis?.stop();
	});

	async function blog(lang, title) {
		const res = await api(d.base, 'POST', '/api/blogs',
			{ body: { id: uniqueId(lang), title, lang }, token: adminToken });
		assert.equal(res.status, 201);
		return res.json;
	}

	it('French words and 24-hour times, rendered and live, for an en-US reader', async () => {
		const b = await blog('fr', 'Sommet');
		const first = await postEntry(d, b, { text: 'Ouverture du sommet.' });
		const view = await openPage(browser, d.base, `/blogs/${b.id}`, { locale: 'en-US' });
		const { page } = view;
		try {
			assert.equal(await page.getAttribute('html', 'lang'), 'fr');
			await page.locator('#state-badge', { hasText: 'EN DIRECT' }).waitFor();
			assert.equal((await page.locator('#stream-heading').textContent()).trim(), 'Dernières mises à jour');
			/* the rendered entry's time, re-localised by the script */
			const t0 = page.locator(`#entry-${first.id} time`).first();
			await page.waitForFunction((id) => /^\d{2}:\d{2}$/.test(
				document.querySelector(`#entry-${id} time`).textContent), first.id);
			assert.equal(await t0.textContent(), hhmm('fr', first.ts));

			const key = await postEntry(d, b, { text: 'Accord trouvé.', key: true, author: 'Rédaction' });
			await waitEntry(page, key.id);
			const art = page.locator(`#entry-${key.id}`);
			assert.equal(await art.locator('.entry-key-badge').textContent(), 'Événement clé');
			assert.equal(await art.locator('time').first().textContent(), hhmm('fr', key.ts));
			assert.match(await art.locator('time').first().textContent(), /^\d{2}:\d{2}$/);
			await page.locator('#key-events', { hasText: 'Événements clés' }).waitFor();
			assert.equal(await art.locator('.entry-permalink').getAttribute('title'),
				'Lien permanent vers cette mise à jour');

			const edited = await api(d.base, 'PATCH', `/api/blogs/${b.id}/entries/${first.id}`,
				{ body: { text: 'Ouverture du sommet, corrigée.' }, token: b.editor_token });
			await page.locator(`#entry-${first.id} .entry-updated`).waitFor();
			assert.equal(await page.locator(`#entry-${first.id} .entry-updated`).textContent(),
				`mis à jour ${hhmm('fr', edited.json.edited_ts)}`);

			await api(d.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
			await page.locator('#state-badge', { hasText: 'TERMINÉ' }).waitFor();
			assert.equal((await page.locator('#ended-banner').textContent()).trim(), 'Le direct est terminé.');
			assert.deepEqual(view.errors, []);
			assert.deepEqual(view.foreign(), []);
		} finally {
			await view.close();
		}
	});

	it('empty, then "Reconnexion…" while the server is away', async () => {
		const b = await blog('fr', 'Vide');
		const view = await openPage(browser, d.base, `/blogs/${b.id}`, { locale: 'en-US' });
		const { page } = view;
		try {
			await page.getByText('Aucune mise à jour pour le moment.').waitFor();
			const port = d.port;
			await d.stop();
			d = null;
			await page.locator('#conn-status', { hasText: 'Reconnexion…' }).waitFor({ timeout: 5000 });
			d = await startDaemon({ redisUrl: redis.url, adminToken, port });
			await page.locator('#conn-status').waitFor({ state: 'hidden', timeout: 30000 });
			assert.deepEqual(view.errors.filter((e) => !expectedWhileDown(e)), []);
		} finally {
			await view.close();
		}
	});

	it('an English blog keeps the reader\'s own clock (en-US: 12-hour)', async () => {
		const b = await blog('en', 'Summit');
		const e = await postEntry(d, b, { text: 'Opening.' });
		const view = await openPage(browser, d.base, `/blogs/${b.id}`, { locale: 'en-US' });
		try {
			await view.page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
			await view.page.waitForFunction((id) => /M$/.test(
				document.querySelector(`#entry-${id} time`).textContent), e.id);
			assert.equal(await view.page.locator(`#entry-${e.id} time`).first().textContent(),
				new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Paris' })
					.format(new Date(e.ts)));
		} finally {
			await view.close();
		}
	});
});
