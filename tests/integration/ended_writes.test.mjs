// SPEC Part two, "Safe on the open internet", HTTP: "every write to an ended
// blog gets 409 ended whatever else is wrong with it (auth aside)";
// "/events with a since at or beyond the end answers {"events":[],"next":
// since}, never 5xx"; and an ended blog's events are cached per query, the
// query as the server read it (a limit written two ways is one resource).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, rawHttp, createBlog, postEntry, allEvents, uniqueId,
	assertErrorBody,
} from './harness.mjs';

describe('ended blogs refuse every write; /events past the end', { timeout: 60000 }, () => {
	let s;
	let b;
	let e;
	let log;
	before(async () => {
		s = await startStack();
		b = await createBlog(s, { id: uniqueId('endw') });
		e = await postEntry(s, b, { text: 'one' });
		await postEntry(s, b, { text: 'two' });
		assert.equal((await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token })).status, 200);
		log = await allEvents(s.base, b.id);
	});
	after(async () => { await s?.stop(); });

	it('409 ended whatever else is wrong with the write', async () => {
		const tok = b.editor_token;
		const entries = `/api/blogs/${b.id}/entries`;
		const unknown = `${entries}/${randomUUID()}`;
		const cases = [
			['POST malformed JSON', 'POST', entries, { raw: '{"text": ' }],
			['POST empty body', 'POST', entries, { raw: '' }],
			['POST wrong types', 'POST', entries, { body: { text: 42, key: 'yes' } }],
			['POST text too long', 'POST', entries, { body: { text: 'x'.repeat(20000) } }],
			['POST an id reused', 'POST', entries, { body: { id: e.id, text: 'other' } }],
			['PATCH an unknown entry', 'PATCH', unknown, { body: { text: 'x' } }],
			['PATCH malformed JSON', 'PATCH', `${entries}/${e.id}`, { raw: '[' }],
			['PATCH a known entry', 'PATCH', `${entries}/${e.id}`, { body: { text: 'x' } }],
			['DELETE an unknown entry', 'DELETE', unknown, {}],
			['DELETE a known entry', 'DELETE', `${entries}/${e.id}`, {}],
		];
		const got = {};
		for (const [name, method, path, opts] of cases) {
			const res = await api(s.base, method, path, { token: tok, ...opts });
			got[name] = res.status;
			if (res.status === 409)
				assertErrorBody(res, 409, 'ended', name);
		}
		assert.deepEqual(got, Object.fromEntries(cases.map(([n]) => [n, 409])));
		// auth aside: no token, or a wrong one, is still 401
		assert.equal((await api(s.base, 'POST', entries, { body: { text: 'x' } })).status, 401);
		assert.equal((await api(s.base, 'POST', entries, { body: { text: 'x' }, token: 'nope' })).status, 401);
		// a body larger than the limit, announced by Content-Length
		const big = await rawHttp(s.daemon.port, `POST ${entries} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\nContent-Type: application/json\r\nContent-Length: 200000\r\nConnection: close\r\n\r\n{"text":"`);
		assert.equal(big.status, 409, 'too large, but ended first');
		assert.deepEqual(await allEvents(s.base, b.id), log, 'nothing changed');
	});

	it('/events with since at or beyond the end: empty, next = since, never 5xx', async () => {
		const last = log.at(-1).seq;
		for (const since of [last, '9999999999999-0', '18446744073709551615-18446744073709551615', '18446744073709551615']) {
			const res = await api(s.base, 'GET', `/api/blogs/${b.id}/events?since=${since}`);
			assert.equal(res.status, 200, `since=${since}: ${res.text}`);
			assert.deepEqual(res.json.events, []);
			assert.equal(res.json.next, since.includes('-') ? since : `${since}-0`);
		}
		// and on a live blog, where the same since is read from Redis each time
		const live = await createBlog(s, { id: uniqueId('endl') });
		await postEntry(s, live, { text: 'x' });
		const max = '18446744073709551615-18446744073709551615';
		const res = await api(s.base, 'GET', `/api/blogs/${live.id}/events?since=${max}`);
		assert.equal(res.status, 200, res.text);
		assert.deepEqual(res.json, { events: [], next: max });
	});

	it('an ended blog\'s events: the ETag names the query as read, not as written', async () => {
		const a = await api(s.base, 'GET', `/api/blogs/${b.id}/events?limit=10`);
		const c = await api(s.base, 'GET', `/api/blogs/${b.id}/events?limit=010`);
		assert.equal(a.status, 200);
		assert.equal(c.status, 200);
		assert.deepEqual(c.json, a.json);
		assert.equal(c.headers.etag, a.headers.etag, 'the same resource, the same ETag');
		assert.ok(!a.headers.etag.includes('010'));
		const junk = await api(s.base, 'GET', `/api/blogs/${b.id}/events?limit=${encodeURIComponent('"x')}`);
		assert.equal(junk.status, 400);
	});
});
