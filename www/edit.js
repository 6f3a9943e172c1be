/*
 * edit.js — the minimal editor page /blogs/{id}/edit.
 *
 * The editor token lives in localStorage only (key "liveblog.token.{id}")
 * and is sent only as "Authorization: Bearer" to this server's API. The
 * list of entries follows the blog's event stream (feed.js), so several
 * editors see each other's changes; the answer of each write is applied
 * at once too. API errors show their "message".
 *
 * Pictures: a picker (file chooser or drag and drop) uploads each chosen
 * file at once (POST /api/blogs/{id}/media, the file as the body) and
 * shows its preview (a data: URL: the page's CSP allows no blob:) with
 * alt text (required), caption and credit fields; an update is not posted
 * while a picture has no alt text or is still uploading.
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

/* withFocus(fn): fn's result; an Error it throws with .focus focuses that field. */
function withFocus(fn) {
	try {
		return fn();
	} catch (err) {
		if (err.focus) err.focus.focus();
		throw err;
	}
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

/* ---- pictures ---- */

const MAX_PICTURES = 4;
const PICTURE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

function readAsDataURL(file) {
	return new Promise((resolve, reject) => {
		const r = new FileReader();
		r.onload = () => resolve(r.result);
		r.onerror = () => reject(r.error);
		r.readAsDataURL(file);
	});
}

/* uploadPicture(file): the server's picture {id,type,width,height,...};
 * throws an Error with the API's message. */
async function uploadPicture(file) {
	const token = ui.token.value.trim();
	if (!token) {
		ui.token.focus();
		throw new Error('Enter the editor token first.');
	}
	let res;
	try {
		res = await fetch(`${blogPath}/media`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': file.type, Accept: 'application/json' },
			body: file,
			cache: 'no-store',
		});
	} catch {
		throw new Error('Could not reach the server to upload the picture.');
	}
	let json = null;
	try {
		json = await res.json();
	} catch {
		/* no JSON body */
	}
	if (!res.ok) throw new Error((json && json.message) || `The server answered ${res.status}.`);
	return json;
}

function textInput(name, maxLength) {
	const input = document.createElement('input');
	input.type = 'text';
	input.name = name;
	input.maxLength = maxLength;
	return input;
}

/*
 * A list of pictures for one entry: the pictures it has (initial, wire
 * items) and those added by the file chooser or a drop, each uploaded at
 * once. media() gives the entry's "media" or throws an Error whose .focus
 * is the field to fix.
 */
class Pictures {
	constructor(root, initial = []) {
		this.items = [];
		this.initial = JSON.stringify(initial.map((m) => ({ id: m.id, alt: m.alt, caption: m.caption, credit: m.credit })));
		this.input = document.createElement('input');
		this.input.type = 'file';
		this.input.accept = PICTURE_TYPES.join(',');
		this.input.multiple = true;
		this.input.hidden = true;
		this.input.addEventListener('change', () => {
			this.add([...this.input.files]);
			this.input.value = '';
		});
		this.drop = document.createElement('div');
		this.drop.className = 'dropzone';
		const choose = button('Add pictures…', '', () => this.input.click());
		const hint = document.createElement('span');
		hint.className = 'hint';
		hint.textContent = ' or drop them here';
		this.drop.append(choose, hint, this.input);
		for (const type of ['dragenter', 'dragover'])
			this.drop.addEventListener(type, (ev) => {
				ev.preventDefault();
				this.drop.classList.add('is-over');
			});
		this.drop.addEventListener('dragleave', () => this.drop.classList.remove('is-over'));
		this.drop.addEventListener('drop', (ev) => {
			ev.preventDefault();
			this.drop.classList.remove('is-over');
			this.add([...(ev.dataTransfer?.files || [])]);
		});
		this.list = document.createElement('ol');
		this.list.className = 'picture-list';
		root.append(this.drop, this.list);
		for (const m of initial) this.addItem({ picture: m, preview: `/media/${encodeURIComponent(m.id)}`, values: m });
	}

	/* add(files): one item per file, uploaded at once (at most MAX_PICTURES). */
	add(files) {
		for (const file of files) {
			if (this.items.length >= MAX_PICTURES) {
				showError(new Error(`An update holds at most ${MAX_PICTURES} pictures.`));
				return;
			}
			if (!PICTURE_TYPES.includes(file.type)) {
				showError(new Error(`${file.name} is not a JPEG, PNG, WebP or GIF picture.`));
				continue;
			}
			const item = this.addItem({ values: {} });
			item.status.textContent = 'Uploading…';
			readAsDataURL(file).then((url) => { item.img.src = url; }).catch(() => {});
			item.pending = uploadPicture(file).then((picture) => {
				item.picture = picture;
				item.status.textContent = `${picture.width} × ${picture.height}`;
				item.img.width = picture.width;
				item.img.height = picture.height;
			}).catch((err) => {
				item.error = err;
				item.alt.required = false;   /* it goes: the post says so */
				item.status.textContent = err.message;
				item.li.classList.add('is-failed');
			}).finally(() => { item.pending = null; });
		}
	}

