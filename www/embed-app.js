/*
 * embed-app.js — liveblogs inside another site's page (loaded by
 * embed.js). Every <div data-liveblog="ID"> gets a shadow root holding the
 * blog: the host page's styles cannot reach in, embed.css cannot leak out.
 *
 *   - If the div already holds the blog's server-rendered fragment (a CMS
 *     included GET /blogs/{id}/fragment in it), that fragment is moved into
 *     the shadow root as it is and taken over at its data-seq: nothing is
 *     rendered twice. Else the fragment is fetched from this script's
 *     server (?limit=N for a div with data-limit="N").
 *   - Then it is live (feed.js, from data-seq): new entries, edits,
 *     deletions, takedowns, the pinned entry, the key events, the empty and
 *     ended states, "Reconnecting…" while the stream is away, and "N new
 *     updates" when the reader has scrolled past the top of the stream
 *     (what they read does not move). With data-limit="N" only the newest
 *     N entries are shown, above a link to the full page.
 *   - Each change applied fires a `liveblog:update` event on the div
 *     (bubbling): detail {blog, type: entry|edit|delete|ended|redact, seq,
 *     entry (entry, edit) or entry_id (delete, redact)}.
 *
 * The fragment (page_fragment.c), entries in render.js's markup:
 *   <div class="lb-root" data-liveblog-root="" data-blog="{id}"
 *        data-seq="{seq}" data-state="live|ended" data-base="{public url}"
 *        lang="{blog lang}"[ data-limit="{n}"]>
 *     <header class="lb-head"><h2 class="lb-title"><a href="{page}">{title}</a></h2>
 *       <p class="lb-status"><span class="lb-badge lb-badge-live|lb-badge-ended">{state}</span>
 *       <span class="lb-conn" role="status"></span></p></header>
 *     <p class="lb-ended"[ hidden]>{ended}</p>
 *     <section class="lb-pinned" hidden><h3 class="lb-heading">{pinned}</h3>
 *       <div class="lb-pinned-entry"></div></section>
 *     <nav class="lb-keys"[ hidden]><h3 class="lb-heading">{key events}</h3>
 *       <ol class="lb-key-list"><li data-entry-id data-seq><time datetime>{t}</time>
 *       <a href="{permalink}">{label}</a></li>...</ol></nav>
 *     <button class="lb-new" type="button" hidden></button>
 *     <p class="lb-empty"[ hidden]>{empty}</p>
 *     <ol class="entries">{entries, newest first}</ol>
 *     <p class="lb-more"><a href="{page}">{read the full liveblog}</a></p>
 *     <script type="application/ld+json">...</script>
 *     <script type="application/json" id="lb-i18n">{catalog}</script>
 *   </div>
 */
import { compareSeq, entryLabel, localizeTime, renderEntryItem, renderTime } from './render.js';
import { Feed } from './feed.js';
import { makeT, readStrings, timeLocale } from './i18n.js';

/* This script's server (its URL's directory): fragments, styles, streams. */
const SERVER = new URL('.', import.meta.url).href.replace(/\/$/, '');
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const mounted = new WeakSet();

export function start() {
	scan();
	/* divs a page adds later (an infinite scroll, a single-page site) */
	new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
}

function scan() {
	for (const host of document.querySelectorAll('[data-liveblog]'))
		if (!mounted.has(host)) mount(host);
}

/* The fragment a CMS put in host, or one fetched from the server. */
async function fragmentFor(host, id, limit) {
	const given = [...host.children].find((c) => c.matches('[data-liveblog-root]') &&
		c.dataset.blog === id);
	if (given) return given;
	const res = await fetch(`${SERVER}/blogs/${encodeURIComponent(id)}/fragment${limit ? `?limit=${limit}` : ''}`);
	if (!res.ok) throw new Error(`fragment: HTTP ${res.status}`);
	/* our server's HTML: every text in it is escaped; scripts in a
	 * template never run */
	const tpl = document.createElement('template');
	tpl.innerHTML = await res.text();
	const root = tpl.content.querySelector('[data-liveblog-root]');
	if (!root) throw new Error('fragment: no root');
	return root;
}

async function mount(host) {
	mounted.add(host);
	const id = host.dataset.liveblog;
	if (!SLUG.test(id || '')) return;
	const n = Number(host.dataset.limit);
	const limit = Number.isInteger(n) && n > 0 ? Math.min(n, 10000) : 0;
	let root;
	try {
		root = await fragmentFor(host, id, limit);
	} catch (err) {
		console.error(`liveblog ${id}:`, err);
		return;
	}
	const shadow = host.shadowRoot || host.attachShadow({ mode: 'open' });
	const css = document.createElement('link');
	css.rel = 'stylesheet';
	css.href = `${SERVER}/embed.css`;
	shadow.replaceChildren(css, root);   /* moved, not rendered again */
	new Embed(host, root, id, limit).start();
}

