/*
 * feed.js — one blog's event stream over WebSocket (subprotocol
 * liveblog.v1), shared by the reader and the editor pages.
 *
 * The feed owns the resume cursor: it hands each frame to onFrame, then
 * advances lastSeq past every event (entry/edit/delete/ended) it delivered.
 * An event whose seq is not greater than lastSeq is dropped, so a resume
 * never delivers a duplicate. On {"type":"reset"} the cursor is cleared and
 * the whole log follows. On any unexpected close it reconnects with
 * exponential backoff and full jitter, resuming with ?since=lastSeq; it
 * stops for good once the blog has ended (close 1000 after "ended", or a
 * close 1000 right after the hello of an ended blog: resumed at its end).
 *
 * With replay (a speed such as "10") the server paces the stored events
 * after since at their original gaps divided by the speed; the reader
 * page pauses, seeks and changes speed by stopping the feed and starting a
 * new one from its own cursor. After stop() the feed delivers nothing more.
 *
 * onState(state, info) reports: "connecting", "open" (hello received),
 * "live" (caught up), "reconnecting" ({delay, attempt, code}), "ended",
 * "stopped".
 */
import { compareSeq } from './render.js';

const EVENT_TYPES = new Set(['entry', 'edit', 'delete', 'ended']);
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30000;
const OPEN_TIMEOUT_MS = 10000;

/* feedUrl(loc, blogId, since, replay, prefix): the ws:// or wss:// URL of
 * the feed on loc's host (prefix: the server's path under it, "" at /). */
export function feedUrl(loc, blogId, since, replay, prefix = '') {
	const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
	const params = new URLSearchParams();
	if (since) params.set('since', since);
	if (replay) params.set('replay', replay);
	const query = params.toString();
	return `${scheme}//${loc.host}${prefix}/ws/blogs/${encodeURIComponent(blogId)}${query ? '?' + query : ''}`;
}

/* backoffDelay(attempt): ms to wait before reconnect number attempt (0,
 * 1, ...): a random time between half and all of min(cap, base * 2^n). */
export function backoffDelay(attempt, random = Math.random) {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16));
	return Math.round(ceiling / 2 + random() * ceiling / 2);
}

export class Feed {
	/* base: the server's URL when it is not the page's own (an embed) */
	constructor({ blogId, since = null, replay = null, base = null, onFrame, onState = () => {} }) {
		this.blogId = blogId;
		this.base = base ? new URL(base) : null;
		this.lastSeq = since || null;
		this.replay = replay;
		this.onFrame = onFrame;
		this.onState = onState;
		this.ws = null;
		this.attempt = 0;
		this.timer = 0;
		this.openTimer = 0;
		this.ended = false;
		this.stopped = false;
		this.wake = () => {
			if (this.timer && !document.hidden && navigator.onLine !== false) {
				clearTimeout(this.timer);
				this.timer = 0;
				this.connect();
			}
		};
	}

	start() {
		addEventListener('online', this.wake);
		document.addEventListener('visibilitychange', this.wake);
		this.connect();
	}

	stop() {
		this.stopped = true;
		clearTimeout(this.timer);
		clearTimeout(this.openTimer);
		removeEventListener('online', this.wake);
		document.removeEventListener('visibilitychange', this.wake);
		if (this.ws) this.ws.close(1000);
		this.onState('stopped');
	}

	connect() {
		if (this.stopped) return;
		this.onState(this.attempt ? 'reconnecting' : 'connecting', { attempt: this.attempt });
		let ws;
		try {
			const prefix = this.base ? this.base.pathname.replace(/\/$/, '') : '';
			ws = new WebSocket(feedUrl(this.base || location, this.blogId, this.lastSeq,
				this.replay, prefix), 'liveblog.v1');
		} catch (err) {
			this.retry(0);
			return;
		}
		this.ws = ws;
		this.helloEnded = false;
		this.openTimer = setTimeout(() => ws.close(), OPEN_TIMEOUT_MS);
		ws.onopen = () => clearTimeout(this.openTimer);
		ws.onmessage = (msg) => this.receive(msg.data);
		ws.onclose = (ev) => {
			clearTimeout(this.openTimer);
			if (this.ws !== ws) return;
			this.ws = null;
			if (this.stopped) return;
			if (this.ended || (this.helloEnded && ev.code === 1000)) {
				this.ended = true;
				this.onState('ended');
				return;
			}
			this.retry(ev.code);
		};
	}

	retry(code) {
		const delay = backoffDelay(this.attempt++);
		this.onState('reconnecting', { delay, attempt: this.attempt, code });
		this.timer = setTimeout(() => {
			this.timer = 0;
			this.connect();
		}, delay);
	}

	receive(data) {
		if (this.stopped) return;
		let frame;
		try {
			frame = JSON.parse(data);
		} catch {
			return;
		}
		if (!frame || typeof frame.type !== 'string') return;
		if (EVENT_TYPES.has(frame.type)) {
			if (this.lastSeq && compareSeq(frame.seq, this.lastSeq) <= 0) return;
			this.onFrame(frame);
			if (frame.seq) this.lastSeq = frame.seq;
			if (frame.type === 'ended') this.ended = true;
			return;
		}
		switch (frame.type) {
			case 'hello':
				this.helloEnded = !!(frame.blog && frame.blog.state === 'ended');
				this.onFrame(frame);
				this.onState('open');
				break;
			case 'reset':
				this.lastSeq = null;
				this.onFrame(frame);
				break;
			case 'live':
				this.attempt = 0;
				this.onFrame(frame);
				this.onState('live');
				break;
			default:
				this.onFrame(frame);
		}
	}
}
