/*
 * edit.js — the minimal editor page /blogs/{id}/edit.
 *
 * The editor token lives in localStorage only (key "liveblog.token.{id}")
 * and is sent only as "Authorization: Bearer" to this server's API. The
 * list of entries follows the blog's event stream (feed.js), so several
 * editors see each other's changes; the answer of each write is applied
 * at once too. API errors show their "message".
 */
import { compareSeq, renderEntry } from '/render.js';
import { Feed } from '/feed.js';

const $ = (id) => document.getElementById(id);
const blogId = decodeURIComponent(location.pathname.split('/')[2] || '');
const blogPath = `/api/blogs/${encodeURIComponent(blogId)}`;
const TOKEN_KEY = `liveblog.token.${blogId}`;
const AUTHOR_KEY = 'liveblog.author';

const ui = {
	title: $('blog-title'),
	badge: $('state-badge'),
	readerLink: $('reader-link'),
	status: $('conn-status'),
	error: $('error'),
	ended: $('ended-banner'),
	token: $('token'),
	forget: $('forget-token'),
	form: $('post-form'),
	postTitle: $('post-title'),
	postAuthor: $('post-author'),
	postText: $('post-text'),
	postKey: $('post-key'),
	postPinned: $('post-pinned'),
	postSubmit: $('post-submit'),
	postNotice: $('post-notice'),
	list: $('edit-list'),
	empty: $('empty'),
	endPanel: $('end-panel'),
	endButton: $('end-button'),
	dialog: $('confirm'),
	dialogTitle: $('confirm-title'),
	dialogText: $('confirm-text'),
	dialogOk: $('confirm-ok'),
};

/* id → {entry, li, view, actions, form} */
const rows = new Map();
let ended = false;

/* ---- storage (may throw in private modes: the page works without) ---- */

function load(key) {
	try {
		return localStorage.getItem(key) || '';
	} catch {
		return '';
	}
}

function store(key, value) {
	try {
		if (value) localStorage.setItem(key, value);
		else localStorage.removeItem(key);
	} catch {
		/* not persisted */
	}
}

/* ---- API ---- */

function uuid() {
	if (crypto.randomUUID) return crypto.randomUUID();
	const b = crypto.getRandomValues(new Uint8Array(16));
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/* call(method, path, body, {retry}): the parsed JSON answer of a 2xx, else
 * throws an Error whose message is the API's "message". With retry, a
 * request that got no answer is sent once more (writes carry an entry id,
 * so the server applies them at most once). */
async function call(method, path, body, { retry = false } = {}) {
	const token = ui.token.value.trim();
	if (!token && method !== 'GET') {
		ui.token.focus();
		throw new Error('Enter the editor token first.');
	}
	const init = {
		method,
		headers: { Accept: 'application/json' },
		cache: 'no-store',
	};
	if (token) init.headers.Authorization = `Bearer ${token}`;
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch(path, init);
	} catch {
		if (!retry) throw new Error('Could not reach the server. Check the connection and try again.');
		await new Promise((r) => setTimeout(r, 1000));
		return call(method, path, body, { retry: false });
	}
	let json = null;
	try {
		json = await res.json();
	} catch {
		/* no JSON body */
	}
	if (!res.ok) {
		const err = new Error((json && json.message) || `The server answered ${res.status}.`);
		err.status = res.status;
		err.code = json && json.error;
		throw err;
	}
	return json;
}

function showError(err) {
	ui.error.textContent = err ? err.message : '';
	ui.error.hidden = !err;
	if (err && err.code === 'ended') setEnded();
}

/* run(button, fn): disables button while fn runs; errors go to the banner. */
async function run(button, fn) {
	if (button) button.disabled = true;
	try {
		await fn();
		showError(null);
		return true;
	} catch (err) {
		showError(err);
		return false;
	} finally {
		if (button) button.disabled = ended;
	}
}

/* ---- confirmation dialog ---- */

function confirmAction(title, text, okLabel) {
	ui.dialogTitle.textContent = title;
	ui.dialogText.textContent = text;
	ui.dialogOk.textContent = okLabel;
	ui.dialog.returnValue = '';
	ui.dialog.showModal();
	return new Promise((resolve) => {
		ui.dialog.addEventListener('close', () => resolve(ui.dialog.returnValue === 'ok'), { once: true });
	});
}

/* ---- list ---- */

function button(label, cls, onClick) {
	const b = document.createElement('button');
	b.type = 'button';
	b.className = `btn ${cls}`.trim();
	b.textContent = label;
	b.addEventListener('click', onClick);
	return b;
}

