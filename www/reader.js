/*
 * reader.js — the reader page /blogs/{id}.
 *
 * Starts either from an empty <ol id="entries"> (no cursor: connect without
 * since and build everything from the event stream) or from server-rendered
 * entries (markup in render.js) with <main data-seq="{cursor}"> to resume
 * from; <main data-state="ended"> means the page is final and no feed is
 * opened. Everything derived (pinned entry, key events, empty text) is
 * recomputed from one in-memory index of the entries, so both starts behave
 * the same. Live changes never move what the reader is looking at: when the
 * reader has scrolled into the stream, the first visible entry is kept in
 * place and a "N new updates" button offers a jump back to the newest.
 */
import {
	compareSeq, entryLabel, localizeTime, renderEntryItem, renderTime,
} from '/render.js';
import { Feed } from '/feed.js';

const $ = (id) => document.getElementById(id);
const ui = {
	main: document.querySelector('main'),
	title: $('blog-title'),
	badge: $('state-badge'),
	readers: $('readers'),
	status: $('conn-status'),
	ended: $('ended-banner'),
	pinned: $('pinned'),
	pinnedSlot: $('pinned-entry'),
	keyNav: $('key-events'),
	keyList: $('key-list'),
	stream: $('stream'),
	entries: $('entries'),
	empty: $('empty'),
	newBtn: $('new-updates'),
	announcer: $('announcer'),
};

const blogId = decodeURIComponent(location.pathname.split('/')[2] || '');
const replayParam = new URLSearchParams(location.search).get('replay');
const replay = /^\d{1,4}(\.\d{1,3})?$/.test(replayParam || '') ? replayParam : null;
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

/* id → {id, seq, ts, key, pinned, label, item}; item is the <li>. */
const entries = new Map();
let pinnedId = null;
let caughtUp = false;   /* the list reflects the log: empty text may show */
let ended = false;
let unseen = [];        /* ids that arrived while the reader was below */
let everOpened = false;
let feed = null;

function articleOf(item) {
	return item.matches('article') ? item : item.querySelector('article.entry');
}

/* textOf(node): node's text with a space between text nodes, so that
 * "<p>a<br>b</p><ul><li>c</li></ul>" reads "a b c". */
function textOf(node) {
	if (!node) return '';
	const parts = [];
	const walk = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
	while (walk.nextNode()) parts.push(walk.currentNode.nodeValue);
	return parts.join(' ');
}

/* adoptRendered(): indexes server-rendered entries and localises times. */
function adoptRendered() {
	for (const art of ui.entries.querySelectorAll('article.entry')) {
		const id = art.dataset.entryId || art.id.replace(/^entry-/, '');
		const time = art.querySelector('time[datetime]');
		const rec = {
			id,
			seq: art.dataset.seq || '',
			ts: art.dataset.ts || (time ? time.getAttribute('datetime') : ''),
			key: art.hasAttribute('data-key'),
			pinned: art.hasAttribute('data-pinned'),
			label: entryLabel({
				title: art.querySelector('.entry-title')?.textContent,
				text: textOf(art.querySelector('.entry-body')),
			}),
			item: art.closest('li') || art,
		};
		entries.set(id, rec);
		if (rec.pinned && (!pinnedId || compareSeq(rec.seq, entries.get(pinnedId).seq) > 0))
			pinnedId = id;
	}
	for (const t of ui.main.querySelectorAll('time[datetime]')) localizeTime(t);
}

function insertBySeq(item, seq) {
	for (const li of ui.entries.children) {
		const art = articleOf(li);
		if (art && compareSeq(art.dataset.seq, seq) < 0) {
			ui.entries.insertBefore(item, li);
			return;
		}
	}
	ui.entries.appendChild(item);
}

function setPinned(rec, on) {
	rec.pinned = on;
	const art = articleOf(rec.item);
	if (on) art.setAttribute('data-pinned', '');
	else art.removeAttribute('data-pinned');
}

/* upsert(entry, fallbackSeq): renders entry in place (edit) or at its
 * position by seq (new). Returns true when the entry was new. */
function upsert(entry, fallbackSeq) {
	if (!entry || !entry.id) return false;
	if (entry.deleted) {
		remove(entry.id);
		return false;
	}
	const e = { ...entry, seq: entry.seq || fallbackSeq };
	const item = renderEntryItem(e, { blogId });
	const prev = entries.get(e.id);
	if (prev) prev.item.replaceWith(item);
	else insertBySeq(item, e.seq);
	const rec = {
		id: e.id, seq: e.seq, ts: e.ts, key: !!e.key, pinned: false,
		label: entryLabel(e), item,
	};
	entries.set(e.id, rec);
	if (e.pinned) {
		/* Pinning one entry unpins the previous one. */
		const old = pinnedId && entries.get(pinnedId);
		if (old && old !== rec) setPinned(old, false);
		setPinned(rec, true);
		pinnedId = e.id;
	} else if (pinnedId === e.id) {
		pinnedId = null;
	}
	return !prev;
}

