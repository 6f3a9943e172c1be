// Rule 5: bad input gets a clear JSON error and changes nothing; static files
// never leak outside --www.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, rawHttp, createBlog, postEntry, allEvents, uniqueId,
	assertErrorBody, tempDir, REPO_ROOT,
} from './harness.mjs';

describe('bad input changes nothing', { timeout: 60000 }, () => {
	let s;
	let b;
	let baseline;
	const post = (opts) => api(s.base, 'POST', `/api/blogs/${b.id}/entries`, { token: b.editor_token, ...opts });

	/* asserts the blog and its log are exactly as before */
	async function unchanged() {
		assert.deepEqual(await allEvents(s.base, b.id), baseline.events, 'event log unchanged');
		const get = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		assert.deepEqual(get.json, baseline.blog, 'blog unchanged');
		const h = await api(s.base, 'GET', '/healthz');
		assert.equal(h.status, 200, 'server still healthy');
	}

	before(async () => {
		s = await startStack();
		b = await createBlog(s, { id: uniqueId('bad') });
		await postEntry(s, b, { text: 'the only entry', title: 'T', author: 'A' });
		baseline = {
			events: await allEvents(s.base, b.id),
			blog: (await api(s.base, 'GET', `/api/blogs/${b.id}`)).json,
		};
	});
	after(async () => { await s?.stop(); });

	it('malformed JSON → 400 bad_request', async () => {
		for (const raw of ['{"text": ', '{text:"x"}', '{"text":"x",}', "{'text':'x'}", '', 'null',
			'{"text":"x"} trailing', '{"text":"x"}{"text":"y"}']) {
			assertErrorBody(await post({ raw }), 400, 'bad_request', `body ${JSON.stringify(raw)}`);
		}
		await unchanged();
	});

	it('JSON that is not an object → 400', async () => {
		for (const raw of ['[]', '["text"]', '"text"', '42', 'true']) {
			assertErrorBody(await post({ raw }), 400, 'bad_request', `body ${raw}`);
		}
		await unchanged();
	});

	it('wrong types → 400 bad_request', async () => {
		const bodies = [
			{ text: 42 }, { text: null }, { text: ['a'] }, { text: { a: 1 } }, { text: true },
			{ text: 'ok', key: 'yes' }, { text: 'ok', key: 1 }, { text: 'ok', key: null },
			{ text: 'ok', pinned: 'true' }, { text: 'ok', pinned: 0 },
			{ text: 'ok', author: 5 }, { text: 'ok', author: ['x'] },
			{ text: 'ok', title: 7 }, { text: 'ok', title: {} },
			{ text: 'ok', id: 12345 }, { text: 'ok', id: 'not-a-uuid' }, { text: 'ok', id: '' },
		];
		for (const body of bodies)
			assertErrorBody(await post({ body }), 400, 'bad_request', JSON.stringify(body));
		await unchanged();
	});

	it('missing text → 400', async () => {
		for (const body of [{}, { title: 'only a title' }, { author: 'x', key: true }])
			assertErrorBody(await post({ body }), 400, 'bad_request', JSON.stringify(body));
		await unchanged();
	});

	it('unknown blog → 404 not_found', async () => {
		const res = await api(s.base, 'POST', '/api/blogs/not-a-blog-at-all/entries', { body: { text: 'x' }, token: s.adminToken });
		assertErrorBody(res, 404, 'not_found');
		await unchanged();
	});

	it('bad token → 401 unauthorized', async () => {
		assertErrorBody(await post({ body: { text: 'x' }, token: 'garbage' }), 401, 'unauthorized');
		assertErrorBody(await api(s.base, 'POST', `/api/blogs/${b.id}/entries`, { body: { text: 'x' } }), 401, 'unauthorized', 'no token');
		await unchanged();
	});

	it('body over 64 KiB → 413 too_large (even when its text is small)', async () => {
		const raw = `{"text":"small"${' '.repeat(64 * 1024)}}`;
		assertErrorBody(await post({ raw }), 413, 'too_large', '64 KiB of whitespace');
		const big = JSON.stringify({ text: 'x'.repeat(10000), author: 'y'.repeat(60 * 1024) });
		assertErrorBody(await post({ raw: big }), 413, 'too_large', 'big author');
		const huge = JSON.stringify({ text: 'z'.repeat(1024 * 1024) });
		assertErrorBody(await post({ raw: huge }), 413, 'too_large', '1 MiB body');
		await unchanged();
	});

	it('text limit is 16 KiB in bytes: 16384 ok, 16385 → 413 too_large', async () => {
		const over = 'a'.repeat(16 * 1024 + 1);
		assertErrorBody(await post({ body: { text: over } }), 413, 'too_large', '16385 ASCII bytes');
		const overMb = 'é'.repeat(8 * 1024 + 1); // 8193 chars, 16386 bytes
		assertErrorBody(await post({ body: { text: overMb } }), 413, 'too_large', '16386 UTF-8 bytes');
		await unchanged();
		// exactly at the limit is accepted (on a separate blog to keep the baseline)
		const b2 = await createBlog(s, { id: uniqueId('limit') });
		const e = await postEntry(s, b2, { text: 'é'.repeat(8 * 1024) });
		assert.equal(e.text.length, 8192);
		const e2 = await postEntry(s, b2, { text: 'b'.repeat(16 * 1024) });
		assert.equal(e2.text.length, 16384);
		// PATCH has the same limit
		const res = await api(s.base, 'PATCH', `/api/blogs/${b2.id}/entries/${e.id}`, { body: { text: over }, token: b2.editor_token });
		assertErrorBody(res, 413, 'too_large', 'PATCH text');
		assert.equal((await allEvents(s.base, b2.id)).length, 2);
	});

	it('entry title over 300 bytes → 413 too_large', async () => {
		assertErrorBody(await post({ body: { text: 'x', title: 'a'.repeat(301) } }), 413, 'too_large', '301 bytes');
		assertErrorBody(await post({ body: { text: 'x', title: 'ü'.repeat(151) } }), 413, 'too_large', '302 UTF-8 bytes');
		await unchanged();
	});

	it('invalid UTF-8 in the JSON body → 400', async () => {
		const bodies = [
			Buffer.concat([Buffer.from('{"text":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
			Buffer.concat([Buffer.from('{"text":"overlong '), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
			Buffer.concat([Buffer.from('{"text":"surrogate '), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
			Buffer.concat([Buffer.from('{"text":"truncated '), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]),
			Buffer.concat([Buffer.from('{"text":"ok","author":"'), Buffer.from([0x80]), Buffer.from('"}')]),
			Buffer.from('{"text":"lone escape \\ud800"}'),
		];
		for (const raw of bodies)
			assertErrorBody(await post({ raw }), 400, 'bad_request', `body ${raw.toString('hex')}`);
		const blogRaw = Buffer.concat([Buffer.from(`{"id":"${uniqueId('utf')}","title":"bad `), Buffer.from([0xff]), Buffer.from('"}')]);
		assertErrorBody(await api(s.base, 'POST', '/api/blogs', { raw: blogRaw, token: s.adminToken }), 400, 'bad_request', 'blog title');
		await unchanged();
	});

	it('bad PATCH/DELETE input changes nothing', async () => {
		const id = baseline.events[0].entry.id;
		const p = `/api/blogs/${b.id}/entries/${id}`;
		assertErrorBody(await api(s.base, 'PATCH', p, { raw: '{"text":', token: b.editor_token }), 400, 'bad_request', 'malformed');
		assertErrorBody(await api(s.base, 'PATCH', p, { body: { text: 1 }, token: b.editor_token }), 400, 'bad_request', 'type');
		assertErrorBody(await api(s.base, 'PATCH', p, { body: { text: 'x' }, token: 'bad' }), 401, 'unauthorized', 'token');
		assertErrorBody(await api(s.base, 'DELETE', p, { token: 'bad' }), 401, 'unauthorized', 'delete token');
		assertErrorBody(await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${randomUUID()}`, { body: { text: 'x' }, token: b.editor_token }), 404, 'not_found', 'unknown entry');
		await unchanged();
	});

	it('unknown API routes → 404 JSON', async () => {
		for (const p of ['/api/nothing', '/api/blogs/x/y/z/w', `/api/blogs/${b.id}/unknown`]) {
			const res = await api(s.base, 'GET', p);
			assertErrorBody(res, 404, 'not_found', p);
		}
		await unchanged();
	});
});

describe('static files stay inside --www', { timeout: 60000 }, () => {
	let s;
	let root;
	const SECRET = `secret-${randomUUID()}`;

	before(async () => {
		root = tempDir('liveblog-www-');
		const www = path.join(root, 'www');
		fs.cpSync(path.join(REPO_ROOT, 'www'), www, { recursive: true });
		fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
		fs.writeFileSync(path.join(www, 'inside-probe.txt'), 'inside');
		s = await startStack({ daemon: { www } });
	});
	after(async () => { await s?.stop(); });

	const probes = [
		'/../secret.txt', '/../../etc/passwd', '/../../../../../../etc/passwd',
		'/%2e%2e/secret.txt', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
		'/%2e%2e%2fsecret.txt', '/..%2fsecret.txt', '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
		'/%252e%252e/secret.txt', '/.%2e/secret.txt', '/%2e./secret.txt',
		'/..\\secret.txt', '/..%5csecret.txt', '//etc/passwd', '/./../secret.txt',
		'/static/../../secret.txt', '/static/%2e%2e/%2e%2e/secret.txt',
		'/blogs/../../secret.txt', '/blogs/%2e%2e%2f%2e%2e%2fsecret.txt',
		'/css/../../secret.txt', '/inside-probe.txt/../../secret.txt',
		'/%c0%ae%c0%ae/secret.txt', '/..%00/secret.txt', '/secret.txt%00.html',
		`/${'../'.repeat(20)}etc/passwd`,
	];

	it('no traversal probe returns a file from outside www', async () => {
		for (const p of probes) {
			const res = await rawHttp(s.daemon.port,
				`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
			const leaked = res.raw.includes(SECRET) || /root:.*:0:0:/.test(res.raw);
			assert.ok(!leaked, `GET ${p} leaked a file outside www (status ${res.status})`);
			assert.ok(res.status === null || res.status >= 300, `GET ${p}: status ${res.status} for a path outside www`);
		}
		assert.equal((await api(s.base, 'GET', '/healthz')).status, 200);
	});

	it('absolute-form and odd request targets do not leak either', async () => {
		for (const target of ['http://127.0.0.1/../secret.txt', '../secret.txt', `${root}/secret.txt`, '/etc/passwd']) {
			const res = await rawHttp(s.daemon.port,
				`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
			assert.ok(!res.raw.includes(SECRET) && !/root:.*:0:0:/.test(res.raw), `GET ${target} leaked`);
		}
		assert.equal((await api(s.base, 'GET', '/healthz')).status, 200);
	});
});
