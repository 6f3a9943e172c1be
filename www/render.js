/*
 * render.js — liveblog entry text → DOM. A pure module: it touches no
 * global state at import, makes no request, and builds every node with
 * createElement/textContent/setAttribute. Text from an entry never goes
 * through innerHTML, so "<script>" or "<img onerror=...>" in a text shows
 * as those characters and creates no element.
 *
 * The server-side renderer of blog.html mirrors this markup exactly, so the
 * page script can take over server-rendered entries as if it had built them.
 * Whitespace between tags is not significant. {x} is x escaped for HTML.
 *
 * Entries live in <ol id="entries"> inside <main data-seq="{cursor}">, newest
 * (greatest seq) first; <main data-seq> holds the seq of the last event the
 * HTML includes (absent or empty: the script starts from an empty list and
 * builds everything from the event stream).
 *
 *   <li class="entry-item">
 *     <article class="entry[ entry-key]" id="entry-{id}" tabindex="-1"
 *              data-entry-id="{id}" data-seq="{seq}" data-ts="{ts}"
 *              data-revision="{revision}"[ data-key=""][ data-pinned=""]>
 *       <header class="entry-meta">
 *         <a class="entry-permalink" href="{base}/blogs/{blog}/entries/{id}"
 *            title="Permalink to this update"><time datetime="{ts}"
 *            title="{full date}">{time}</time></a>
 *         <span class="entry-author">{author}</span>           (if author)
 *         <span class="entry-key-badge">Key event</span>       (if key)
 *         <span class="entry-updated">updated <time
 *            datetime="{edited_ts}">{time}</time></span>      (if edited_ts)
 *       </header>
 *       <h3 class="entry-title">{title}</h3>                   (if title)
 *       <div class="entry-body">{blocks}</div>
 *       <figure class="entry-figure">                           (each picture)
 *         <img src="{base}/media/{media id}" width="{width}" height="{height}"
 *              alt="{alt}" loading="lazy" decoding="async">
 *         <figcaption><span class="entry-caption">{caption}</span>
 *           <span class="entry-credit">{credit}</span></figcaption>
 *       </figure>    (figcaption if caption or credit; each span if set)
 *     </article>
 *   </li>
 *
 * {base} is --public-url (the page's <link rel="canonical"> up to /blogs/):
 * /blogs/{blog}/entries/{id} is the entry's permalink, its own page; the
 * older /blogs/{blog}#entry-{id} anchors still work. Pictures are under
 * {base} too, so an embed on another site's page shows the same markup.
 * data-seq is the entry's own seq (the event that created it); data-key and
 * data-pinned are present only when true. The <img> attributes come in that
 * order; width and height make the browser keep the picture's room before
 * its bytes arrive (no layout shift). {time} is the local time "14:32"
 * (the script re-localises every <time> it adopts, so the server may print
 * UTC, e.g. "07:32 UTC"); the {full date} title is optional.
 *
 * {blocks} is the text, plain, turned into paragraphs and bullet lists:
 *   1. "\r\n" and "\r" become "\n"; the text is split into lines.
 *   2. A line holding only spaces/tabs is blank. Blank lines separate
 *      blocks; a run of non-blank lines is one block.
 *   3. In a block, a maximal run of lines starting "* " is one
 *      <ul><li>{line without "* "}</li>...</ul>; a maximal run of other
 *      lines is one <p>{line}<br>{line}...</p>.
 *   4. In a {line}, each http:// or https:// URL (findLinks below) is
 *      <a href="{url}" rel="nofollow noopener noreferrer">{url}</a>.
 *   5. Nothing else is interpreted: no HTML, no markdown, no other scheme.
 *
 * The links of a line (src/common/linkify.h states the same rules for the
 * server; tests/unit/links.json holds the cases both are checked against):
 *   a. A link starts at "http://" or "https://" (any case) at the start of
 *      the line or after a character that is not an ASCII letter or digit.
 *   b. It runs to the end of the line or the first ASCII space or control
 *      character, < > " ` { } | \ ^, or U+00A0 U+00AB U+00BB U+2000-U+200B
 *      U+2018-U+201F U+2028 U+2029 U+202F U+205F U+3000 U+FEFF.
 *   c. Trailing . , ; : ! ? ' * are left out, and a trailing ) or ] with no
 *      opening one inside the link; repeated until none.
 *   d. After "://" there must be something, starting with an ASCII letter
 *      or digit, "[" or a non-ASCII character; a link of more than 2048
 *      bytes (UTF-8) is no link.
 */

