// Entries: post, idempotent retries, edit, pin, delete, auth (SPEC: Objects,
// Rules 1 and 5, Wire format, HTTP API).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, seqCmp,
	assertErrorBody, RFC3339_MS, SEQ_RE, UUID_RE,
} from './harness.mjs';

const ENTRY_KEYS = ['author', 'id', 'key', 'pinned', 'revision', 'seq', 'text', 'title', 'ts'];

function assertEntryShape(e, { edited = false } = {}) {
	const keys = edited ? [...ENTRY_KEYS, 'edited_ts'].sort() : ENTRY_KEYS;
	assert.deepEqual(Object.keys(e).sort(), keys, `entry keys: ${JSON.stringify(e)}`);
	assert.match(e.id, UUID_RE);
	assert.match(e.seq, SEQ_RE);
	assert.match(e.ts, RFC3339_MS);
	assert.equal(typeof e.author, 'string');
	assert.equal(typeof e.title, 'string');
	assert.equal(typeof e.text, 'string');
	assert.equal(typeof e.key, 'boolean');
	assert.equal(typeof e.pinned, 'boolean');
	assert.ok(Number.isInteger(e.revision) && e.revision >= 1);
	if (edited)
		assert.match(e.edited_ts, RFC3339_MS);
}

const entriesPath = (b) => `/api/blogs/${b.id}/entries`;
const entryPath = (b, e) => `/api/blogs/${b.id}/entries/${typeof e === 'string' ? e : e.id}`;