function remove(id) {
	const rec = entries.get(id);
	if (!rec) return;
	rec.item.remove();
	entries.delete(id);
	if (pinnedId === id) pinnedId = null;
	unseen = unseen.filter((x) => x !== id);
}

function clearAll() {
	entries.clear();
	ui.entries.replaceChildren();
	pinnedId = null;
	unseen = [];
}

/* renderDerived(): pinned copy, key events summary, empty text, button. */
function renderDerived() {
	const pinned = pinnedId && entries.get(pinnedId);
	if (pinned) {
		const copy = articleOf(pinned.item).cloneNode(true);
		copy.removeAttribute('id');
		copy.removeAttribute('tabindex');
		copy.classList.add('entry-pinned-copy');
		ui.pinnedSlot.replaceChildren(copy);
	} else {
		ui.pinnedSlot.replaceChildren();
	}
	ui.pinned.hidden = !pinned;

	const keys = [...entries.values()].filter((r) => r.key)
		.sort((a, b) => compareSeq(b.seq, a.seq));
	ui.keyList.replaceChildren(...keys.map((r) => {
		const li = document.createElement('li');
		if (r.ts) li.appendChild(renderTime(r.ts));
		const a = document.createElement('a');
		a.href = `#entry-${r.id}`;
		a.textContent = r.label || 'Update';
		li.appendChild(a);
		return li;
	}));
	ui.keyNav.hidden = keys.length === 0;

	ui.empty.hidden = !caughtUp || entries.size > 0;
	renderNewButton();
}

function renderNewButton() {
	const n = unseen.length;
	ui.newBtn.hidden = n === 0;
	ui.newBtn.querySelector('.label').textContent =
		n === 1 ? '1 new update' : `${n} new updates`;
}

/* readerIsBelow(): the reader has scrolled past the top of the stream, so
 * inserting above would push what they read out of place. */
function readerIsBelow() {
	return ui.entries.getBoundingClientRect().top < 0;
}

/* keepInPlace(fn): runs fn (a DOM change) and, when the reader is below
 * the top of the stream, scrolls by however much fn moved the first still
 * visible entry. Returns whether the reader was below. */
function keepInPlace(fn) {
	if (!readerIsBelow()) {
		fn();
		return false;
	}
	const anchors = [];
	for (const li of ui.entries.children) {
		const r = li.getBoundingClientRect();
		if (r.bottom <= 0) continue;
		anchors.push({ id: articleOf(li)?.id, top: r.top });
		if (anchors.length === 3) break;
	}
	fn();
	for (const a of anchors) {
		const node = a.id && document.getElementById(a.id);
		if (!node || !ui.entries.contains(node)) continue;
		const delta = (node.closest('li') || node).getBoundingClientRect().top - a.top;
		if (delta) scrollBy({ top: delta, behavior: 'instant' });
		break;
	}
	return true;
}

let announceQueue = [];
let announceTimer = 0;
function announce(text) {
	announceQueue.push(text);
	clearTimeout(announceTimer);
	announceTimer = setTimeout(() => {
		ui.announcer.textContent = announceQueue.length === 1
			? announceQueue[0] : `${announceQueue.length} new updates`;
		announceQueue = [];
	}, 800);
}

function flash(rec) {
	const art = articleOf(rec.item);
	art.classList.add('entry-new');
	setTimeout(() => art.classList.remove('entry-new'), 4000);
}

function setBadge(text, cls) {
	ui.badge.textContent = text;
	ui.badge.className = `badge ${cls}`;
	ui.badge.hidden = false;
}

function setEnded() {
	ended = true;
	setBadge('ENDED', 'badge-ended');
	ui.ended.hidden = false;
	ui.readers.hidden = true;
	setStatus('');
}

/* setStatus(text): the connection state line. The element stays in the
 * page (a role=status region must exist before its text changes to be
 * announced); empty, it takes no room. */
function setStatus(text, cls = '') {
	ui.status.textContent = text;
	ui.status.className = `conn-status ${text ? cls : ''}`;
}

function applyHello(blog) {
	if (!blog) return;
	if (blog.title) {
		ui.title.textContent = blog.title;
		document.title = `${blog.title} — Liveblog`;
	}
	if (replay) setBadge('REPLAY', 'badge-replay');
	else if (blog.state === 'ended') setEnded();
	else if (!ended) setBadge('LIVE', 'badge-live');
}

/* onFrame(frame): applies one frame from the feed. Entries arriving after
 * the catch-up are "new": kept out of the reader's way and announced. */
