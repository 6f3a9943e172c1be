// races.mjs — the ended race (SPEC Rule 2), shared by end and multi-instance
// tests: posts and edits hit one instance while another (or the same) ends.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, postEntry, allEvents, sleep, assertErrorBody } from './harness.mjs';

/* Fires posts (and a few edits) at blog b while ending it; checks Rule 2. */
export async function endRace(postBase, endBase, b, { posts = 60, endAfter = 25 } = {}) {
	const pre = [];
	for (let i = 0; i < 4; i++)
		pre.push(await postEntry({ base: postBase }, b, { text: `pre ${i}` }));
	const jobs = [];
	let endRes;
	for (let i = 0; i < posts; i++) {
		const id = randomUUID();
		jobs.push(api(postBase, 'POST', `/api/blogs/${b.id}/entries`,
			{ body: { id, text: `race ${i}` }, token: b.editor_token })
			.then((res) => ({ kind: 'post', id, res })));
		if (i < pre.length) {
			const e = pre[i];
			jobs.push(api(postBase, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`,
				{ body: { text: `edited ${i}` }, token: b.editor_token })
				.then((res) => ({ kind: 'edit', id: e.id, res })));
		}
		if (i === endAfter)
			endRes = api(endBase, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		if (i % 5 === 0)
			await sleep(1);
	}
	const results = await Promise.all(jobs);
	const ended = await endRes;
	assert.equal(ended.status, 200, ended.text);
	assert.equal(ended.json.state, 'ended');

	const evs = await allEvents(postBase, b.id);
	const endedIdx = evs.findIndex((e) => e.type === 'ended');
	assert.notEqual(endedIdx, -1, 'an ended event is in the log');
	assert.equal(endedIdx, evs.length - 1, `nothing after ended: ${JSON.stringify(evs.slice(endedIdx))}`);
	assert.equal(evs[endedIdx].ended_at, ended.json.ended_at);
	const logged = new Set(evs.filter((e) => e.type === 'entry').map((e) => e.entry.id));
	let created = 0;
	let refused = 0;
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
		} else {
			const edits = evs.filter((e) => e.type === 'edit' && e.entry.id === r.id);
			if (r.res.status === 200) {
				assert.equal(edits.length, 1, `edit of ${r.id} got 200: one edit event`);
				assert.deepEqual(edits[0].entry, r.res.json);
			} else {
				assertErrorBody(r.res, 409, 'ended', `edit ${r.id}`);
				assert.equal(edits.length, 0, `edit of ${r.id} got 409 but is in the log`);
			}
		}
	}
	assert.equal(logged.size, pre.length + created, 'log holds exactly the accepted posts');
	// the log never grows again
	const late = await api(postBase, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'late' }, token: b.editor_token });
	assertErrorBody(late, 409, 'ended', 'post after the race');
	assert.equal((await allEvents(postBase, b.id)).length, evs.length);
	return { created, refused };
}