const BULLET = /^\* /;
const BLANK = /^[ \t]*$/;

/* compareSeq(a, b): <0, 0, >0 as Redis Stream id a is before, equal to,
 * after b ("ms-n", both parts decimal). A null/empty seq sorts first. */
export function compareSeq(a, b) {
	if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
	const [am, an = '0'] = String(a).split('-');
	const [bm, bn = '0'] = String(b).split('-');
	return cmpDecimal(am, bm) || cmpDecimal(an, bn);
}

function cmpDecimal(x, y) {
	x = x.replace(/^0+(?=\d)/, '');
	y = y.replace(/^0+(?=\d)/, '');
	if (x.length !== y.length) return x.length < y.length ? -1 : 1;
	return x < y ? -1 : x > y ? 1 : 0;
}

/* seqTime(seq): the Date a Redis Stream id was created (its ms part). */
export function seqTime(seq) {
	const ms = Number(String(seq || '').split('-')[0]);
	return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
}

/* textBlocks(text): the parse of rule 1-3 above as data, for tests and for
 * anyone mirroring the rules: [{type:'p'|'ul', lines:[string]}]. */
export function textBlocks(text) {
	const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
	const blocks = [];
	let cur = null; /* the block being filled; null after a blank line */
	for (const line of lines) {
		if (BLANK.test(line)) {
			cur = null;
			continue;
		}
		const type = BULLET.test(line) ? 'ul' : 'p';
		if (!cur || cur.type !== type) {
			cur = { type, lines: [] };
			blocks.push(cur);
		}
		cur.lines.push(type === 'ul' ? line.slice(2) : line);
	}
	return blocks;
}

const LINK_MAX = 2048;   /* bytes of a link, UTF-8 */
const URL_STOPS = '<>"`{}|\\^';

