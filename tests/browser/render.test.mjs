// www/render.js in the browser: the text rules documented at its top (the
// server-side renderer mirrors them), the entry markup, and that no string
// from an entry is ever parsed as HTML.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../integration/harness.mjs';
import { launchBrowser, openPage } from './lib.mjs';

describe('render.js', { timeout: 60000 }, () => {
	let s;
	let browser;
	let view;
	before(async () => {
		s = await startStack();
		browser = await launchBrowser();
		view = await openPage(browser, s.base, '/');
	});
	after(async () => {
		await browser?.close();
		await s?.stop();
	});

	/* html(text): the innerHTML renderText gives for text */
	const html = (text) => view.page.evaluate(async (t) => {
		const m = await import('/render.js');
		const div = document.createElement('div');
		div.appendChild(m.renderText(t));
		return div.innerHTML;
	}, text);

	it('turns plain text into paragraphs and bullet lists', async () => {
		const cases = [
			['', ''],
			['one line', '<p>one line</p>'],
			['a\nb', '<p>a<br>b</p>'],
			['a\n\nb', '<p>a</p><p>b</p>'],
			['a\n \t\n\n\nb', '<p>a</p><p>b</p>'],
			['a\r\n\r\nb\rc', '<p>a</p><p>b<br>c</p>'],
			['* x\n* y', '<ul><li>x</li><li>y</li></ul>'],
			['intro:\n* x\n* y\nafter', '<p>intro:</p><ul><li>x</li><li>y</li></ul><p>after</p>'],
			['* x\n\n* y', '<ul><li>x</li></ul><ul><li>y</li></ul>'],
			['*not a bullet\n * nor this', '<p>*not a bullet<br> * nor this</p>'],
			['\n\nlead and trail\n\n', '<p>lead and trail</p>'],
			['« guillemets » — ok', '<p>« guillemets » — ok</p>'],
		];
		for (const [text, want] of cases)
			assert.equal(await html(text), want, JSON.stringify(text));
	});

	it('never parses text as HTML', async () => {
		assert.equal(await html('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
		assert.equal(await html('* <img src=x onerror=alert(1)>'), '<ul><li>&lt;img src=x onerror=alert(1)&gt;</li></ul>');
		assert.equal(await html('a &amp; b'), '<p>a &amp;amp; b</p>');
	});

	it('builds the documented entry markup', async () => {
		const out = await view.page.evaluate(async () => {
			const m = await import('/render.js');
			const li = m.renderEntryItem({
				id: 'e1', seq: '1764401562123-0', ts: '2026-11-29T07:32:42.123Z',
				edited_ts: '2026-11-29T07:40:00.000Z', author: 'A "quoted" <author>',
				title: 'T <b>', text: 'p', key: true, pinned: true, revision: 2,
			}, { blogId: 'summit', timeZone: 'UTC', locale: 'en-GB', now: Date.parse('2026-11-29T12:00:00Z') });
			const art = li.firstElementChild;
			return {
				li: li.outerHTML.startsWith('<li class="entry-item"><article'),
				cls: art.className, id: art.id,
				attrs: Object.fromEntries([...art.attributes].map((a) => [a.name, a.value])),
				href: art.querySelector('a.entry-permalink').getAttribute('href'),
				time: art.querySelector('.entry-permalink time').outerHTML.replace(/ title="[^"]*"/, ''),
				author: art.querySelector('.entry-author').textContent,
				updated: art.querySelector('.entry-updated').textContent,
				key: art.querySelector('.entry-key-badge').textContent,
				title: art.querySelector('h3.entry-title').textContent,
				body: art.querySelector('.entry-body').innerHTML,
			};
		});
		assert.ok(out.li);
		assert.equal(out.cls, 'entry entry-key');
		assert.equal(out.id, 'entry-e1');
		assert.deepEqual(out.attrs, {
			class: 'entry entry-key', id: 'entry-e1', tabindex: '-1', 'data-entry-id': 'e1',
			'data-seq': '1764401562123-0', 'data-ts': '2026-11-29T07:32:42.123Z',
			'data-revision': '2', 'data-key': '', 'data-pinned': '',
		});
		assert.equal(out.href, '/blogs/summit/entries/e1');
		assert.equal(out.time, '<time datetime="2026-11-29T07:32:42.123Z">07:32</time>');
		assert.equal(out.author, 'A "quoted" <author>');
		assert.equal(out.updated, 'updated 07:40');
		assert.equal(out.key, 'Key event');
		assert.equal(out.title, 'T <b>');
		assert.equal(out.body, '<p>p</p>');
	});

	it('orders seqs numerically and formats times of other days with the date', async () => {
		const out = await view.page.evaluate(async () => {
			const m = await import('/render.js');
			return {
				cmp: [m.compareSeq('10-0', '9-0'), m.compareSeq('5-2', '5-10'), m.compareSeq('7-1', '7-1'),
					m.compareSeq(null, '1-0')],
				other: m.formatTime('2026-11-27T07:32:00.000Z', { timeZone: 'UTC', locale: 'en-GB', now: Date.parse('2026-11-29T12:00:00Z') }),
				year: m.formatTime('2025-11-29T07:32:00.000Z', { timeZone: 'UTC', locale: 'en-GB', now: Date.parse('2026-11-29T12:00:00Z') }),
				label: m.entryLabel({ text: '* first bullet\n* second' }),
			};
		});
		assert.deepEqual(out.cmp, [1, -1, 0, -1]);
		assert.equal(out.other, '27 Nov, 07:32');
		assert.equal(out.year, '29 Nov 2025, 07:32');
		assert.equal(out.label, 'first bullet second');
	});
});