class Embed {
	constructor(host, root, id, limit) {
		const $ = (sel) => root.querySelector(sel);
		this.host = host;
		this.root = root;
		this.id = id;
		this.limit = limit;
		this.base = root.dataset.base || SERVER;
		this.lang = root.getAttribute('lang') || 'en';
		this.t = makeT(readStrings(root), this.lang);
		this.opts = { blogId: id, base: this.base, t: this.t, locale: timeLocale(this.lang) };
		this.ui = {
			title: $('.lb-title a'), badge: $('.lb-badge'), conn: $('.lb-conn'),
			ended: $('.lb-ended'), pinned: $('.lb-pinned'), pinnedSlot: $('.lb-pinned-entry'),
			keys: $('.lb-keys'), keyList: $('.lb-key-list'), newBtn: $('.lb-new'),
			empty: $('.lb-empty'), list: $('ol.entries'),
		};
		this.entries = new Map();    /* id → {id, seq, ts, key, pinned, label, item} */
		this.keyExtra = new Map();   /* key events older than what is shown */
		this.pinnedId = null;
		this.unseen = 0;
		this.caughtUp = true;
	}

	start() {
		this.adopt();
		this.derive();
		this.ui.newBtn.addEventListener('click', () => {
			this.unseen = 0;
			this.renderNew();
			this.host.scrollIntoView({ block: 'start' });
		});
		addEventListener('scroll', () => {
			if (this.unseen && !this.below()) {
				this.unseen = 0;
				this.renderNew();
			}
		}, { passive: true });
		if (this.root.dataset.state === 'ended') return;
		this.feed = new Feed({
			blogId: this.id, since: this.root.dataset.seq || null, base: SERVER,
			onFrame: (f) => this.onFrame(f), onState: (s) => this.onState(s),
		});
		this.feed.start();
	}

	/* The server-rendered entries and key events, indexed; times localised. */
	adopt() {
		for (const art of this.ui.list.querySelectorAll('article.entry')) {
			const rec = {
				id: art.dataset.entryId, seq: art.dataset.seq || '', ts: art.dataset.ts || '',
				key: art.hasAttribute('data-key'), pinned: art.hasAttribute('data-pinned'),
				label: entryLabel({
					title: art.querySelector('.entry-title')?.textContent,
					text: art.querySelector('.entry-body')?.textContent,
				}),
				item: art.closest('li') || art,
			};
			this.entries.set(rec.id, rec);
			if (rec.pinned) this.pinnedId = rec.id;
		}
		for (const li of this.ui.keyList.querySelectorAll('li[data-entry-id]')) {
			const a = li.querySelector('a[href]');
			if (a && !this.entries.has(li.dataset.entryId)) {
				this.keyExtra.set(li.dataset.entryId, {
					id: li.dataset.entryId, seq: li.dataset.seq || '', label: a.textContent,
					ts: li.querySelector('time')?.getAttribute('datetime') || '',
				});
			}
		}
		for (const t of this.root.querySelectorAll('time[datetime]')) localizeTime(t, this.opts);
	}

	onState(state) {
		const text = state === 'reconnecting' ? this.t('reconnecting') : '';
		this.ui.conn.textContent = text;
		this.ui.conn.className = `lb-conn${text ? ' is-reconnecting' : ''}`;
	}

	onFrame(frame) {
		switch (frame.type) {
			case 'hello':
				if (frame.blog?.title) this.ui.title.textContent = frame.blog.title;
				if (frame.blog?.state === 'ended') this.setEnded();
				return;
			case 'reset':
				for (const rec of this.entries.values()) rec.item.remove();
				this.entries.clear();
				this.keyExtra.clear();
				this.pinnedId = null;
				this.caughtUp = false;
				return;
			case 'live':
				this.caughtUp = true;
				this.derive();
				return;
			case 'entry': case 'edit': case 'delete': case 'ended': case 'redact':
				break;
			default:
				return;
		}
		/*
		 * The button is sticky, in the flow above the entries: it appears
		 * inside keepInPlace too, so its height is made up for with the
		 * new entry's (not left to the browser's scroll anchoring, which
		 * Safari does not have and Chromium applies a frame later).
		 */
		this.keepInPlace((below) => {
			const added = this.apply(frame);
			if (this.caughtUp) this.derive();
			if (added && below) {
				this.unseen++;
				this.renderNew();
			}
		});
		this.host.dispatchEvent(new CustomEvent('liveblog:update', {
			bubbles: true,
			detail: {
				blog: this.id, type: frame.type, seq: frame.seq ?? null,
				...(frame.entry ? { entry: frame.entry } : {}),
				...(frame.entry_id ? { entry_id: frame.entry_id } : {}),
			},
		}));
	}