const isAlnum = (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/* rule b: the UTF-16 unit at i ends a link */
function stopsLink(c) {
	if (c <= 0x20 || c === 0x7f) return true;
	if (c < 0x80) return URL_STOPS.includes(String.fromCharCode(c));
	return c === 0xa0 || c === 0xab || c === 0xbb || (c >= 0x2000 && c <= 0x200b) ||
		(c >= 0x2018 && c <= 0x201f) || c === 0x2028 || c === 0x2029 ||
		c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/* bytes of s in UTF-8 (a surrogate pair: 4) */
function utf8Length(s) {
	let n = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
	}
	return n;
}

const count = (s, ch) => s.split(ch).length - 1;

/* rule c: s (a link) without its trailing punctuation */
function trimLink(s) {
	for (;;) {
		const last = s[s.length - 1];
		if (".,;:!?'*".includes(last) ||
			(last === ')' && count(s, ')') > count(s, '(')) ||
			(last === ']' && count(s, ']') > count(s, '['))) {
			s = s.slice(0, -1);
		} else {
			return s;
		}
	}
}

/* findLinks(line): the links of one line as [{start, end}] (UTF-16
 * indices, end exclusive), by the rules a-d above. */
export function findLinks(line) {
	const s = String(line ?? '');
	const links = [];
	for (let i = 0; i < s.length; i++) {
		if ((s.charCodeAt(i) | 0x20) !== 0x68 || (i > 0 && isAlnum(s.charCodeAt(i - 1)))) continue;
		const scheme = /^https?:\/\//i.exec(s.slice(i, i + 8));
		if (!scheme) continue;
		let e = i + scheme[0].length;
		while (e < s.length && !stopsLink(s.charCodeAt(e))) e++;
		if (utf8Length(s.slice(i, e)) > LINK_MAX) {
			i = e - 1;
			continue;
		}
		const link = trimLink(s.slice(i, e));
		const host = link.charCodeAt(scheme[0].length);
		if (link.length > scheme[0].length && (isAlnum(host) || host === 0x5b || host >= 0x80)) {
			links.push({ start: i, end: i + link.length });
			i += link.length - 1;
		}
	}
	return links;
}

/* appendLine(parent, line, doc): the line's text and links (rule 4), as
 * text nodes and <a> elements. */
function appendLine(parent, line, doc) {
	let at = 0;
	for (const { start, end } of findLinks(line)) {
		if (start > at) parent.appendChild(doc.createTextNode(line.slice(at, start)));
		const a = doc.createElement('a');
		a.setAttribute('href', line.slice(start, end));
		a.setAttribute('rel', 'nofollow noopener noreferrer');
		a.textContent = line.slice(start, end);
		parent.appendChild(a);
		at = end;
	}
	if (at < line.length) parent.appendChild(doc.createTextNode(line.slice(at)));
}

/* renderText(text, doc): a DocumentFragment of <p>/<ul> for the text. */
export function renderText(text, doc = globalThis.document) {
	const frag = doc.createDocumentFragment();
	for (const block of textBlocks(text)) {
		if (block.type === 'ul') {
			const ul = doc.createElement('ul');
			for (const line of block.lines) {
				const li = doc.createElement('li');
				appendLine(li, line, doc);
				ul.appendChild(li);
			}
			frag.appendChild(ul);
		} else {
			const p = doc.createElement('p');
			block.lines.forEach((line, i) => {
				if (i > 0) p.appendChild(doc.createElement('br'));
				appendLine(p, line, doc);
			});
			frag.appendChild(p);
		}
	}
	return frag;
}

function dayKey(date, timeZone) {
	return new Intl.DateTimeFormat('en-CA', {
		timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
	}).format(date);
}

/* formatTime(iso, {now, locale, timeZone}): "14:32" (local) when iso falls
 * on the same local day as now, else "29 Nov, 14:32" (with the year when it
 * differs). An unparsable iso is returned unchanged. */
export function formatTime(iso, { now = Date.now(), locale, timeZone } = {}) {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return String(iso ?? '');
	const today = new Date(now);
	/* "07:32" on a 24-hour clock, "7:32 AM" on a 12-hour one */
	const cycle = new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
	const hour = cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric';
	const opts = { hour, minute: '2-digit', timeZone };
	if (dayKey(date, timeZone) !== dayKey(today, timeZone)) {
		opts.day = 'numeric';
		opts.month = 'short';
		if (dayKey(date, timeZone).slice(0, 4) !== dayKey(today, timeZone).slice(0, 4))
			opts.year = 'numeric';
	}
	return new Intl.DateTimeFormat(locale, opts).format(date);
}

/* formatFull(iso, opts): the full local date and time, for title tooltips. */
export function formatFull(iso, { locale, timeZone } = {}) {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return String(iso ?? '');
	return new Intl.DateTimeFormat(locale, {
		dateStyle: 'full', timeStyle: 'short', timeZone,
	}).format(date);
}

/* renderTime(iso, doc, opts): <time datetime=iso title=full>{local}</time>. */
export function renderTime(iso, doc = globalThis.document, opts = {}) {
	const time = doc.createElement('time');
	time.setAttribute('datetime', iso);
	localizeTime(time, opts);
	return time;
}

/* localizeTime(el, opts): rewrites a <time datetime> element's text (and
 * title) in local time; used on server-rendered markup. */
export function localizeTime(el, opts = {}) {
	const iso = el.getAttribute('datetime');
	if (!iso || Number.isNaN(new Date(iso).getTime())) return;
	el.textContent = formatTime(iso, opts);
	el.setAttribute('title', formatFull(iso, opts));
}

/* entryLabel(entry, max): the entry's headline, else the start of its text
 * cut at a word boundary near max characters — for the key events summary
 * and announcements. */
export function entryLabel(entry, max = 90) {
	const title = String(entry.title ?? '').trim();
	if (title) return title;
	const text = String(entry.text ?? '').replace(/^\* /gm, '').replace(/\s+/g, ' ').trim();
	if (text.length <= max) return text;
	const cut = text.slice(0, max);
	const space = cut.lastIndexOf(' ');
	return (space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–-]+$/, '') + '…';
}