describe('entries', { timeout: 90000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('POST entry → 201 with the exact entry shape; the log holds the same entry event', async () => {
		const b = await createBlog(s, { id: uniqueId('post') });
		const t0 = Date.now();
		const res = await api(s.base, 'POST', entriesPath(b), {
			body: { author: 'Ana', title: 'Opening', text: 'Leaders arrive.\n\n* one\n* two <b>x</b>', key: true },
			token: b.editor_token,
		});
		assert.equal(res.status, 201, res.text);
		const e = res.json;
		assertEntryShape(e);
		assert.equal(e.author, 'Ana');
		assert.equal(e.title, 'Opening');
		assert.equal(e.text, 'Leaders arrive.\n\n* one\n* two <b>x</b>');
		assert.equal(e.key, true);
		assert.equal(e.pinned, false);
		assert.equal(e.revision, 1);
		assert.ok(Math.abs(Date.parse(e.ts) - t0) < 60000, `ts ${e.ts} near now`);
		// seq is a Redis stream id, taken near the acceptance time
		const seqMs = Number(e.seq.split('-')[0]);
		assert.ok(Math.abs(seqMs - Date.parse(e.ts)) < 10000, `seq ${e.seq} vs ts ${e.ts}`);
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs, [{ type: 'entry', seq: e.seq, entry: e }]);
	});

	it('generates a UUID id; seqs increase with each post; defaults key/pinned false', async () => {
		const b = await createBlog(s, { id: uniqueId('seqs') });
		const got = [];
		for (let i = 0; i < 5; i++)
			got.push(await postEntry(s, b, { text: `n${i}` }));
		for (const e of got) {
			assert.match(e.id, UUID_RE);
			assert.equal(e.key, false);
			assert.equal(e.pinned, false);
			assert.equal(e.revision, 1);
		}
		assert.equal(new Set(got.map((e) => e.id)).size, 5);
		for (let i = 1; i < got.length; i++)
			assert.equal(seqCmp(got[i - 1].seq, got[i].seq), -1, 'seq strictly increasing');
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs.map((ev) => ev.entry.id), got.map((e) => e.id));
	});

	it('a client-supplied id is kept; the same retry → 200 and the stored entry, logged once', async () => {
		const b = await createBlog(s, { id: uniqueId('idem') });
		const id = randomUUID();
		const body = { id, author: 'Bo', title: 'T', text: 'once only', key: false };
		const first = await api(s.base, 'POST', entriesPath(b), { body, token: b.editor_token });
		assert.equal(first.status, 201, first.text);
		assert.equal(first.json.id, id);
		const retry = await api(s.base, 'POST', entriesPath(b), { body, token: b.editor_token });
		assert.equal(retry.status, 200, retry.text);
		assert.deepEqual(retry.json, first.json);
		const evs = await allEvents(s.base, b.id);
		assert.equal(evs.length, 1);
		assert.deepEqual(evs[0].entry, first.json);
		const blog = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(blog.json.entry_count, 1);
	});

	it('same entry id with different content → 409 conflict, log unchanged', async () => {
		const b = await createBlog(s, { id: uniqueId('idemx') });
		const id = randomUUID();
		const first = await postEntry(s, b, { id, text: 'original' });
		for (const body of [{ id, text: 'different' }, { id, text: 'original', key: true },
			{ id, text: 'original', title: 'now a title' }]) {
			const res = await api(s.base, 'POST', entriesPath(b), { body, token: b.editor_token });
			assertErrorBody(res, 409, 'conflict', JSON.stringify(body));
		}
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs, [{ type: 'entry', seq: first.seq, entry: first }]);
	});

	it('10 concurrent retries of one id: exactly one 201, nine 200, one event', async () => {
		const b = await createBlog(s, { id: uniqueId('conc') });
		const id = randomUUID();
		const body = { id, text: 'concurrent', author: 'Cy' };
		const results = await Promise.all(Array.from({ length: 10 }, () =>
			api(s.base, 'POST', entriesPath(b), { body, token: b.editor_token })));
		const statuses = results.map((r) => r.status).sort();
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201],
			results.map((r) => r.text).join('\n'));
		const created = results.find((r) => r.status === 201).json;
		for (const r of results)
			assert.deepEqual(r.json, created);
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs, [{ type: 'entry', seq: created.seq, entry: created }]);
	});

	it('PATCH edits: revision+1, edited_ts, only the given fields change, seq and ts kept', async () => {
		const b = await createBlog(s, { id: uniqueId('edit') });
		const e = await postEntry(s, b, { author: 'Di', title: 'Head', text: 'first draft', key: false });
		const r1 = await api(s.base, 'PATCH', entryPath(b, e), { body: { text: 'second draft' }, token: b.editor_token });
		assert.equal(r1.status, 200, r1.text);
		assertEntryShape(r1.json, { edited: true });
		assert.deepEqual(r1.json, { ...e, text: 'second draft', revision: 2, edited_ts: r1.json.edited_ts });
		assert.ok(Date.parse(r1.json.edited_ts) >= Date.parse(e.ts), 'edited_ts not before ts');

		const r2 = await api(s.base, 'PATCH', entryPath(b, e), { body: { key: true, title: 'New head' }, token: b.editor_token });
		assert.equal(r2.status, 200, r2.text);
		assert.deepEqual(r2.json, { ...e, text: 'second draft', key: true, title: 'New head', revision: 3, edited_ts: r2.json.edited_ts });
		assert.ok(Date.parse(r2.json.edited_ts) >= Date.parse(r1.json.edited_ts));

		const evs = await allEvents(s.base, b.id);
		assert.equal(evs.length, 3);
		assert.deepEqual(evs[0], { type: 'entry', seq: e.seq, entry: e });
		assert.equal(evs[1].type, 'edit');
		assert.deepEqual(evs[1].entry, r1.json);
		assert.equal(evs[2].type, 'edit');
		assert.deepEqual(evs[2].entry, r2.json);
		assert.deepEqual(Object.keys(evs[1]).sort(), ['entry', 'seq', 'type']);
		assert.equal(seqCmp(evs[0].seq, evs[1].seq), -1);
		assert.equal(seqCmp(evs[1].seq, evs[2].seq), -1);
		// edit does not count as a new entry
		const blog = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.equal(blog.json.entry_count, 1);
	});

	it('PATCH with bad types → 400 and nothing changes', async () => {
		const b = await createBlog(s, { id: uniqueId('editbad') });
		const e = await postEntry(s, b, { text: 'keep me' });
		for (const body of [{ text: 5 }, { key: 'yes' }, { pinned: 1 }, { title: false }]) {
			const res = await api(s.base, 'PATCH', entryPath(b, e), { body, token: b.editor_token });
			assertErrorBody(res, 400, 'bad_request', JSON.stringify(body));
		}
		const res = await api(s.base, 'PATCH', entryPath(b, e), { raw: '{"text":', token: b.editor_token });
		assertErrorBody(res, 400, 'bad_request', 'malformed JSON');
		assert.equal((await allEvents(s.base, b.id)).length, 1);
	});

	it('pinning one entry unpins the previously pinned one', async () => {
		const b = await createBlog(s, { id: uniqueId('pin') });
		const a = await postEntry(s, b, { text: 'A', pinned: true });
		assert.equal(a.pinned, true);
		const c = await postEntry(s, b, { text: 'C' });
		const pinC = await api(s.base, 'PATCH', entryPath(b, c), { body: { pinned: true }, token: b.editor_token });
		assert.equal(pinC.status, 200, pinC.text);
		assert.equal(pinC.json.pinned, true);
		assert.equal(pinC.json.revision, 2);

		// A's stored state is now unpinned: an edit of A shows it
		const touchA = await api(s.base, 'PATCH', entryPath(b, a), { body: { text: 'A2' }, token: b.editor_token });
		assert.equal(touchA.status, 200, touchA.text);
		assert.equal(touchA.json.pinned, false, 'A was unpinned by pinning C');

		// pinning at post time also unpins the previous one (C)
		const d = await postEntry(s, b, { text: 'D', pinned: true });
		assert.equal(d.pinned, true);
		const touchC = await api(s.base, 'PATCH', entryPath(b, c), { body: { text: 'C2' }, token: b.editor_token });
		assert.equal(touchC.json.pinned, false, 'C was unpinned by posting D pinned');

		// replaying the log with the SPEC's rule leaves exactly D pinned
		const evs = await allEvents(s.base, b.id);
		const state = new Map();
		for (const ev of evs) {
			if (ev.type === 'entry' || ev.type === 'edit') {
				if (ev.entry.pinned)
					for (const [k, v] of state)
						if (k !== ev.entry.id)
							state.set(k, { ...v, pinned: false });
				state.set(ev.entry.id, ev.entry);
			} else if (ev.type === 'delete') {
				state.delete(ev.entry_id);
			}
		}
		const pinned = [...state.values()].filter((e) => e.pinned).map((e) => e.id);
		assert.deepEqual(pinned, [d.id]);

		// unpinning is an edit too
		const unpin = await api(s.base, 'PATCH', entryPath(b, d), { body: { pinned: false }, token: b.editor_token });
		assert.equal(unpin.status, 200);
		assert.equal(unpin.json.pinned, false);
		const last = (await allEvents(s.base, b.id)).at(-1);
		assert.equal(last.type, 'edit');
		assert.equal(last.entry.id, d.id);
		assert.equal(last.entry.pinned, false);
	});

	it('DELETE → 200, a delete event with entry_id only; further edits/deletes do not grow the log', async () => {
		const b = await createBlog(s, { id: uniqueId('del') });
		const keep = await postEntry(s, b, { text: 'keep' });
		const gone = await postEntry(s, b, { text: 'gone' });
		const res = await api(s.base, 'DELETE', entryPath(b, gone), { token: b.editor_token });
		assert.equal(res.status, 200, res.text);
		const evs = await allEvents(s.base, b.id);
		assert.equal(evs.length, 3);
		const del = evs[2];
		assert.deepEqual(Object.keys(del).sort(), ['entry_id', 'seq', 'type']);
		assert.equal(del.type, 'delete');
		assert.equal(del.entry_id, gone.id);
		assert.match(del.seq, SEQ_RE);
		assert.equal(seqCmp(evs[1].seq, del.seq), -1);

		const again = await api(s.base, 'DELETE', entryPath(b, gone), { token: b.editor_token });
		assert.ok([200, 404].includes(again.status), `second delete: ${again.status}`);
		const edit = await api(s.base, 'PATCH', entryPath(b, gone), { body: { text: 'zombie' }, token: b.editor_token });
		assert.ok(edit.status >= 400 && edit.status < 500, `edit of a deleted entry: ${edit.status} ${edit.text}`);
		assert.equal((await allEvents(s.base, b.id)).length, 3, 'no event after the first delete');
		// the other entry is untouched
		const ok = await api(s.base, 'PATCH', entryPath(b, keep), { body: { text: 'kept' }, token: b.editor_token });
		assert.equal(ok.status, 200);
	});

	it('unknown entry or blog → 404 not_found', async () => {
		const b = await createBlog(s, { id: uniqueId('nf') });
		await postEntry(s, b, { text: 'x' });
		const ghost = randomUUID();
		assertErrorBody(await api(s.base, 'PATCH', entryPath(b, ghost), { body: { text: 'y' }, token: b.editor_token }), 404, 'not_found', 'PATCH');
		assertErrorBody(await api(s.base, 'DELETE', entryPath(b, ghost), { token: b.editor_token }), 404, 'not_found', 'DELETE');
		const nob = { id: 'no-such-blog-xyz' };
		assertErrorBody(await api(s.base, 'POST', entriesPath(nob), { body: { text: 'y' }, token: s.adminToken }), 404, 'not_found', 'POST unknown blog');
		assertErrorBody(await api(s.base, 'PATCH', entryPath(nob, ghost), { body: { text: 'y' }, token: s.adminToken }), 404, 'not_found', 'PATCH unknown blog');
		assertErrorBody(await api(s.base, 'DELETE', entryPath(nob, ghost), { token: s.adminToken }), 404, 'not_found', 'DELETE unknown blog');
		assertErrorBody(await api(s.base, 'POST', '/api/blogs/no-such-blog-xyz/end', { token: s.adminToken }), 404, 'not_found', 'end unknown blog');
		assert.equal((await allEvents(s.base, b.id)).length, 1);
	});

	it('writes need this blog\'s editor token (or the admin token): others → 401, nothing stored', async () => {
		const b = await createBlog(s, { id: uniqueId('auth') });
		const other = await createBlog(s, { id: uniqueId('auth-other') });
		const e = await postEntry(s, b, { text: 'mine' });
		const bad = [undefined, 'nope', other.editor_token, `${b.editor_token}x`, b.editor_token.slice(1)];
		for (const token of bad) {
			const what = `token ${token === other.editor_token ? '<other blog>' : token}`;
			assertErrorBody(await api(s.base, 'POST', entriesPath(b), { body: { text: 'intruder' }, token }), 401, 'unauthorized', `POST ${what}`);
			assertErrorBody(await api(s.base, 'PATCH', entryPath(b, e), { body: { text: 'intruder' }, token }), 401, 'unauthorized', `PATCH ${what}`);
			assertErrorBody(await api(s.base, 'DELETE', entryPath(b, e), { token }), 401, 'unauthorized', `DELETE ${what}`);
			assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token }), 401, 'unauthorized', `end ${what}`);
		}
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs, [{ type: 'entry', seq: e.seq, entry: e }]);
		assert.equal((await api(s.base, 'GET', `/api/blogs/${b.id}`)).json.state, 'live');

		// the admin token works as an editor of any blog
		const byAdmin = await postEntry(s, b, { text: 'admin here' }, s.adminToken);
		assert.equal(byAdmin.text, 'admin here');
		const edit = await api(s.base, 'PATCH', entryPath(b, byAdmin), { body: { text: 'admin edit' }, token: s.adminToken });
		assert.equal(edit.status, 200);
		const del = await api(s.base, 'DELETE', entryPath(b, byAdmin), { token: s.adminToken });
		assert.equal(del.status, 200);
		// and the other blog's token still works on its own blog
		await postEntry(s, other, { text: 'own blog' });
	});

	it('text is stored verbatim: UTF-8, HTML-looking text, newlines', async () => {
		const b = await createBlog(s, { id: uniqueId('verb') });
		const text = '« Il faut agir », a-t-il dit.\n\n* point un\n* <script>alert(1)</script> & "quotes"\n\n日本語 🎉 \\ \t tab';
		const e = await postEntry(s, b, { text, author: 'Ève', title: 'Énoncé <i>' });
		assert.equal(e.text, text);
		assert.equal(e.author, 'Ève');
		assert.equal(e.title, 'Énoncé <i>');
		const evs = await allEvents(s.base, b.id);
		assert.equal(evs[0].entry.text, text);
	});
});