function field(labelText, input) {
	const wrap = document.createElement('div');
	wrap.className = 'field';
	const label = document.createElement('label');
	label.textContent = labelText;
	input.id = `f-${uuid()}`;
	label.htmlFor = input.id;
	wrap.append(label, input);
	return wrap;
}

function openEditForm(row) {
	if (row.form) {
		row.form.querySelector('textarea').focus();
		return;
	}
	const form = document.createElement('form');
	form.className = 'edit-form';
	const title = document.createElement('input');
	title.type = 'text';
	title.name = 'title';
	title.maxLength = 300;
	title.value = row.entry.title || '';
	const text = document.createElement('textarea');
	text.name = 'text';
	text.required = true;
	text.value = row.entry.text || '';
	const key = document.createElement('input');
	key.type = 'checkbox';
	key.name = 'key';
	key.checked = !!row.entry.key;
	const keyLabel = document.createElement('label');
	keyLabel.append(key, ' Key event');
	const checks = document.createElement('div');
	checks.className = 'checks';
	checks.append(keyLabel);
	const save = document.createElement('button');
	save.type = 'submit';
	save.className = 'btn btn-primary';
	save.textContent = 'Save changes';
	const cancel = button('Cancel', '', () => closeEditForm(row));
	const actions = document.createElement('div');
	actions.className = 'row';
	actions.append(save, cancel);
	form.append(field('Headline', title), field('Text', text), checks, actions);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const ok = await run(save, async () => {
			const entry = await call('PATCH', `${blogPath}/entries/${encodeURIComponent(row.entry.id)}`,
				{ title: title.value.trim(), text: text.value, key: key.checked });
			apply(entry);
		});
		if (ok) closeEditForm(row);
	});
	form.addEventListener('keydown', (ev) => {
		if (ev.key === 'Escape') closeEditForm(row);
	});
	row.form = form;
	row.li.appendChild(form);
	text.focus();
}

function closeEditForm(row) {
	if (!row.form) return;
	row.form.remove();
	row.form = null;
	row.editButton.focus();
}

function renderRow(row) {
	const view = renderEntry(row.entry, { blogId });
	view.removeAttribute('id');
	view.removeAttribute('tabindex');
	if (row.entry.pinned) {
		const badge = document.createElement('span');
		badge.className = 'pinned-badge';
		badge.textContent = 'Pinned';
		view.querySelector('.entry-meta').appendChild(badge);
	}
	row.view.replaceWith(view);
	row.view = view;
	row.pinButton.textContent = row.entry.pinned ? 'Unpin' : 'Pin';
	row.pinButton.setAttribute('aria-pressed', row.entry.pinned ? 'true' : 'false');
}

function newRow(entry) {
	const li = document.createElement('li');
	li.dataset.entryId = entry.id;
	const row = { entry, li, view: document.createElement('div'), form: null };
	row.editButton = button('Edit', '', () => openEditForm(row));
	row.pinButton = button('Pin', '', () => run(row.pinButton, async () => {
		const updated = await call('PATCH', `${blogPath}/entries/${encodeURIComponent(entry.id)}`,
			{ pinned: !row.entry.pinned });
		apply(updated);
	}));
	row.deleteButton = button('Delete', 'btn-danger', async () => {
		const label = row.entry.title ? `“${row.entry.title}”` : 'this update';
		if (!await confirmAction('Delete this update?', `Readers will no longer see ${label}.`, 'Delete')) return;
		await run(row.deleteButton, async () => {
			await call('DELETE', `${blogPath}/entries/${encodeURIComponent(entry.id)}`);
			removeRow(entry.id);
		});
	});
	const actions = document.createElement('div');
	actions.className = 'row edit-actions';
	actions.append(row.editButton, row.pinButton, row.deleteButton);
	li.append(row.view, actions);
	row.actions = actions;
	return row;
}

/* apply(entry): shows entry (new or changed); an older revision than the
 * one shown is ignored; pinning it unpins the previously pinned one. */
function apply(entry) {
	if (!entry || !entry.id) return;
	if (entry.deleted) {
		removeRow(entry.id);
		return;
	}
	let row = rows.get(entry.id);
	if (row && (entry.revision || 1) < (row.entry.revision || 1)) return;
	if (entry.pinned) {
		for (const other of rows.values()) {
			if (other !== row && other.entry.pinned) {
				other.entry = { ...other.entry, pinned: false };
				renderRow(other);
			}
		}
	}
	if (row) {
		row.entry = entry;
	} else {
		row = newRow(entry);
		rows.set(entry.id, row);
		insertRow(row);
	}
	renderRow(row);
	setDisabled();
	ui.empty.hidden = rows.size > 0;
}