/* permalink(blogId, entryId, base): the entry's own page, under base. */
export function permalink(blogId, entryId, base = '') {
	return `${base}/blogs/${encodeURIComponent(blogId)}/entries/${encodeURIComponent(entryId)}`;
}

function el(doc, tag, className, text) {
	const node = doc.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}

/* The entry markup's own words, in English; renderEntry's t option gives
 * them in the blog's language (i18n.js). */
const ENTRY_WORDS = { permalink: 'Permalink to this update', key_event: 'Key event', updated: 'updated' };
const english = (key) => ENTRY_WORDS[key] ?? key;

/* renderEntry(entry, {blogId, base, doc, t, now, locale, timeZone}): the
 * <article> of the markup above for a wire-format entry; t(key) gives its
 * words, base starts its permalink. */
export function renderEntry(entry, {
	blogId = '', base = '', doc = globalThis.document, t = english, ...timeOpts
} = {}) {
	const art = el(doc, 'article', entry.key ? 'entry entry-key' : 'entry');
	art.id = `entry-${entry.id}`;
	art.tabIndex = -1;
	art.dataset.entryId = entry.id;
	art.dataset.seq = entry.seq ?? '';
	art.dataset.ts = entry.ts ?? '';
	art.dataset.revision = String(entry.revision ?? 1);
	if (entry.key) art.dataset.key = '';
	if (entry.pinned) art.dataset.pinned = '';

	const meta = el(doc, 'header', 'entry-meta');
	const link = el(doc, 'a', 'entry-permalink');
	link.href = permalink(blogId, entry.id, base);
	link.title = t('permalink');
	link.appendChild(renderTime(entry.ts, doc, timeOpts));
	meta.appendChild(link);
	if (entry.author) meta.appendChild(el(doc, 'span', 'entry-author', entry.author));
	if (entry.key) meta.appendChild(el(doc, 'span', 'entry-key-badge', t('key_event')));
	if (entry.edited_ts) {
		const upd = el(doc, 'span', 'entry-updated', `${t('updated')} `);
		upd.appendChild(renderTime(entry.edited_ts, doc, timeOpts));
		meta.appendChild(upd);
	}
	art.appendChild(meta);

	if (entry.title) art.appendChild(el(doc, 'h3', 'entry-title', entry.title));
	const body = el(doc, 'div', 'entry-body');
	body.appendChild(renderText(entry.text, doc));
	art.appendChild(body);
	for (const m of Array.isArray(entry.media) ? entry.media : [])
		art.appendChild(renderFigure(m, doc, base));
	return art;
}

/* renderFigure(media, doc, base): the <figure> of one wire picture, its
 * picture under base (--public-url). */
export function renderFigure(m, doc = globalThis.document, base = '') {
	const fig = el(doc, 'figure', 'entry-figure');
	const img = doc.createElement('img');
	const dim = (v) => (Number.isInteger(v) && v > 0 ? String(v) : '0');
	img.setAttribute('src', `${base}/media/${encodeURIComponent(String(m.id ?? ''))}`);
	img.setAttribute('width', dim(m.width));
	img.setAttribute('height', dim(m.height));
	img.setAttribute('alt', String(m.alt ?? ''));
	img.setAttribute('loading', 'lazy');
	img.setAttribute('decoding', 'async');
	fig.appendChild(img);
	if (m.caption || m.credit) {
		const cap = doc.createElement('figcaption');
		if (m.caption) cap.appendChild(el(doc, 'span', 'entry-caption', String(m.caption)));
		if (m.credit) cap.appendChild(el(doc, 'span', 'entry-credit', String(m.credit)));
		fig.appendChild(cap);
	}
	return fig;
}

/* renderEntryItem(entry, opts): the <li class="entry-item"> holding it. */
export function renderEntryItem(entry, opts = {}) {
	const doc = opts.doc || globalThis.document;
	const li = el(doc, 'li', 'entry-item');
	li.appendChild(renderEntry(entry, opts));
	return li;
}