function onFrame(frame) {
	switch (frame.type) {
		case 'hello':
			applyHello(frame.blog);
			return;
		case 'reset':
			clearAll();
			caughtUp = !!replay;
			renderDerived();
			return;
		case 'live':
			if (!caughtUp) {
				caughtUp = true;
				renderDerived();
				revealHashTarget();
			}
			return;
		case 'stats':
			if (Number.isFinite(frame.readers) && !ended) {
				const n = new Intl.NumberFormat().format(frame.readers);
				ui.readers.textContent = frame.readers === 1 ? '1 reader' : `${n} readers`;
				ui.readers.hidden = false;
			}
			return;
		case 'entry':
		case 'edit':
		case 'delete':
		case 'ended':
			break;
		default:
			return;
	}
	if (!caughtUp) {
		/* Catching up: build quietly, derive once at "live" — or at "ended",
		 * which is the last frame an ended blog sends. */
		applyEvent(frame);
		if (frame.type === 'ended') onFrame({ type: 'live' });
		return;
	}
	let added = null;
	const below = keepInPlace(() => {
		added = applyEvent(frame);
		renderDerived();
	});
	if (added) {
		flash(added);
		announce(`New update: ${added.label}`);
		if (below) {
			unseen.push(added.id);
			renderNewButton();
		}
	}
	if (frame.type === 'ended') announce('The liveblog has ended.');
}

/* applyEvent(ev): the index/DOM change of one event; returns the record
 * of a newly added entry, else null. */
function applyEvent(ev) {
	switch (ev.type) {
		case 'entry':
		case 'edit':
			return upsert(ev.entry, ev.seq) ? entries.get(ev.entry.id) : null;
		case 'delete':
			remove(ev.entry_id);
			return null;
		case 'ended':
			setEnded();
			return null;
		default:
			return null;
	}
}

function onState(state, info = {}) {
	switch (state) {
		case 'connecting':
			setStatus('Connecting…', 'is-connecting');
			break;
		case 'reconnecting':
			setStatus('Reconnecting…', 'is-reconnecting');
			if (!everOpened && info.delay !== undefined) checkExists();
			break;
		case 'open':
			everOpened = true;
			setStatus(replay ? `Replaying at ${replay}×` : '', 'is-replay');
			break;
		case 'live':
			if (!replay) setStatus('');
			break;
		case 'ended':
			setStatus('');
			break;
		default:
			break;
	}
}

let existsChecked = false;
/* checkExists(): the handshake of an unknown blog is refused (404), which
 * a browser cannot see; ask the API once before retrying for ever. */
async function checkExists() {
	if (existsChecked) return;
	existsChecked = true;
	try {
		const res = await fetch(`/api/blogs/${encodeURIComponent(blogId)}`);
		if (res.status === 404) {
			feed.stop();
			ui.title.textContent = 'Liveblog not found';
			document.title = 'Liveblog not found';
			setStatus('');
			ui.empty.textContent = 'There is no liveblog at this address.';
			ui.empty.hidden = false;
		}
	} catch {
		/* offline: keep retrying */
	}
}

/* revealHashTarget(): a permalink (#entry-…) opened before the entries
 * were built scrolls to its entry once they are. */
function revealHashTarget() {
	const id = decodeURIComponent(location.hash.slice(1));
	if (!id.startsWith('entry-')) return;
	const node = document.getElementById(id);
	if (node) {
		node.scrollIntoView({ block: 'start' });
		node.focus({ preventScroll: true });
	}
}

/* onNewClick(): back to the newest entry, which also takes the focus so
 * keyboard and screen reader users land on it. */
function onNewClick() {
	unseen = [];
	renderNewButton();
	ui.stream.scrollIntoView({ block: 'start', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
	const first = ui.entries.firstElementChild;
	const newest = first && articleOf(first);
	if (newest) newest.focus({ preventScroll: true });
}

let scrollQueued = false;
function onScroll() {
	if (scrollQueued || unseen.length === 0) return;
	scrollQueued = true;
	requestAnimationFrame(() => {
		scrollQueued = false;
		if (!readerIsBelow()) {
			unseen = [];
			renderNewButton();
		}
	});
}

function main() {
	const rendered = ui.main.hasAttribute('data-seq');
	let cursor = ui.main.dataset.seq || null;
	if (cursor === '0-0') cursor = null;
	if (!ui.title.textContent.trim()) ui.title.textContent = blogId;

	if (replay) {
		clearAll();
		cursor = null;
		caughtUp = true;
	} else {
		adoptRendered();
		caughtUp = rendered;
	}
	renderDerived();

	ui.newBtn.addEventListener('click', onNewClick);
	addEventListener('scroll', onScroll, { passive: true });
	setInterval(() => {
		for (const t of ui.main.querySelectorAll('time[datetime]')) localizeTime(t);
	}, 10 * 60 * 1000);

	if (!replay && ui.main.dataset.state === 'ended') {
		setEnded();
		return;
	}
	if (!replay && ui.main.dataset.state === 'live') setBadge('LIVE', 'badge-live');
	feed = new Feed({ blogId, since: cursor, replay, onFrame, onState });
	feed.start();
	/* for tests and debugging: the cursor the page would resume from */
	window.liveblogReader = { feed, entries };
}

main();
