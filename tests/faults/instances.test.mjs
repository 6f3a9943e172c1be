// Many instances on one Redis (SPEC Rules 2, 3, 6): fan-out across three
// daemons, the ended race with writers on two instances, and kill -9 of a
// daemon under its readers.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	reportSection, faultTest, startStack, createBlog, postEntry, api, allEvents,
	wsOpen, uniqueId, sleep, waitUntil, seqCmp, resumingReader, postWithRetry,
	dupes, seqsOf, isEvent,
} from './lib.mjs';

reportSection(import.meta.url, 'Many instances on one Redis');

/* Asserts seqs strictly increase (no duplicate, same order as the log). */
function assertIncreasing(evs, what) {
	for (let i = 1; i < evs.length; i++)
		assert.equal(seqCmp(evs[i - 1].seq, evs[i].seq), -1,
			`${what}: seq ${evs[i].seq} after ${evs[i - 1].seq} at ${i}`);
}

describe('three instances on one Redis', { timeout: 150000 }, () => {
	let s;
	let A;
	let B;
	let C;
	before(async () => {
		s = await startStack({ appendonly: true });
		A = s.daemon;
		B = await s.addDaemon();
		C = await s.addDaemon();
	});
	after(async () => { await s?.stop(); });

	faultTest('writes on any of three instances reach readers on every instance, in order', async (t, row) => {
		row.fault = 'none: 3 daemons, 2 readers each; 3 writers in parallel, one per daemon (30 posts each), plus edits and deletes sent to a different daemon than the post';
		const b = await createBlog(A, { id: uniqueId('fan3') });
		const ds = [A, B, C];
		const readers = ds.flatMap((d) => [wsOpen(`${d.wsBase}/ws/blogs/${b.id}`), wsOpen(`${d.wsBase}/ws/blogs/${b.id}`)]);
		await Promise.all(readers.map((r) => r.waitFor((m) => m.type === 'live')));
		const posted = [[], [], []];
		await Promise.all(ds.map(async (d, k) => {
			for (let i = 0; i < 30; i++) {
				const e = await postEntry(d, b, { text: `from ${'ABC'[k]} #${i}` });
				posted[k].push(e);
				if (i % 10 === 5) {
					const other = ds[(k + 1) % 3];
					const ed = await api(other.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body: { text: `edited on ${'ABC'[(k + 1) % 3]}` }, token: b.editor_token });
					assert.equal(ed.status, 200, ed.text);
				}
				if (i % 10 === 7) {
					const other = ds[(k + 2) % 3];
					const del = await api(other.base, 'DELETE', `/api/blogs/${b.id}/entries/${e.id}`, { token: b.editor_token });
					assert.equal(del.status, 200, del.text);
				}
			}
		}));
		const stored = await allEvents(A.base, b.id);
		assert.equal(stored.length, 90 + 9 + 9, '90 entries, 9 edits, 9 deletes in the log');
		for (const [i, r] of readers.entries())
			await waitUntil(() => r.events().length >= stored.length,
				{ timeout: 10000, message: `reader ${i} on ${'ABC'[i >> 1]} has ${stored.length} events` });
		await sleep(200);
		for (const [i, r] of readers.entries()) {
			assertIncreasing(r.events(), `reader ${i}`);
			assert.deepEqual(r.events(), stored, `reader ${i} on ${'ABC'[i >> 1]} saw exactly the log`);
		}
		// the three instances serve the same log
		assert.deepEqual(await allEvents(B.base, b.id), stored);
		assert.deepEqual(await allEvents(C.base, b.id), stored);
		row.readers = `6/6 readers (2 per instance) saw all ${stored.length} events in log order, no gap, no duplicate`;
		row.writers = '90 POSTs 201, 9 PATCHes 200, 9 DELETEs 200, spread over the 3 instances';
		row.lost = 'nothing';
		for (const r of readers)
			r.close();
	});

	faultTest('the ended race: writers on A and B hammer posts while A ends the blog', async (t, row) => {
		row.fault = '3 rounds: 8 writers on A + 8 on B posting with client ids as fast as they can; after 40/120/250 ms the blog is ended on A (rounds 1–2; B ends it again afterwards) or on A and B at the same moment (round 3); readers on A, B and C';
		const totals = { c201: 0, c409: 0, other: [] };
		const notes = [];
		for (const [round, delay] of [40, 120, 250].entries()) {
			const b = await createBlog(A, { id: uniqueId(`race${round}`) });
			const readers = [A, B, C].map((d) => wsOpen(`${d.wsBase}/ws/blogs/${b.id}`));
			await Promise.all(readers.map((r) => r.waitFor((m) => m.type === 'live')));
			const results = [];
			let stop = false;
			const writer = async (base, k) => {
				let refused = 0;
				for (let n = 0; refused < 2 && n < 400 && !stop; n++) {
					const id = randomUUID();
					const res = await api(base, 'POST', `/api/blogs/${b.id}/entries`, { body: { id, text: `w${k}.${n}` }, token: b.editor_token });
					results.push({ id, status: res.status, error: res.json?.error, base });
					if (res.status === 409)
						refused++;
				}
			};
			const running = [...Array(8)].flatMap((_, k) => [writer(A.base, `A${k}`), writer(B.base, `B${k}`)]);
			await sleep(delay);
			// rounds 1 and 2: A ends; round 3: A and B end at the same moment
			const endA = await (round < 2 ? api(A.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token }) : null);
			const [endA3, endB] = await Promise.all([
				endA ?? api(A.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token }),
				api(B.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token }),
			]);
			const guard = setTimeout(() => { stop = true; }, 20000);
			await Promise.all(running);
			clearTimeout(guard);
			assert.equal(endA3.status, 200, `end on A: ${endA3.text}`);
			assert.equal(endB.status, 200, `end on B: ${endB.text}`);
			assert.equal(endA3.json.ended_at, endB.json.ended_at, 'ending twice gives the same ended_at');

			const log = await allEvents(C.base, b.id);
			const endedAt = log.findIndex((e) => e.type === 'ended');
			assert.notEqual(endedAt, -1, 'the log holds an ended event');
			assert.equal(endedAt, log.length - 1,
				`nothing after ended: ${JSON.stringify(log.slice(endedAt + 1)).slice(0, 300)}`);
			assert.equal(log.filter((e) => e.type === 'ended').length, 1, 'one ended event');
			const inLog = log.filter((e) => e.type === 'entry').map((e) => e.entry.id);
			assert.deepEqual(dupes(inLog), [], 'no entry id twice in the log');
			const logSet = new Set(inLog);
			const ok = results.filter((r) => r.status === 201);
			const refused = results.filter((r) => r.status === 409);
			const other = results.filter((r) => r.status !== 201 && r.status !== 409);
			assert.deepEqual(other.map((r) => `${r.status} ${r.error}`), [], 'every write got 201 or 409');
			assert.deepEqual(refused.filter((r) => r.error !== 'ended').map((r) => r.error), [], 'every 409 says ended');
			assert.deepEqual(ok.filter((r) => !logSet.has(r.id)).map((r) => r.id), [], 'every 201 is in the log');
			assert.deepEqual(refused.filter((r) => logSet.has(r.id)).map((r) => r.id), [], 'no 409 is in the log');
			assert.equal(logSet.size, ok.length, 'the log holds exactly the 201s');
			assert.ok(ok.length > 0 && refused.length > 0, `the race raced: ${ok.length} 201, ${refused.length} 409`);
			// a late write on the third instance
			const late = await api(C.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'late' }, token: b.editor_token });
			assert.equal(late.status, 409, 'a write on C after the end gets 409');
			assert.equal(late.json?.error, 'ended');
			assert.deepEqual(await allEvents(A.base, b.id), log, 'the log did not grow');
			for (const [i, r] of readers.entries()) {
				const c = await Promise.race([r.closed, sleep(10000).then(() => ({ code: 'still open' }))]);
				assert.equal(c.code, 1000, `reader on ${'ABC'[i]} closed normally after ended`);
				assert.deepEqual(r.events(), log, `reader on ${'ABC'[i]} saw the whole log ending with ended`);
			}
			totals.c201 += ok.length;
			totals.c409 += refused.length;
			notes.push(`round ${round + 1} (end after ${delay} ms): ${ok.length} × 201, ${refused.length} × 409, log ${log.length} events ending with ended`);
		}
		row.writers = `${totals.c201} posts got 201, ${totals.c409} got 409 ended, no other status; every end 200 with the same ended_at; ${notes.join('; ')}`;
		row.readers = 'readers on A, B and C saw the log up to ended, then close 1000';
		row.lost = 'nothing: every 201 is in the log, no 409 is, nothing follows ended';
	});

	faultTest('kill -9 of a daemon under its readers: they resume on another instance with no gap or duplicate', async (t, row) => {
		row.fault = 'kill -9 of instance A while 6 readers are connected to it and a writer posts every 15 ms alternating A and B (retrying the same id on the other instance when A does not answer)';
		const b = await createBlog(B, { id: uniqueId('kill9') });
		const others = [B.wsBase, C.wsBase];
		const rrs = [...Array(6)].map((_, k) => resumingReader([], b.id, {
			pickBase: (n) => (n === 0 ? A.wsBase : others[(n + k) % 2]),
		}));
		const steady = wsOpen(`${C.wsBase}/ws/blogs/${b.id}`);
		await Promise.all([...rrs.map((rr) => rr.current.waitFor((m) => m.type === 'live')), steady.waitFor((m) => m.type === 'live')]);
		const N = 120;
		const acked = [];
		let killedAt = null;
		for (let i = 0; i < N; i++) {
			if (i === 40) {
				killedAt = Date.now();
				await A.kill9();
				A.stopped = true;	/* stack.stop() must not stop it again */
			}
			// odd posts go to A first; when A does not answer they move on to B
			const r = await postWithRetry([A.base, B.base], b, `p${i}`, { start: i % 2 ? 0 : 1 });
			acked.push(r);
			await sleep(15);
		}
		const bad = acked.filter((r) => r.status !== 201 && r.status !== 200);
		assert.deepEqual(bad.map((r) => `${r.id}: ${r.status}`), [], 'every post was acknowledged (201, or 200 on a retry)');
		const retried200 = acked.filter((r) => r.status === 200);
		for (const r of retried200)
			assert.ok(r.attempts.some((a) => a.status === 'no answer'), `a 200 only after an unanswered attempt: ${JSON.stringify(r.attempts)}`);
		const stored = await allEvents(B.base, b.id);
		assert.deepEqual(stored.map((e) => e.entry.id), acked.map((r) => r.id), 'each post exactly once, in the order acknowledged');
		for (const rr of rrs)
			await rr.waitCount(stored.length, 10000);
		await waitUntil(() => steady.events().length >= stored.length, { timeout: 10000, message: 'steady reader on C caught up' });
		await sleep(200);
		for (const rr of rrs)
			rr.stop();
		for (const [k, rr] of rrs.entries()) {
			assert.equal(rr.resets, 0, `reader ${k}: no reset (its since was known)`);
			assert.deepEqual(dupes(seqsOf(rr.events)), [], `reader ${k}: no duplicate`);
			assert.deepEqual(rr.events, stored, `reader ${k}: the whole log, in order, no gap`);
			assert.ok(rr.connections >= 2, `reader ${k} reconnected after the kill (${rr.connections} connections)`);
			assert.equal(rr.closes[0].code, 1006, `reader ${k}: the first connection ended abnormally (1006)`);
		}
		assert.deepEqual(steady.events(), stored, 'the reader on C was not disturbed');
		assert.equal(steady.ws.readyState, 1, 'the reader on C is still connected');
		assert.equal((await api(B.base, 'GET', '/healthz')).status, 200);
		assert.equal((await api(C.base, 'GET', '/healthz')).status, 200);
		const unanswered = acked.filter((r) => r.attempts.some((a) => a.status === 'no answer')).length;
		row.readers = `6/6 readers on A got close 1006, reconnected to B or C with ?since and ended with all ${stored.length} events, 0 resets, 0 duplicates; a reader on C saw all ${stored.length} undisturbed`;
		row.writers = `${N} posts acknowledged; ${unanswered} attempt(s) to the dead A got no answer and were retried with the same id on B (${retried200.length} of them answered 200: already stored)`;
		row.lost = 'nothing: the log holds each acknowledged post exactly once';
		steady.close();
	});
});