	/* One event's change; true when it added an entry. */
	apply(ev) {
		switch (ev.type) {
			case 'entry':
			case 'edit':
				if (ev.entry && this.keyExtra.has(ev.entry.id) && !ev.entry.key)
					this.keyExtra.delete(ev.entry.id);
				return this.upsert(ev.entry, ev.seq);
			case 'delete':
			case 'redact':
				this.remove(ev.entry_id);
				return false;
			case 'ended':
				this.setEnded();
				return false;
			default:
				return false;
		}
	}

	upsert(entry, fallbackSeq) {
		if (!entry?.id) return false;
		if (entry.deleted || entry.redacted) {
			this.remove(entry.id);
			return false;
		}
		const e = { ...entry, seq: entry.seq || fallbackSeq };
		const item = renderEntryItem(e, this.opts);
		const prev = this.entries.get(e.id);
		if (prev) prev.item.replaceWith(item);   /* a detached (trimmed) one stays out */
		else this.insert(item, e.seq);
		this.entries.set(e.id, {
			id: e.id, seq: e.seq, ts: e.ts, key: !!e.key, pinned: !!e.pinned,
			label: entryLabel(e), item,
		});
		if (e.pinned) {
			const old = this.pinnedId && this.entries.get(this.pinnedId);
			if (old && old.id !== e.id) old.pinned = false;
			this.pinnedId = e.id;
		} else if (this.pinnedId === e.id) {
			this.pinnedId = null;
		}
		return !prev;
	}

	insert(item, seq) {
		for (const li of this.ui.list.children) {
			const art = li.querySelector('article.entry');
			if (art && compareSeq(art.dataset.seq, seq) < 0) {
				this.ui.list.insertBefore(item, li);
				return;
			}
		}
		this.ui.list.appendChild(item);
	}

	remove(id) {
		const rec = this.entries.get(id);
		this.keyExtra.delete(id);
		if (!rec) return;
		rec.item.remove();
		this.entries.delete(id);
		if (this.pinnedId === id) this.pinnedId = null;
	}

	setEnded() {
		this.ui.badge.textContent = this.t('ended_badge');
		this.ui.badge.className = 'lb-badge lb-badge-ended';
		this.ui.ended.hidden = false;
		this.onState('ended');
	}

	/* The pinned copy, the key events, the teaser's cut, the empty text. */
	derive() {
		const { ui } = this;
		const pinned = this.pinnedId && this.entries.get(this.pinnedId);
		if (pinned) {
			const copy = pinned.item.querySelector('article').cloneNode(true);
			copy.removeAttribute('id');
			ui.pinnedSlot.replaceChildren(copy);
		} else {
			ui.pinnedSlot.replaceChildren();
		}
		ui.pinned.hidden = !pinned || !!this.limit;
		const keys = [...this.entries.values()].filter((r) => r.key)
			.concat([...this.keyExtra.values()].filter((r) => !this.entries.has(r.id)))
			.sort((a, b) => compareSeq(b.seq, a.seq));
		ui.keyList.replaceChildren(...keys.map((r) => {
			const li = document.createElement('li');
			if (r.ts) li.appendChild(renderTime(r.ts, document, this.opts));
			const a = document.createElement('a');
			a.href = `${this.base}/blogs/${encodeURIComponent(this.id)}/entries/${encodeURIComponent(r.id)}`;
			a.textContent = r.label || this.t('update');
			li.appendChild(a);
			return li;
		}));
		ui.keys.hidden = keys.length === 0 || !!this.limit;
		if (this.limit)
			while (ui.list.children.length > this.limit) ui.list.lastElementChild.remove();
		ui.empty.hidden = ui.list.children.length > 0;
	}

	/* The reader has scrolled past the top of this blog's stream. */
	below() {
		return this.ui.list.getBoundingClientRect().top < 0;
	}

	/*
	 * Runs fn(below); when the reader is below the top of the stream, keeps
	 * the first visible entry in place.
	 */
	keepInPlace(fn) {
		if (!this.below()) {
			fn(false);
			return false;
		}
		const first = [...this.ui.list.children].find((li) => li.getBoundingClientRect().bottom > 0);
		const top = first?.getBoundingClientRect().top;
		fn(true);
		if (first?.isConnected) {
			const delta = first.getBoundingClientRect().top - top;
			if (delta) scrollBy({ top: delta, behavior: 'instant' });
		}
		return true;
	}

	renderNew() {
		this.ui.newBtn.hidden = this.unseen === 0;
		this.ui.newBtn.textContent = `↑ ${this.t('new_updates', { n: this.unseen })}`;
	}
}
