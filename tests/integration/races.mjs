// races.mjs — the ended race (SPEC Rule 2), shared by end and multi-instance
// tests: writers hammer one instance while another (or the same) ends.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, postEntry, allEvents, sleep, assertErrorBody } from './harness.mjs';

/*
 * Keeps `writers` posts and `editors` edits in flight on postBase, ends blog b
 * through endBase after endDelayMs, lets every writer run until it has been
 * refused twice, then checks Rule 2: the log ends with the ended event, every
 * acknowledged write is in it exactly once, no refused write is. Returns
 * {created, refused} (post counts).
 */
export async function endRace(postBase, endBase, b, { writers = 10, editors = 3, endDelayMs = 40 } = {}) {
	const pre = [];
	for (let i = 0; i < editors; i++)
		pre.push(await postEntry({ base: postBase }, b, { text: `pre ${i}` }));
	const results = [];
	const writer = async (k) => {
		let refusals = 0;
		for (let n = 0; refusals < 2 && n < 500; n++) {
			let r;
			if (k < editors) {
				const e = pre[k];
				const res = await api(postBase, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`,
					{ body: { text: `edit ${k}.${n}` }, token: b.editor_token });
				r = { kind: 'edit', id: e.id, res };
			} else {
				const id = randomUUID();
				const res = await api(postBase, 'POST', `/api/blogs/${b.id}/entries`,
					{ body: { id, text: `race ${k}.${n}` }, token: b.editor_token });
				r = { kind: 'post', id, res };
			}
			results.push(r);
			if (r.res.status === 409)
				refusals++;
		}
	};
	const running = Array.from({ length: writers + editors }, (_, k) => writer(k));
	await sleep(endDelayMs);
	const ended = await api(endBase, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
	await Promise.all(running);
	assert.equal(ended.status, 200, ended.text);
	assert.equal(ended.json.state, 'ended');

	const evs = await allEvents(postBase, b.id);
	const endedIdx = evs.findIndex((e) => e.type === 'ended');
	assert.notEqual(endedIdx, -1, 'an ended event is in the log');
	assert.equal(endedIdx, evs.length - 1,
		`nothing may follow ended, found: ${JSON.stringify(evs.slice(endedIdx + 1)).slice(0, 500)}`);
	assert.equal(evs[endedIdx].ended_at, ended.json.ended_at);
	const logged = new Set(evs.filter((e) => e.type === 'entry').map((e) => e.entry.id));
	const editKey = (entry) => `${entry.id}#${entry.revision}`;
	const loggedEdits = new Map(evs.filter((e) => e.type === 'edit').map((e) => [editKey(e.entry), e.entry]));
	let created = 0;
	let refused = 0;
	let editsOk = 0;
	for (const r of results) {
		if (r.kind === 'post') {
			if (r.res.status === 201) {
				created++;
				assert.ok(logged.has(r.id), `post ${r.id} got 201 but is not in the log`);
			} else {
				refused++;
				assertErrorBody(r.res, 409, 'ended', `post ${r.id}`);
				assert.ok(!logged.has(r.id), `post ${r.id} got 409 but is in the log`);
			}
		} else if (r.res.status === 200) {
			editsOk++;
			assert.deepEqual(loggedEdits.get(editKey(r.res.json)), r.res.json,
				`edit of ${r.id} (revision ${r.res.json.revision}) got 200: its edit event is in the log`);
		} else {
			assertErrorBody(r.res, 409, 'ended', `edit ${r.id}`);
		}
	}
	assert.equal(logged.size, pre.length + created, 'the log holds exactly the acknowledged posts');
	assert.equal(loggedEdits.size, editsOk, 'the log holds exactly the acknowledged edits');
	// the log never grows again
	const late = await api(postBase, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'late' }, token: b.editor_token });
	assertErrorBody(late, 409, 'ended', 'post after the race');
	assert.equal((await allEvents(postBase, b.id)).length, evs.length);
	return { created, refused };
}
