// The reader page /blogs/{id} against a real liveblogd + redis (SPEC: Pages,
// Live push): empty and ended states, live arrival, edits and deletions in
// place, pinned entry and key events, HTML injection, scroll stability,
// permalinks, replay pass-through, phone width, and no foreign request.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	startStack, api, createBlog, postEntry, uniqueId, waitUntil, allEvents,
	tempDir, REPO_ROOT,
} from '../integration/harness.mjs';
import {
	launchBrowser, openPage, entryIds, waitEntry, PHONE,
} from './lib.mjs';

describe('reader page', { timeout: 120000 }, () => {
	let s;
	let browser;
	const views = [];

	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	/* open(path, opts): a page on the daemon, checked for foreign requests
	 * and script errors when the test ends. */
	async function open(urlPath, opts) {
		const view = await openPage(browser, s.base, urlPath, opts);
		views.push(view);
		return view;
	}

	async function closeChecked(view) {
		await view.close();
		assert.deepEqual(view.foreign(), [], 'no request to another host');
		assert.deepEqual(view.errors, [], 'no script error or CSP violation');
	}

	async function blogWithPage(title = 'Reader test') {
		const blog = await createBlog(s, { id: uniqueId('rd'), title });
		const view = await open(`/blogs/${blog.id}`);
		await view.page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		return { blog, view, page: view.page };
	}

	it('shows the title, a LIVE badge and "No liveblog updates yet." on an empty blog', async () => {
		const { view, page } = await blogWithPage('Sommet « européen » — jour 1');
		await page.getByText('No liveblog updates yet.').waitFor();
		assert.equal(await page.locator('h1').textContent(), 'Sommet « européen » — jour 1');
		assert.match(await page.title(), /Sommet « européen » — jour 1/);
		assert.equal(await page.locator('#ended-banner').isVisible(), false);
		assert.equal(await page.locator('#entries article').count(), 0);
		assert.equal(await page.locator('#pinned').isVisible(), false);
		assert.equal(await page.locator('#key-events').isVisible(), false);
		await closeChecked(view);
	});

	it('shows a posted entry live, without reload: headline, author, local time, paragraphs, list, permalink', async () => {
		const { blog, view, page } = await blogWithPage();
		await page.getByText('No liveblog updates yet.').waitFor();
		await page.evaluate(() => { window.__sameDocument = true; });
		const entry = await postEntry(s, blog, {
			title: 'Kick-off', author: 'Jeanne Martin',
			text: 'First paragraph,\nsame paragraph.\n\nSecond paragraph:\n* one\n* two',
		});
		await waitEntry(page, entry.id);
		const art = page.locator(`#entry-${entry.id}`);
		assert.equal(await art.locator('h3.entry-title').textContent(), 'Kick-off');
		assert.equal(await art.locator('.entry-author').textContent(), 'Jeanne Martin');
		assert.equal(await art.locator('time').first().getAttribute('datetime'), entry.ts);
		/* en-GB, Europe/Paris: the local time of the entry */
		const local = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' })
			.format(new Date(entry.ts));
		assert.equal(await art.locator('time').first().textContent(), local);
		assert.equal(await art.locator('.entry-body > p').count(), 2);
		assert.equal(await art.locator('.entry-body > p').first().innerText(), 'First paragraph,\nsame paragraph.');
		assert.deepEqual(await art.locator('.entry-body ul > li').allTextContents(), ['one', 'two']);
		/* the permalink: the entry's own page, under --public-url */
		assert.equal(await art.locator('a.entry-permalink').getAttribute('href'),
			`${s.base}/blogs/${blog.id}/entries/${entry.id}`);
		assert.equal(await art.getAttribute('data-seq'), entry.seq);
		assert.equal(await page.getByText('No liveblog updates yet.').isVisible(), false);
		assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
		await waitUntil(() => page.locator('#announcer').textContent().then((t) => t.includes('Kick-off')),
			{ message: 'aria-live announcement' });

		const second = await postEntry(s, blog, { text: 'Newer' });
		await waitEntry(page, second.id);
		assert.deepEqual(await entryIds(page), [second.id, entry.id], 'newest first');
		await closeChecked(view);
	});

	it('applies edits and deletions in place and says "updated"', async () => {
		const { blog, view, page } = await blogWithPage();
		const a = await postEntry(s, blog, { text: 'Alpha' });
		const b = await postEntry(s, blog, { text: 'Bravo' });
		const c = await postEntry(s, blog, { text: 'Charlie' });
		await waitEntry(page, c.id);
		assert.deepEqual(await entryIds(page), [c.id, b.id, a.id]);

		const res = await api(s.base, 'PATCH', `/api/blogs/${blog.id}/entries/${b.id}`,
			{ body: { text: 'Bravo, corrected', title: 'Fixed' }, token: blog.editor_token });
		assert.equal(res.status, 200, res.text);
		const art = page.locator(`#entry-${b.id}`);
		await art.getByText('Bravo, corrected').waitFor();
		assert.equal(await art.locator('.entry-title').textContent(), 'Fixed');
		const updated = art.locator('.entry-updated');
		assert.match(await updated.textContent(), /^updated \d{1,2}:\d{2}/);
		assert.equal(await updated.locator('time').getAttribute('datetime'), res.json.edited_ts);
		assert.equal(await art.getAttribute('data-revision'), '2');
		assert.deepEqual(await entryIds(page), [c.id, b.id, a.id], 'edit keeps the position');
		assert.equal(await page.locator('#entries').getByText('Bravo', { exact: true }).count(), 0);

		const del = await api(s.base, 'DELETE', `/api/blogs/${blog.id}/entries/${c.id}`,
			{ token: blog.editor_token });
		assert.equal(del.status, 200, del.text);
		await page.locator(`#entry-${c.id}`).waitFor({ state: 'detached' });
		assert.deepEqual(await entryIds(page), [b.id, a.id]);

		await api(s.base, 'DELETE', `/api/blogs/${blog.id}/entries/${b.id}`, { token: blog.editor_token });
		await api(s.base, 'DELETE', `/api/blogs/${blog.id}/entries/${a.id}`, { token: blog.editor_token });
		await page.getByText('No liveblog updates yet.').waitFor();

		/* a fresh page builds the same final state from the log */
		const fresh = await open(`/blogs/${blog.id}`);
		await fresh.page.getByText('No liveblog updates yet.').waitFor();
		assert.deepEqual(await entryIds(fresh.page), []);
		await closeChecked(fresh);
		await closeChecked(view);
	});

	it('shows the ENDED badge and "The liveblog has ended." live and on a fresh page', async () => {
		const { blog, view, page } = await blogWithPage();
		const e = await postEntry(s, blog, { text: 'Final whistle' });
		await waitEntry(page, e.id);
		const end = await api(s.base, 'POST', `/api/blogs/${blog.id}/end`, { token: blog.editor_token });
		assert.equal(end.status, 200, end.text);
		await page.getByText('The liveblog has ended.').waitFor();
		assert.equal(await page.locator('#state-badge').textContent(), 'ENDED');
		assert.equal(await page.getByText('Reconnecting').count(), 0, 'a normal close after ended is final');

		const fresh = await open(`/blogs/${blog.id}`);
		await fresh.page.getByText('The liveblog has ended.').waitFor();
		await waitEntry(fresh.page, e.id);
		assert.equal(await fresh.page.locator('#state-badge').textContent(), 'ENDED');
		await fresh.page.waitForTimeout(1500);
		assert.equal(await fresh.page.locator('#conn-status').textContent(), '', 'no reconnect loop');
		// the server rendered the ended blog whole: nothing to connect to
		assert.equal(fresh.sockets.length, 0, 'no connection for a page rendered ended');
		await closeChecked(fresh);

		const empty = await createBlog(s, { id: uniqueId('rd'), title: 'Ended empty' });
		await api(s.base, 'POST', `/api/blogs/${empty.id}/end`, { token: empty.editor_token });
		const ev = await open(`/blogs/${empty.id}`);
		await ev.page.getByText('The liveblog has ended.').waitFor();
		await ev.page.getByText('No liveblog updates yet.').waitFor();
		await closeChecked(ev);
		await closeChecked(view);
	});

	it('renders HTML in entries as text and creates no element from it', async () => {
		const { blog, view, page } = await blogWithPage();
		const evil = '<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>\n\n* <b>bold</b>';
		const e = await postEntry(s, blog, {
			title: '<i>headline</i>', author: '<u>me</u>', text: evil,
		});
		await waitEntry(page, e.id);
		const art = page.locator(`#entry-${e.id}`);
		assert.equal(await art.locator('.entry-title').textContent(), '<i>headline</i>');
		assert.equal(await art.locator('.entry-author').textContent(), '<u>me</u>');
		assert.equal(await art.locator('.entry-body p').textContent(),
			'<img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script>');
		assert.equal(await art.locator('.entry-body li').textContent(), '<b>bold</b>');
		assert.equal(await page.locator('#main img, #main script, #main b, #main i, #main u').count(), 0);
		await page.waitForTimeout(300);
		assert.equal(await page.evaluate(() => window.__pwned), undefined);
		assert.ok(!view.requests.some((u) => /\/x$/.test(u)), 'the <img src=x> was never requested');
		await closeChecked(view);
	});

	it('shows the pinned entry above the stream (one at a time) and the key events summary', async () => {
		const { blog, view, page } = await blogWithPage();
		const key1 = await postEntry(s, blog, { title: 'Polls close', text: 'Counting starts.', key: true });
		const plain = await postEntry(s, blog, { text: 'Turnout looks high.' });
		const key2 = await postEntry(s, blog, { text: 'First results: the incumbent leads in the north, the challenger in the south.', key: true });
		const pin1 = await postEntry(s, blog, { title: 'How to follow', text: 'Results every hour.', pinned: true });
		await waitEntry(page, pin1.id);

		const pinned = page.locator('#pinned');
		assert.equal(await pinned.isVisible(), true);
		assert.equal(await pinned.locator('.entry-title').textContent(), 'How to follow');
		const box = await pinned.boundingBox();
		const streamBox = await page.locator('#entries').boundingBox();
		assert.ok(box.y < streamBox.y, 'pinned is above the stream');
		assert.equal(await page.locator('#entries [data-pinned]').count(), 1);

		const links = page.locator('#key-events a');
		assert.deepEqual(await links.allTextContents(),
			['First results: the incumbent leads in the north, the challenger in the south.', 'Polls close']);
		assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
			[`#entry-${key2.id}`, `#entry-${key1.id}`]);
		assert.equal(await page.locator(`#entry-${key1.id} .entry-key-badge`).textContent(), 'Key event');
		assert.equal(await page.locator(`#entry-${plain.id} .entry-key-badge`).count(), 0);

		/* pinning another entry unpins the previous one */
		const res = await api(s.base, 'PATCH', `/api/blogs/${blog.id}/entries/${plain.id}`,
			{ body: { pinned: true }, token: blog.editor_token });
		assert.equal(res.status, 200, res.text);
		await pinned.getByText('Turnout looks high.').waitFor();
		assert.equal(await pinned.locator('article').count(), 1);
		assert.equal(await pinned.getByText('How to follow').count(), 0);
		assert.deepEqual(await page.locator('#entries [data-pinned]')
			.evaluateAll((as) => as.map((a) => a.dataset.entryId)), [plain.id]);

		/* a key events link goes to its entry */
		await links.last().click();
		await waitUntil(async () => (await page.evaluate(() => location.hash)) === `#entry-${key1.id}`);
		assert.ok(await page.locator(`#entry-${key1.id}`).isVisible());

		/* the same derived state on a fresh page */
		const fresh = await open(`/blogs/${blog.id}`);
		await waitEntry(fresh.page, pin1.id);
		await fresh.page.locator('#pinned').getByText('Turnout looks high.').waitFor();
		assert.equal(await fresh.page.locator('#key-events a').count(), 2);
		await closeChecked(fresh);

		/* unpinning hides the section */
		await api(s.base, 'PATCH', `/api/blogs/${blog.id}/entries/${plain.id}`,
			{ body: { pinned: false }, token: blog.editor_token });
		await pinned.waitFor({ state: 'hidden' });
		await closeChecked(view);
	});

	it('keeps the reader in place when scrolled down and offers "N new updates"', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Scroll' });
		const para = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6);
		const ids = [];
		for (let i = 0; i < 12; i++)
			ids.push((await postEntry(s, blog, { title: `Entry ${i}`, text: `${para}\n\n${para}` })).id);
		const view = await open(`/blogs/${blog.id}`, { viewport: PHONE, isMobile: true });
		const { page } = view;
		await waitEntry(page, ids[11]);

		const target = page.locator(`#entry-${ids[5]}`);
		await target.scrollIntoViewIfNeeded();
		await page.evaluate((id) => document.getElementById(id).scrollIntoView({ block: 'start' }), `entry-${ids[5]}`);
		await page.waitForTimeout(200);
		const before = (await target.boundingBox()).y;

		const n1 = await postEntry(s, blog, { title: 'Breaking one', text: para });
		await waitEntry(page, n1.id);
		await page.locator('#new-updates', { hasText: '1 new update' }).waitFor();
		const n2 = await postEntry(s, blog, { title: 'Breaking two', text: para });
		await waitEntry(page, n2.id);
		await page.locator('#new-updates', { hasText: '2 new updates' }).waitFor();
		const after = (await target.boundingBox()).y;
		assert.ok(Math.abs(after - before) <= 2, `the entry being read stayed put (${before} -> ${after})`);

		await page.locator('#new-updates').click();
		await page.locator('#new-updates').waitFor({ state: 'hidden' });
		await waitUntil(async () => {
			const box = await page.locator(`#entry-${n2.id}`).boundingBox();
			return box && box.y >= 0 && box.y < PHONE.height;
		}, { message: 'the newest entry scrolled into view' });
		assert.equal(await page.evaluate(() => document.activeElement?.dataset?.entryId), n2.id,
			'the newest entry has the focus');

		/* at the top, a new entry is simply shown, no button */
		await page.evaluate(() => window.scrollTo(0, 0));
		const n3 = await postEntry(s, blog, { text: 'At the top' });
		await waitEntry(page, n3.id);
		await page.waitForTimeout(200);
		assert.equal(await page.locator('#new-updates').isVisible(), false);
		await closeChecked(view);
	});

	it('is usable at 360px: no horizontal scroll, controls reachable by keyboard with visible focus', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Un titre assez long pour passer sur plusieurs lignes' });
		await postEntry(s, blog, { title: 'Titre', text: 'Unmotsanscoupuretreslongquidebordeles-écransétroitssiriennelecoupe'.repeat(3), key: true });
		const e = await postEntry(s, blog, { text: '* a\n* b', pinned: true, author: 'A. Uteur' });
		const view = await open(`/blogs/${blog.id}`, { viewport: { width: 360, height: 740 }, isMobile: true });
		const { page } = view;
		await waitEntry(page, e.id);
		const widths = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
		assert.ok(widths[0] <= widths[1], `no horizontal overflow: ${widths}`);

		for (const sel of ['header', 'main', 'article', 'time[datetime]', '[aria-live="polite"]'])
			assert.ok(await page.locator(sel).count() > 0, `has ${sel}`);

		/* Tab from the top: skip link, then links; focus is visible */
		await page.keyboard.press('Tab');
		const first = await page.evaluate(() => document.activeElement.textContent);
		assert.equal(first, 'Skip to updates');
		let reachedPermalink = false;
		for (let i = 0; i < 12 && !reachedPermalink; i++) {
			await page.keyboard.press('Tab');
			const info = await page.evaluate(() => {
				const el = document.activeElement;
				const cs = getComputedStyle(el);
				return { cls: el.className, outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
			});
			assert.ok(info.outline !== 'none' && info.width > 0, `focus is visible on ${info.cls}`);
			reachedPermalink = info.cls === 'entry-permalink';
		}
		assert.ok(reachedPermalink, 'the permalinks are reachable with Tab');
		await closeChecked(view);
	});

	it('opens a permalink at its entry once the stream is built', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Permalink' });
		const para = 'Text to fill the page. '.repeat(30);
		const ids = [];
		for (let i = 0; i < 8; i++)
			ids.push((await postEntry(s, blog, { text: `${i} ${para}` })).id);
		const view = await open(`/blogs/${blog.id}#entry-${ids[1]}`, { viewport: PHONE });
		const { page } = view;
		await waitEntry(page, ids[7]);
		await waitUntil(async () => {
			const box = await page.locator(`#entry-${ids[1]}`).boundingBox();
			return box && Math.abs(box.y) < 80;
		}, { message: 'permalink target at the top of the viewport' });
		assert.equal(await page.evaluate(() => document.activeElement.id), `entry-${ids[1]}`);
		await closeChecked(view);
	});

	it('passes ?replay=10 through to the WebSocket URL', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Replay' });
		const e = await postEntry(s, blog, { text: 'Replayed' });
		const view = await open(`/blogs/${blog.id}?replay=10`);
		await waitUntil(() => view.sockets.length > 0, { message: 'a WebSocket' });
		const url = new URL(view.sockets[0]);
		assert.equal(url.pathname, `/ws/blogs/${blog.id}`);
		assert.equal(url.searchParams.get('replay'), '10');
		assert.equal(url.searchParams.get('since'), null);
		await waitEntry(view.page, e.id);
		await view.close();
		assert.deepEqual(view.foreign(), []);
	});

	it('serves the pages with a strict Content-Security-Policy', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'CSP' });
		for (const p of ['/', `/blogs/${blog.id}`, `/blogs/${blog.id}/edit`]) {
			const res = await api(s.base, 'GET', p);
			assert.equal(res.status, 200, `${p}: ${res.status}`);
			assert.match(res.headers['content-type'] ?? '', /^text\/html/, `${p} content-type`);
			const csp = res.headers['content-security-policy'] ?? '';
			assert.match(csp, /script-src 'self'(;|$)/, `${p} CSP script-src 'self' only: "${csp}"`);
			/* no scheme-wide source (a bare https: or *); one origin, --public-url's, for pictures */
			assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|(^|\s)https?:(\s|;|$)|\*/, `${p} CSP: "${csp}"`);
			assert.match(csp, /img-src 'self' http:\/\/127\.0\.0\.1:\d+ data:;/, `${p} CSP img-src: "${csp}"`);
		}
		for (const [p, type] of [['/reader.js', /javascript/], ['/render.js', /javascript/],
			['/feed.js', /javascript/], ['/style.css', /^text\/css/]]) {
			const res = await api(s.base, 'GET', p);
			assert.equal(res.status, 200, `${p}: ${res.status}`);
			assert.match(res.headers['content-type'] ?? '', type, `${p} content-type`);
		}
	});

	it('shows the reader count from stats frames', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Stats' });
		const view = await open(`/blogs/${blog.id}`, {
			beforeGoto: (page) => page.routeWebSocket(/\/ws\/blogs\//, (ws) => {
				ws.connectToServer();
				/* what a server sends every few seconds while live */
				setTimeout(() => ws.send(JSON.stringify({ type: 'stats', readers: 1234 })), 500);
			}),
		});
		await view.page.locator('#readers', { hasText: '1,234 readers' }).waitFor();
		await closeChecked(view);
	});

	it('gets stats frames from the server with a reader count', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Stats live' });
		const view = await open(`/blogs/${blog.id}`);
		await view.page.locator('#readers', { hasText: /^\d[\d,]* readers?$/ }).waitFor({ timeout: 15000 });
		await closeChecked(view);
	});

	/* renderedDaemon(blog, entries, cursor, state): a second daemon on the
	 * same redis serving a copy of www/ whose blog.html holds what the
	 * server-side renderer will emit (markup documented in render.js),
	 * with UTC times the script re-localises. (A document fulfilled by
	 * page.route would trip chromium's local network access checks.) */
	async function renderedDaemon(blog, entries, cursor, state) {
		const article = (e) => `<li class="entry-item"><article class="entry${e.key ? ' entry-key' : ''}"
			id="entry-${e.id}" tabindex="-1" data-entry-id="${e.id}" data-seq="${e.seq}" data-ts="${e.ts}"
			data-revision="${e.revision}"${e.key ? ' data-key=""' : ''}${e.pinned ? ' data-pinned=""' : ''}>
			<header class="entry-meta"><a class="entry-permalink" href="/blogs/${blog.id}#entry-${e.id}"><time
			datetime="${e.ts}">${e.ts.slice(11, 16)} UTC</time></a></header>
			${e.title ? `<h3 class="entry-title">${e.title}</h3>` : ''}
			<div class="entry-body"><p>${e.text}</p></div></article></li>`;
		const www = tempDir('liveblog-www-');
		fs.cpSync(path.join(REPO_ROOT, 'www'), www, { recursive: true });
		const html = fs.readFileSync(path.join(www, 'blog.html'), 'utf8')
			.replace(/<h1 id="blog-title"><\/h1>/, `<h1 id="blog-title">${blog.title}</h1>`)
			.replace(/<main id="main" class="wrap">/,
				`<main id="main" class="wrap" data-seq="${cursor}" data-state="${state}">`)
			.replace(/<ol id="entries"([^>]*)><\/ol>/, `<ol id="entries"$1>${entries.map(article).join('')}</ol>`);
		assert.match(html, /<main id="main" class="wrap" data-seq="\d+-\d+"/);
		assert.match(html, /<ol id="entries"[^>]*><li class="entry-item">/);
		fs.writeFileSync(path.join(www, 'blog.html'), html);
		return s.addDaemon({ www });
	}

	it('takes over server-rendered entries and resumes from <main data-seq>', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Rendered' });
		const a = await postEntry(s, blog, { title: 'A', text: 'Alpha', key: true });
		const b = await postEntry(s, blog, { text: 'Bravo', pinned: true });
		const events = await allEvents(s.base, blog.id);
		const cursor = events[events.length - 1].seq;
		const d2 = await renderedDaemon(blog, [b, a], cursor, 'live');
		const view = await openPage(browser, d2.base, `/blogs/${blog.id}`);
		const { page } = view;
		await waitUntil(() => view.sockets.length > 0, { message: 'a WebSocket' });
		assert.equal(new URL(view.sockets[0]).searchParams.get('since'), cursor, 'resumes from data-seq');
		await page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		assert.deepEqual(await entryIds(page), [b.id, a.id]);
		assert.doesNotMatch(await page.locator(`#entry-${a.id} time`).textContent(), /UTC/, 'time localised');
		assert.equal(await page.locator('#pinned').getByText('Bravo').count(), 1);
		assert.deepEqual(await page.locator('#key-events a').allTextContents(), ['A']);
		assert.equal(await page.getByText('No liveblog updates yet.').isVisible(), false);

		const c = await postEntry(d2, blog, { text: 'Charlie' });
		await waitEntry(page, c.id);
		await api(d2.base, 'PATCH', `/api/blogs/${blog.id}/entries/${a.id}`,
			{ body: { text: 'Alpha, corrected' }, token: blog.editor_token });
		await page.locator(`#entry-${a.id}`).getByText('Alpha, corrected').waitFor();
		assert.deepEqual(await entryIds(page), [c.id, b.id, a.id], 'no duplicate, same order');
		await closeChecked(view);
	});

	it('opens no stream on a server-rendered ended blog', async () => {
		const blog = await createBlog(s, { id: uniqueId('rd'), title: 'Rendered ended' });
		const a = await postEntry(s, blog, { text: 'Only entry' });
		await api(s.base, 'POST', `/api/blogs/${blog.id}/end`, { token: blog.editor_token });
		const events = await allEvents(s.base, blog.id);
		const d2 = await renderedDaemon(blog, [a], events[events.length - 1].seq, 'ended');
		const view = await openPage(browser, d2.base, `/blogs/${blog.id}`);
		const { page } = view;
		await page.getByText('The liveblog has ended.').waitFor();
		assert.equal(await page.locator('#state-badge').textContent(), 'ENDED');
		assert.deepEqual(await entryIds(page), [a.id]);
		await page.waitForTimeout(1000);
		assert.deepEqual(view.sockets, [], 'no WebSocket for a final page');
		await closeChecked(view);
	});
});
