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
 *
 * Replay mode (?replay=SPEED, a positive number): the rendered entries are
 * ignored and the list is rebuilt from a paced replay of the whole log
 * (/ws/blogs/{id}?replay=SPEED, no since). The badge says REPLAY and
 * #replay-bar is shown:
 *   - play/pause: pause closes the socket and keeps the seq of the last
 *     applied event; play reconnects with ?replay=SPEED&since=<that seq>;
 *     once the replay reached "ended" the button replays from the start;
 *   - speed (1, 2, 5, 10, 30, 60, plus the URL's value if another):
 *     reconnects at the new speed from the last seq and rewrites ?replay=
 *     in the address (history.replaceState);
 *   - timeline: an <input type="range"> in epoch ms from the first to the
 *     last event's time (the ms part of their seqs), from every event's
 *     seq fetched once via /api/blogs/{id}/events (limit=1000 pages) and
 *     extended by events that arrive later. Seeking to time T applies the
 *     fetched events up to the last one at or before T to an empty list
 *     (the same render path as the stream), then reconnects with since=
 *     its seq. Arrow keys jump to the previous/next event; Home/End and
 *     PageUp/PageDown work as on any slider;
 *   - "Replay time": the local time of the last applied event.
 * The server sends the first event after since at once, so after a pause,
 * a seek or a speed change the page waits (next event time - replay
 * position) / speed, capped at 5 s like the server's gaps, before it
 * reconnects: the replay keeps its original rhythm across the controls.
 */
import {
	compareSeq, entryLabel, localizeTime, renderEntryItem, renderTime, seqTime,
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
	replayBar: $('replay-bar'),
	replayToggle: $('replay-toggle'),
	replaySpeed: $('replay-speed'),
	replayTimeline: $('replay-timeline'),
	replayClock: $('replay-clock'),
};

const blogId = decodeURIComponent(location.pathname.split('/')[2] || '');
const replayParam = new URLSearchParams(location.search).get('replay');
const replay = /^\d{1,4}(\.\d{1,3})?$/.test(replayParam || '') && Number(replayParam) > 0
	? replayParam : null;
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
	if (entry.deleted || entry.redacted) {
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
	if (!replay) setBadge('ENDED', 'badge-ended');
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
			if (replay) replayReset();
			renderDerived();
			return;
		case 'live':
			if (replay) replayLive();
			if (!caughtUp) {
				caughtUp = true;
				renderDerived();
				revealHashTarget();
			}
			return;
		case 'redact':
			/* a legal takedown: the entry goes, everywhere it is kept */
			keepInPlace(() => {
				remove(frame.entry_id);
				renderDerived();
			});
			if (replay) replayRedact(frame.entry_id);
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
		if (replay) replayApplied(frame);
		if (frame.type === 'ended') onFrame({ type: 'live' });
		return;
	}
	let added = null;
	const below = keepInPlace(() => {
		added = applyEvent(frame);
		renderDerived();
	});
	if (replay) replayApplied(frame);
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
			if (replay && everOpened) replayStatus();
			else setStatus('Connecting…', 'is-connecting');
			break;
		case 'reconnecting':
			setStatus('Reconnecting…', 'is-reconnecting');
			if (!everOpened && info.delay !== undefined) checkExists();
			break;
		case 'open':
			everOpened = true;
			if (replay) replayStatus();
			else setStatus('');
			break;
		case 'live':
			if (replay) replayStatus();
			else setStatus('');
			break;
		case 'ended':
			if (replay) replayStatus();
			else setStatus('');
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
			closeFeed();
			ui.replayBar.hidden = true;
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

/* ---- replay mode ---------------------------------------------------- */

const SPEEDS = [1, 2, 5, 10, 30, 60];
const REPLAY_CAP_MS = 5000;   /* the server's default cap on one gap */
const SEEK_SETTLE_MS = 150;   /* a held arrow key seeks often: connect once */
const EVENTS_PAGE = 1000;

const rp = {
	speed: replay ? Number(replay) : 0,
	paused: false,       /* the reader paused */
	finished: false,     /* the replay applied "ended" */
	live: false,         /* the replay caught up with a live blog */
	lastSeq: null,       /* seq of the last applied event: the resume cursor */
	lastMs: null,        /* its time */
	posMs: null,         /* replay position (epoch ms) at posAt */
	posAt: 0,            /* performance.now() of posMs */
	thumbMs: null,       /* where the timeline shows the replay */
	log: [],             /* [{seq, ms, ev}] every event, in order */
	loaded: false,       /* log holds the events API's answer */
	pending: [],         /* events applied before the log was loaded */
	dragging: false,
	timer: 0,            /* a delayed reconnect */
};

/* playing(): the replay advances (or waits to reconnect). */
function playing() {
	return !rp.paused && !rp.finished;
}

function eventMs(seq) {
	const d = seqTime(seq);
	return d ? d.getTime() : null;
}

function speedText(v) {
	return `${new Intl.NumberFormat().format(v)}×`;
}

/* clockText(ms): "14:32:05" in local time, with the day when not today. */
function clockText(ms) {
	const d = new Date(ms);
	const opts = { hour: '2-digit', minute: '2-digit', second: '2-digit' };
	if (d.toDateString() !== new Date().toDateString()) {
		opts.day = 'numeric';
		opts.month = 'short';
	}
	return new Intl.DateTimeFormat(undefined, opts).format(d);
}

function replayStatus() {
	if (rp.finished) setStatus('Replay finished', 'is-replay');
	else if (rp.paused) setStatus('Paused', 'is-replay');
	else if (rp.live) setStatus('Replay caught up: live', 'is-replay');
	else setStatus(`Replaying at ${speedText(rp.speed)}`, 'is-replay');
}

/* openFeed(since, delay): a replay feed from since (null: the whole log)
 * at the current speed, after delay ms. Frames of an older feed are
 * never applied. */
function openFeed(since, delay = 0) {
	closeFeed();
	rp.live = false;
	const connect = () => {
		rp.timer = 0;
		const f = new Feed({
			blogId, since, replay: String(rp.speed),
			onFrame: (frame) => { if (feed === f) onFrame(frame); },
			onState: (state, info) => { if (feed === f) onState(state, info); },
		});
		feed = f;
		f.start();
	};
	if (delay > 0) rp.timer = setTimeout(connect, delay);
	else connect();
}

function closeFeed() {
	clearTimeout(rp.timer);
	rp.timer = 0;
	const f = feed;
	feed = null;
	if (f) f.stop();
}

/* position(): the replay time now: it runs at the speed while playing,
 * never past the next event (which has not been applied yet). */
function position() {
	if (rp.posMs === null) return null;
	let p = rp.posMs;
	if (playing() && !rp.live) p += (performance.now() - rp.posAt) * rp.speed;
	const next = nextEvent();
	if (next && p > next.ms) p = next.ms;
	return p;
}

function nextEvent() {
	return rp.log.find((x) => compareSeq(x.seq, rp.lastSeq) > 0) || null;
}

/* delayFor(pos): how long the next event is still due from pos. */
function delayFor(pos) {
	const next = nextEvent();
	if (pos === null || !next) return 0;
	return Math.min(REPLAY_CAP_MS, Math.max(0, (next.ms - pos) / rp.speed));
}

function setPosition(ms) {
	rp.posMs = ms;
	rp.posAt = performance.now();
}

/* replayApplied(ev): ev (entry/edit/delete/ended) came from the feed. */
function replayApplied(ev) {
	if (!ev.seq) return;
	rp.lastSeq = ev.seq;
	rp.lastMs = eventMs(ev.seq);
	rp.thumbMs = rp.lastMs;
	setPosition(rp.lastMs);
	extendLog(ev);
	if (ev.type === 'ended') {
		rp.finished = true;
		replayStatus();
	}
	renderReplay();
}

/* replayRedact(id): the replay's copy of the log forgets the entry's content. */
function replayRedact(id) {
	for (const x of rp.log) {
		const e = x.ev && x.ev.entry;
		if (e && e.id === id)
			x.ev = { ...x.ev, entry: { id, seq: e.seq, ts: e.ts, redacted: true,
				author: '', title: '', text: '', key: false, pinned: false,
				revision: e.revision } };
	}
}

function replayReset() {
	clearEnded();
	rp.lastSeq = null;
	rp.lastMs = null;
	rp.finished = false;
	renderReplay();
}

function replayLive() {
	if (rp.finished) return;
	rp.live = true;
	replayStatus();
}

function extendLog(ev) {
	const item = { seq: ev.seq, ms: eventMs(ev.seq), ev };
	if (!rp.loaded) {
		rp.pending.push(item);
		return;
	}
	const last = rp.log[rp.log.length - 1];
	if (!last || compareSeq(item.seq, last.seq) > 0) rp.log.push(item);
}

/* loadLog(): every event, once, for the timeline and for seeking. */
async function loadLog(attempt = 0) {
	try {
		const log = [];
		let since = null;
		for (;;) {
			const q = new URLSearchParams({ limit: String(EVENTS_PAGE) });
			if (since) q.set('since', since);
			const res = await fetch(`/api/blogs/${encodeURIComponent(blogId)}/events?${q}`);
			if (res.status === 404) return;   /* no such blog: checkExists says so */
			if (!res.ok) throw new Error(`events: HTTP ${res.status}`);
			const body = await res.json();
			const evs = Array.isArray(body.events) ? body.events : [];
			for (const ev of evs) {
				if (ev && typeof ev.seq === 'string' && eventMs(ev.seq) !== null)
					log.push({ seq: ev.seq, ms: eventMs(ev.seq), ev });
			}
			if (evs.length < EVENTS_PAGE || !body.next || body.next === since) break;
			since = body.next;
		}
		rp.log = log;
		rp.loaded = true;
		for (const item of rp.pending) extendLog(item.ev);
		rp.pending = [];
		renderReplay();
	} catch {
		setTimeout(() => loadLog(attempt + 1), Math.min(30000, 1000 * 2 ** attempt));
	}
}

function clearEnded() {
	ended = false;
	ui.ended.hidden = true;
}

/* renderReplay(): the bar from the replay state. */
function renderReplay() {
	const tl = ui.replayTimeline;
	const { log } = rp;
	if (rp.loaded && log.length) {
		const min = log[0].ms;
		const max = Math.max(log[log.length - 1].ms, min + 1);
		tl.min = String(min);
		tl.max = String(max);
		tl.disabled = false;
		if (!rp.dragging) tl.value = String(rp.thumbMs ?? min);
		tl.setAttribute('aria-valuetext', clockText(Number(tl.value)));
	} else {
		tl.disabled = true;
		tl.removeAttribute('aria-valuetext');
	}
	if (rp.lastMs !== null) {
		ui.replayClock.textContent = clockText(rp.lastMs);
		ui.replayClock.setAttribute('datetime', new Date(rp.lastMs).toISOString());
	} else {
		ui.replayClock.textContent = '–';
		ui.replayClock.removeAttribute('datetime');
	}
	const [icon, label] = rp.finished ? ['↺', 'Replay again']
		: rp.paused ? ['▶', 'Play'] : ['❚❚', 'Pause'];
	ui.replayToggle.querySelector('.replay-icon').textContent = icon;
	ui.replayToggle.querySelector('.label').textContent = label;
}

function pause() {
	setPosition(position());
	rp.paused = true;
	closeFeed();
	renderReplay();
	replayStatus();
}

function play() {
	rp.paused = false;
	rp.posAt = performance.now();
	openFeed(rp.lastSeq, delayFor(rp.posMs));
	renderReplay();
	replayStatus();
}

/* restart(): after the end, the whole replay again from an empty list. */
function restart() {
	closeFeed();
	clearAll();
	clearEnded();
	Object.assign(rp, {
		finished: false, paused: false, lastSeq: null, lastMs: null,
		posMs: null, thumbMs: null,
	});
	renderDerived();
	openFeed(null, 0);
	renderReplay();
	replayStatus();
}

function onToggle() {
	if (rp.finished) restart();
	else if (rp.paused) play();
	else pause();
}

function setSpeed(v) {
	if (!(v > 0) || v === rp.speed) return;
	const pos = position();
	rp.speed = v;
	const url = new URL(location.href);
	url.searchParams.set('replay', String(v));
	history.replaceState(history.state, '', url);
	if (playing()) {
		setPosition(pos);
		openFeed(rp.lastSeq, delayFor(pos));
	}
	replayStatus();
}

/* seekTo(t): the page as it was at time t of the log, then the replay
 * goes on from there unless the reader paused it. */
function seekTo(t) {
	if (!rp.loaded || !rp.log.length || !Number.isFinite(t)) return;
	closeFeed();
	let idx = -1;
	while (idx + 1 < rp.log.length && rp.log[idx + 1].ms <= t) idx++;
	clearAll();
	clearEnded();
	for (let i = 0; i <= idx; i++) applyEvent(rp.log[i].ev);
	renderDerived();
	const at = idx >= 0 ? rp.log[idx] : null;
	rp.lastSeq = at ? at.seq : null;
	rp.lastMs = at ? at.ms : null;
	rp.thumbMs = t;
	setPosition(Math.max(t, rp.log[0].ms));
	rp.finished = !!at && at.ev.type === 'ended';
	if (playing()) openFeed(rp.lastSeq, Math.max(SEEK_SETTLE_MS, delayFor(rp.posMs)));
	renderReplay();
	replayStatus();
}

/* Arrow keys on the timeline: to the previous / next event. */
function onTimelineKey(e) {
	const dir = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[e.key];
	if (!dir || e.altKey || e.ctrlKey || e.metaKey || !rp.loaded || !rp.log.length) return;
	e.preventDefault();
	const tl = ui.replayTimeline;
	const v = Number(tl.value);
	let target;
	if (dir > 0) {
		target = rp.log.find((x) => x.ms > v)?.ms ?? Number(tl.max);
	} else {
		target = rp.log[0].ms;
		for (const x of rp.log) {
			if (x.ms >= v) break;
			target = x.ms;
		}
	}
	if (target === v) return;
	tl.value = String(target);
	seekTo(target);
}

function setupReplay() {
	document.body.classList.add('page-replay');
	const sel = ui.replaySpeed;
	if (!SPEEDS.includes(rp.speed)) {
		const opt = new Option(speedText(rp.speed), String(rp.speed));
		const after = [...sel.options].find((o) => Number(o.value) > rp.speed);
		sel.insertBefore(opt, after || null);
	}
	sel.value = String(rp.speed);
	sel.addEventListener('change', () => setSpeed(Number(sel.value)));
	ui.replayToggle.addEventListener('click', onToggle);
	const tl = ui.replayTimeline;
	tl.addEventListener('keydown', onTimelineKey);
	tl.addEventListener('input', () => {
		rp.dragging = true;
		tl.setAttribute('aria-valuetext', clockText(Number(tl.value)));
	});
	tl.addEventListener('change', () => {
		rp.dragging = false;
		seekTo(Number(tl.value));
	});
	/* a drag released where it started fires no change: show the replay
	 * again (after the change a release may fire) */
	const endDrag = () => setTimeout(() => {
		if (!rp.dragging) return;
		rp.dragging = false;
		renderReplay();
	}, 0);
	tl.addEventListener('pointerup', endDrag);
	tl.addEventListener('pointercancel', endDrag);
	tl.addEventListener('blur', endDrag);
	ui.replayBar.hidden = false;
	/* the bar sticks to the top: keep the "new updates" button and
	 * permalink targets clear of it */
	if (typeof ResizeObserver === 'function') {
		new ResizeObserver(() => {
			document.documentElement.style.setProperty('--replay-bar-h',
				`${ui.replayBar.offsetHeight}px`);
		}).observe(ui.replayBar);
	}
	setBadge('REPLAY', 'badge-replay');
	ui.ended.hidden = true;
	renderReplay();
	loadLog();
	openFeed(null, 0);
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

	if (replay) {
		setupReplay();
		/* for tests and debugging: the current feed and the replay state */
		window.liveblogReader = { get feed() { return feed; }, entries, replay: rp };
		return;
	}
	if (ui.main.dataset.state === 'ended') {
		setEnded();
		return;
	}
	if (ui.main.dataset.state === 'live') setBadge('LIVE', 'badge-live');
	feed = new Feed({ blogId, since: cursor, replay, onFrame, onState });
	feed.start();
	/* for tests and debugging: the cursor the page would resume from */
	window.liveblogReader = { feed, entries };
}

main();