	addItem({ picture = null, preview = '', values }) {
		const li = document.createElement('li');
		li.className = 'picture-item';
		const img = document.createElement('img');
		img.className = 'picture-preview';
		img.alt = '';
		if (preview) img.src = preview;
		if (picture) {
			img.width = picture.width;
			img.height = picture.height;
		}
		const alt = textInput('alt', 300);
		alt.required = true;
		alt.value = values.alt || '';
		const caption = textInput('caption', 1000);
		caption.value = values.caption || '';
		const credit = textInput('credit', 300);
		credit.value = values.credit || '';
		const status = document.createElement('span');
		status.className = 'picture-status';
		status.setAttribute('role', 'status');
		if (picture) status.textContent = `${picture.width} × ${picture.height}`;
		const item = { li, img, alt, caption, credit, status, picture, pending: null, error: null };
		const remove = button('Remove', '', () => {
			li.remove();
			this.items = this.items.filter((x) => x !== item);
		});
		const fields = document.createElement('div');
		fields.className = 'picture-fields';
		fields.append(field('Alt text (required)', alt), field('Caption', caption), field('Credit', credit));
		li.append(img, fields, status, remove);
		this.list.appendChild(li);
		this.items.push(item);
		return item;
	}

	/* media(): the entry's "media", or throws when one is not ready. */
	media() {
		const fail = (message, focus) => {
			const err = new Error(message);
			err.focus = focus;
			throw err;
		};
		return this.items.map((item) => {
			if (item.pending) fail('Wait until every picture is uploaded.', item.alt);
			if (!item.picture) fail('Remove the picture that could not be uploaded.', item.alt);
			if (!item.alt.value.trim()) fail('Describe each picture in its alt text: it is required.', item.alt);
			const m = { id: item.picture.id, alt: item.alt.value.trim() };
			if (item.caption.value.trim()) m.caption = item.caption.value.trim();
			if (item.credit.value.trim()) m.credit = item.credit.value.trim();
			return m;
		});
	}

	/* changed(): whether media() differs from the pictures it started with. */
	changed() {
		try {
			return JSON.stringify(this.media()) !== this.initial;
		} catch {
			return true;
		}
	}

	clear() {
		for (const item of this.items) item.li.remove();
		this.items = [];
	}
}

let postPictures = null;

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
	const pics = document.createElement('fieldset');
	pics.className = 'field pictures';
	const legend = document.createElement('legend');
	legend.className = 'label';
	legend.textContent = 'Pictures';
	pics.appendChild(legend);
	const pictures = new Pictures(pics, row.entry.media || []);
	const save = document.createElement('button');
	save.type = 'submit';
	save.className = 'btn btn-primary';
	save.textContent = 'Save changes';
	const cancel = button('Cancel', '', () => closeEditForm(row));
	const actions = document.createElement('div');
	actions.className = 'row';
	actions.append(save, cancel);
	form.append(field('Headline', title), field('Text', text), pics, checks, actions);
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const ok = await run(save, async () => {
			const body = { title: title.value.trim(), text: text.value, key: key.checked };
			if (pictures.changed()) body.media = withFocus(() => pictures.media());
			const entry = await call('PATCH', `${blogPath}/entries/${encodeURIComponent(row.entry.id)}`, body);
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
	let media;
	try {
		media = withFocus(() => postPictures.media());
	} catch (err) {
		showError(err);
		return;
	}
	const body = { id: uuid(), text, key: ui.postKey.checked, pinned: ui.postPinned.checked };
	const title = ui.postTitle.value.trim();
	const author = ui.postAuthor.value.trim();
	if (title) body.title = title;
	if (author) body.author = author;
	if (media.length) body.media = media;
	store(AUTHOR_KEY, author);
	const ok = await run(ui.postSubmit, async () => {
		apply(await call('POST', `${blogPath}/entries`, body, { retry: true }));
	});
	if (ok) {
		ui.postTitle.value = '';
		ui.postText.value = '';
		ui.postKey.checked = false;
		ui.postPinned.checked = false;
		postPictures.clear();
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
	postPictures = new Pictures($('post-pictures'));
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