function insertRow(row) {
	for (const other of ui.list.children) {
		const o = rows.get(other.dataset.entryId);
		if (o && compareSeq(o.entry.seq, row.entry.seq) < 0) {
			ui.list.insertBefore(row.li, other);
			return;
		}
	}
	ui.list.appendChild(row.li);
}

function removeRow(id) {
	const row = rows.get(id);
	if (!row) return;
	row.li.remove();
	rows.delete(id);
	ui.empty.hidden = rows.size > 0;
}

/* ---- state ---- */

function setBadge(state) {
	ui.badge.textContent = state === 'ended' ? 'ENDED' : 'LIVE';
	ui.badge.className = `badge ${state === 'ended' ? 'badge-ended' : 'badge-live'}`;
	ui.badge.hidden = false;
}

function setDisabled() {
	for (const el of ui.form.elements) el.disabled = ended;
	ui.endButton.disabled = ended;
	for (const row of rows.values())
		for (const b of row.actions.querySelectorAll('button')) b.disabled = ended;
}

function setEnded() {
	ended = true;
	setBadge('ended');
	ui.ended.hidden = false;
	ui.endPanel.hidden = true;
	for (const row of rows.values()) {
		if (row.form) row.form.remove();
		row.form = null;
	}
	setDisabled();
}

function applyBlog(blog) {
	if (!blog) return;
	ui.title.textContent = `Edit: ${blog.title || blog.id}`;
	document.title = `Edit: ${blog.title || blog.id}`;
	if (blog.state === 'ended') setEnded();
	else setBadge('live');
}

function onFrame(frame) {
	switch (frame.type) {
		case 'hello':
			applyBlog(frame.blog);
			break;
		case 'reset':
			for (const id of [...rows.keys()]) removeRow(id);
			break;
		case 'entry':
		case 'edit':
			apply(frame.entry.seq ? frame.entry : { ...frame.entry, seq: frame.seq });
			break;
		case 'delete':
			removeRow(frame.entry_id);
			break;
		case 'ended':
			setEnded();
			break;
		case 'live':
			ui.empty.hidden = rows.size > 0;
			break;
		default:
			break;
	}
}

function onState(state) {
	const text = state === 'reconnecting' ? 'Reconnecting…' : state === 'connecting' ? 'Connecting…' : '';
	ui.status.textContent = text;
	ui.status.className = `conn-status${state === 'reconnecting' ? ' is-reconnecting' : ''}`;
}

/* ---- actions ---- */

async function onPost(ev) {
	ev.preventDefault();
	ui.postNotice.textContent = '';
	const text = ui.postText.value;
	if (!text.trim()) {
		showError(new Error('Write the text of the update first.'));
		ui.postText.focus();
		return;
	}
	const body = { id: uuid(), text, key: ui.postKey.checked, pinned: ui.postPinned.checked };
	const title = ui.postTitle.value.trim();
	const author = ui.postAuthor.value.trim();
	if (title) body.title = title;
	if (author) body.author = author;
	store(AUTHOR_KEY, author);
	const ok = await run(ui.postSubmit, async () => {
		apply(await call('POST', `${blogPath}/entries`, body, { retry: true }));
	});
	if (ok) {
		ui.postTitle.value = '';
		ui.postText.value = '';
		ui.postKey.checked = false;
		ui.postPinned.checked = false;
		ui.postNotice.textContent = 'Posted.';
		ui.postText.focus();
	}
}

async function onEnd() {
	if (!await confirmAction('End this liveblog?',
		'Ending is final: the liveblog is frozen and can never be updated again.', 'End liveblog')) return;
	await run(ui.endButton, async () => {
		applyBlog(await call('POST', `${blogPath}/end`, {}));
	});
}

async function main() {
	ui.readerLink.href = `/blogs/${encodeURIComponent(blogId)}`;
	ui.token.value = load(TOKEN_KEY);
	ui.postAuthor.value = load(AUTHOR_KEY);
	ui.token.addEventListener('input', () => store(TOKEN_KEY, ui.token.value.trim()));
	ui.forget.addEventListener('click', () => {
		ui.token.value = '';
		store(TOKEN_KEY, '');
		ui.token.focus();
	});
	ui.form.addEventListener('submit', onPost);
	ui.endButton.addEventListener('click', onEnd);

	try {
		applyBlog(await call('GET', blogPath));
	} catch (err) {
		showError(err.status === 404 ? new Error(`There is no liveblog “${blogId}”.`) : err);
		if (err.status === 404) return;
	}
	ui.empty.hidden = true;
	new Feed({ blogId, onFrame, onState }).start();
}

main();
