/*
 * index.js — the blogs list at /: live blogs first, then ended ones, each
 * group by last update, newest first; each with its state and last update.
 *
 * The blog object has no "last update" field, so it is, in order of
 * preference: ended_at for an ended blog; updated_at or last_seq if the
 * server provides them; else the time of the last event in /events (a
 * Redis Stream id starts with its creation time in ms); else created_at.
 */
import { renderTime, seqTime } from '/render.js';

const list = document.getElementById('blogs');
const status = document.getElementById('status');
const MAX_EVENT_PAGES = 20;

async function getJSON(path) {
	const res = await fetch(path, { headers: { Accept: 'application/json' } });
	let body = null;
	try {
		body = await res.json();
	} catch {
		/* not JSON: reported below */
	}
	if (!res.ok) throw new Error((body && body.message) || `HTTP ${res.status}`);
	return body;
}

/* lastEventSeq(id): the seq of the blog's last event, paging /events. */
async function lastEventSeq(id) {
	let since = '';
	let last = null;
	for (let i = 0; i < MAX_EVENT_PAGES; i++) {
		const q = since ? `?since=${encodeURIComponent(since)}` : '';
		const page = await getJSON(`/api/blogs/${encodeURIComponent(id)}/events${q}`);
		const events = (page && page.events) || [];
		if (events.length === 0) break;
		last = events[events.length - 1].seq;
		if (!page.next || page.next === since) break;
		since = page.next;
	}
	return last;
}

async function lastUpdate(blog) {
	if (blog.state === 'ended' && blog.ended_at) return blog.ended_at;
	if (blog.updated_at) return blog.updated_at;
	if (blog.last_seq) return seqTime(blog.last_seq)?.toISOString() ?? blog.created_at;
	if (!blog.entry_count) return blog.created_at;
	try {
		const seq = await lastEventSeq(blog.id);
		return (seq && seqTime(seq)?.toISOString()) || blog.created_at;
	} catch {
		return blog.created_at;
	}
}

function el(tag, className, text) {
	const node = document.createElement(tag);
	if (className) node.className = className;
	if (text !== undefined) node.textContent = text;
	return node;
}

function renderBlog(blog, updated) {
	const li = el('li');
	const card = el('article', 'blog-card');
	const h2 = el('h2');
	const a = el('a', '', blog.title || blog.id);
	a.href = `/blogs/${encodeURIComponent(blog.id)}`;
	h2.appendChild(a);
	card.appendChild(h2);

	const meta = el('p', 'blog-meta');
	const live = blog.state === 'live';
	const badge = el('span', `badge ${live ? 'badge-live' : 'badge-ended'}`, live ? 'LIVE' : 'ENDED');
	meta.appendChild(badge);
	const n = blog.entry_count || 0;
	meta.appendChild(el('span', '', n === 1 ? '1 update' : `${n} updates`));
	if (updated) {
		const when = el('span', '', !live ? 'ended ' : n ? 'last update ' : 'created ');
		when.appendChild(renderTime(updated));
		meta.appendChild(when);
	}
	card.appendChild(meta);
	li.appendChild(card);
	return li;
}

function byLiveThenRecent(a, b) {
	const live = (b.blog.state === 'live') - (a.blog.state === 'live');
	if (live) return live;
	return String(b.updated || '').localeCompare(String(a.updated || ''));
}

async function main() {
	let blogs;
	try {
		blogs = (await getJSON('/api/blogs')).blogs || [];
	} catch (err) {
		status.textContent = `Could not load the liveblogs: ${err.message}`;
		status.classList.add('alert');
		return;
	}
	if (blogs.length === 0) {
		status.textContent = 'No liveblogs yet.';
		return;
	}
	status.textContent = '';
	status.hidden = true;
	/* First paint in API order, live first; then again with update times. */
	const rows = blogs.map((blog) => ({ blog, updated: blog.updated_at || null }));
	list.replaceChildren(...rows.slice().sort(byLiveThenRecent).map((r) => renderBlog(r.blog, r.updated)));
	for (let i = 0; i < rows.length; i += 6) {
		await Promise.all(rows.slice(i, i + 6).map(async (r) => { r.updated = await lastUpdate(r.blog); }));
	}
	list.replaceChildren(...rows.sort(byLiveThenRecent).map((r) => renderBlog(r.blog, r.updated)));
}

main();
