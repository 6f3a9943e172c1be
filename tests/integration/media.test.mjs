// Pictures: POST /api/blogs/{id}/media and GET /media/{sha256} (SPEC "Pictures").
// Real files of each format (tests/media/make-images.sh, netpbm and cwebp),
// real Redis, real daemons; raw sockets where the order of bytes matters.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
	startStack, startDaemon, api, createBlog, uniqueId, assertErrorBody, sleep,
	waitUntil,
} from './harness.mjs';
import { makeImages, noiseJpeg, sha256, upload, getMedia } from '../media/lib.mjs';

/* calls of one Redis command so far (INFO commandstats) */
function calls(redis, cmd) {
	const m = new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(redis.cli('INFO', 'commandstats'));
	return m ? Number(m[1]) : 0;
}

/* every picture key in Redis */
function mediaKeys(redis) {
	return redis.cli('--scan', '--pattern', 'lb:media:*').split('\n').filter(Boolean).sort();
}

/*
 * Sends head (and then body, unless null) on a raw socket; resolves with
 * the first response's status, its body and whether it came before any
 * body byte was written.
 */
function rawUpload(port, head, body, { waitMs = 3000 } = {}) {
	return new Promise((resolve) => {
		const sock = net.connect(port, '127.0.0.1');
		let got = Buffer.alloc(0), sentBody = false, done = false;
		const finish = (why) => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			sock.destroy();
			const text = got.toString('latin1');
			const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
			const sep = text.indexOf('\r\n\r\n');
			const cl = /content-length: *(\d+)/i.exec(text.slice(0, sep));
			resolve({ status: m ? Number(m[1]) : null, text, beforeBody: !sentBody, why,
				body: text.slice(sep + 4, cl ? sep + 4 + Number(cl[1]) : undefined) });
		};
		const timer = setTimeout(() => finish('timeout'), waitMs + 5000);
		sock.on('data', (d) => {
			got = Buffer.concat([got, d]);
			const sep = got.indexOf('\r\n\r\n');
			const m = sep > 0 && /content-length: *(\d+)/i.exec(got.subarray(0, sep).toString());
			if (m && got.length >= sep + 4 + Number(m[1]))
				finish('response');
		});
		sock.on('close', () => finish('closed'));
		sock.on('error', () => finish('error'));
		sock.on('connect', async () => {
			sock.write(head);
			if (body === null)
				return;
			await sleep(waitMs);
			if (done)
				return;
			sentBody = true;
			sock.write(body);
		});
	});
}

const head = (blog, { token, type = 'image/jpeg', length }) =>
	`POST /api/blogs/${blog}/media HTTP/1.1\r\nHost: x\r\n` +
	(token ? `Authorization: Bearer ${token}\r\n` : '') +
	(type ? `Content-Type: ${type}\r\n` : '') +
	`Content-Length: ${length}\r\n\r\n`;

describe('pictures: upload', { timeout: 120000 }, () => {
	let s, b, images;
	before(async () => {
		images = makeImages();
		s = await startStack();
		b = await createBlog(s, { id: uniqueId('media') });
	});
	after(async () => { await s?.stop(); });

	it('each format uploads: 201 {id: sha256, type, width, height, bytes, url} read from the bytes', async () => {
		assert.ok(images.length >= 24, 'make-images made every file');
		for (const img of images) {
			const res = await upload(s.base, b.id, b.editor_token, img.buf, img.type);
			assert.equal(res.status, 201, `${img.name}: ${res.text}`);
			assert.deepEqual(res.json, {
				id: img.id, type: img.type, width: img.width, height: img.height,
				bytes: img.bytes, url: `/media/${img.id}`,
			}, img.name);
			assert.equal(res.headers['content-type'], 'application/json');
		}
		assert.equal(Number(s.redis.cli('HLEN', `lb:blog:${b.id}:media`)), images.length);
	});

	it('the same bytes again: 200 and the same object, stored once; another blog: 201 and still one copy', async () => {
		const img = images.find((i) => i.name === 'png-640x360.png');
		const first = await upload(s.base, b.id, b.editor_token, img.buf, img.type);
		const again = await upload(s.base, b.id, b.editor_token, img.buf, 'IMAGE/PNG; x=y');
		assert.equal(first.status, 200, first.text);
		assert.equal(again.status, 200, again.text);
		assert.deepEqual(again.json, first.json);
		const other = await createBlog(s, { id: uniqueId('media-other') });
		const there = await upload(s.base, other.id, other.editor_token, img.buf, img.type);
		assert.equal(there.status, 201, there.text);
		assert.deepEqual(there.json, first.json);
		assert.deepEqual(s.redis.cli('SMEMBERS', `lb:media:${img.id}:blogs`).trim().split('\n').sort(),
			[b.id, other.id].sort());
		assert.equal(s.redis.cli('HGET', `lb:media:${img.id}`, 'data').length > 0, true);
	});

	it('wrong or missing Content-Type → 400 and nothing stored', async () => {
		const jpg = noiseJpeg(64, 48, { seed: 11 });
		const before = mediaKeys(s.redis);
		for (const type of ['image/png', 'image/gif', 'image/webp', 'image/svg+xml',
			'application/octet-stream', 'text/plain', 'image/jpg', '']) {
			const res = await upload(s.base, b.id, b.editor_token, jpg.buf, type || undefined,
				type ? {} : { headers: { 'content-type': '' } });
			assertErrorBody(res, 400, 'bad_request', `Content-Type ${JSON.stringify(type)}`);
			assert.match(res.json.message, type.startsWith('image/') && type !== 'image/svg+xml' &&
				type !== 'image/jpg' ? /says image\/\w+ but the bytes are image\/jpeg/ : /Content-Type must be/,
			type);
		}
		assert.deepEqual(mediaKeys(s.redis), before);
		assert.equal(s.redis.cli('HEXISTS', `lb:blog:${b.id}:media`, jpg.id).trim(), '0');
	});

	it('truncated or malformed bytes → 400 with what is wrong; nothing stored', async () => {
		const png = images.find((i) => i.type === 'image/png').buf;
		const jpg = images.find((i) => i.type === 'image/jpeg').buf;
		const gif = images.find((i) => i.type === 'image/gif').buf;
		const webp = images.find((i) => i.type === 'image/webp').buf;
		const before = mediaKeys(s.redis);
		const cases = [
			[png.subarray(0, 20), 'image/png', /PNG/],
			[jpg.subarray(0, 12), 'image/jpeg', /JPEG/],
			[gif.subarray(0, 8), 'image/gif', /GIF/],
			[webp.subarray(0, 16), 'image/webp', /WebP|RIFF/],
			[Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png', /./],
			[Buffer.from('GIF89a'), 'image/gif', /GIF/],
			[Buffer.alloc(0), 'image/png', /./],
		];
		for (const [buf, type, re] of cases) {
			const res = await upload(s.base, b.id, b.editor_token, buf, type);
			assertErrorBody(res, 400, 'bad_request', `${type} ${buf.length} bytes`);
			assert.match(res.json.message, re);
			assert.match(res.json.message, /\.$/, 'a sentence');
		}
		assert.deepEqual(mediaKeys(s.redis), before);
	});

	it('no token → 401 answered before any body byte is read; a wrong token → 401 (looked up, then cached)', async () => {
		const res = await rawUpload(s.daemon.port, head(b.id, { length: 1000000 }), null, { waitMs: 0 });
		assert.equal(res.status, 401, res.text);
		assert.equal(res.beforeBody, true);
		assert.equal(JSON.parse(res.body).error, 'unauthorized');
		// a daemon that never saw the blog reads its token hash first (body paused)
		const d2 = await s.addDaemon();
		for (const d of [d2, d2, s.daemon]) {
			const r = await rawUpload(d.port, head(b.id, { token: 'wrong', length: 1000000 }), null, { waitMs: 0 });
			assert.equal(r.status, 401, r.text);
			assert.equal(r.beforeBody, true);
		}
		const f = await upload(s.base, b.id, undefined, images[0].buf, images[0].type);
		assertErrorBody(f, 401, 'unauthorized');
	});

	it('with the token the server waits for the body, then stores it (also on a daemon that looks the token up)', async () => {
		const img = noiseJpeg(120, 90, { seed: 12 });
		const d3 = await s.addDaemon();
		const r = await rawUpload(d3.port, head(b.id, { token: b.editor_token, length: img.bytes }), img.buf,
			{ waitMs: 800 });
		assert.equal(r.beforeBody, false, `no answer before the body: ${r.text}`);
		assert.equal(r.status, 201, r.text);
		assert.equal(JSON.parse(r.body).id, img.id);
	});

	it('unknown blog → 404; ended blog → 409 ended, also for a bad Content-Type or bad bytes', async () => {
		const img = images[0];
		assertErrorBody(await upload(s.base, uniqueId('nope'), b.editor_token, img.buf, img.type), 404, 'not_found');
		const e = await createBlog(s, { id: uniqueId('media-ended') });
		const fresh = noiseJpeg(30, 20, { seed: 13 });
		assert.equal((await upload(s.base, e.id, e.editor_token, img.buf, img.type)).status, 201);
		assert.equal((await api(s.base, 'POST', `/api/blogs/${e.id}/end`, { token: e.editor_token, body: {} })).status, 200);
		assertErrorBody(await upload(s.base, e.id, e.editor_token, fresh.buf, fresh.type), 409, 'ended');
		assertErrorBody(await upload(s.base, e.id, e.editor_token, img.buf, img.type), 409, 'ended', 'even a picture it has');
		assertErrorBody(await upload(s.base, e.id, e.editor_token, fresh.buf, 'image/png'), 409, 'ended');
		assertErrorBody(await upload(s.base, e.id, e.editor_token, Buffer.from('x'), 'image/png'), 409, 'ended');
		// a daemon that reads the blog to check the token knows at once
		const d4 = await s.addDaemon();
		assertErrorBody(await upload(d4.base, e.id, e.editor_token, fresh.buf, fresh.type), 409, 'ended');
		assert.equal(s.redis.cli('HEXISTS', `lb:blog:${e.id}:media`, fresh.id).trim(), '0');
	});

	it('GET /media/{id} on any instance: the bytes, type, nosniff, CSP, immutable caching, ETag; 304; HEAD', async () => {
		const other = await s.addDaemon();
		for (const img of images.filter((i, k) => k % 4 === 0)) {
			for (const base of [s.base, other.base]) {
				const res = await getMedia(base, img.id);
				assert.equal(res.status, 200, img.name);
				assert.ok(res.buf.equals(img.buf), `${img.name}: the same bytes`);
				assert.equal(res.headers.get('content-type'), img.type);
				assert.equal(res.headers.get('content-length'), String(img.bytes));
				assert.equal(res.headers.get('etag'), `"${img.id}"`);
				assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
				assert.match(res.headers.get('x-content-type-options'), /nosniff/);
				assert.ok(res.headers.get('content-security-policy').split(', ').includes("default-src 'none'"),
					res.headers.get('content-security-policy'));
			}
		}
		const img = images[1];
		for (const inm of [`"${img.id}"`, `W/"${img.id}"`, `"x", "${img.id}"`, '*']) {
			const res = await getMedia(other.base, img.id, { headers: { 'if-none-match': inm } });
			assert.equal(res.status, 304, inm);
			assert.equal(res.buf.length, 0);
			assert.equal(res.headers.get('etag'), `"${img.id}"`);
		}
		assert.equal((await getMedia(other.base, img.id, { headers: { 'if-none-match': '"other"' } })).status, 200);
		const h = await getMedia(s.base, img.id, { method: 'HEAD' });
		assert.equal(h.status, 200);
		assert.equal(h.headers.get('content-length'), String(img.bytes));
		assert.equal(h.buf.length, 0);
		const upper = await getMedia(s.base, img.id.toUpperCase());
		assert.ok(upper.buf.equals(img.buf), 'the id is case-insensitive');
	});

	it('unknown picture → 404 not_found; a malformed id → 404; POST on /media → 405', async () => {
		const res = await fetch(`${s.base}/media/${'0'.repeat(64)}`);
		const text = await res.text();
		assertErrorBody({ status: res.status, text, json: JSON.parse(text) }, 404, 'not_found');
		for (const id of ['abc', '0'.repeat(63), '0'.repeat(65), 'g'.repeat(64), `${'0'.repeat(64)}.jpg`])
			assert.equal((await fetch(`${s.base}/media/${id}`)).status, 404, id);
		assert.equal((await fetch(`${s.base}/media/${images[0].id}`, { method: 'POST', body: 'x' })).status, 405);
		assert.equal((await api(s.base, 'GET', `/api/blogs/${b.id}/media`)).status, 405);
	});

	it('read from Redis once per instance, not per reader: 60 concurrent GETs of a new picture cost one read', async () => {
		const img = noiseJpeg(300, 200, { seed: 14 });
		assert.equal((await upload(s.base, b.id, b.editor_token, img.buf, img.type)).status, 201);
		const d = await s.addDaemon();
		const before = calls(s.redis, 'hmget');
		const all = await Promise.all(Array.from({ length: 60 }, () => getMedia(d.base, img.id)));
		assert.ok(all.every((r) => r.status === 200 && r.buf.equals(img.buf)));
		assert.equal(calls(s.redis, 'hmget') - before, 1, 'one read for 60 concurrent readers');
		await Promise.all(Array.from({ length: 40 }, () => getMedia(d.base, img.id)));
		assert.equal(calls(s.redis, 'hmget') - before, 1, 'kept: no read for later readers');
	});
});

describe('pictures: limits and large bodies', { timeout: 120000 }, () => {
	let s, b;
	before(async () => {
		s = await startStack({ daemon: { args: ['--max-media', '2000000', '--cache-mb', '1', '--workers', '1'] } });
		b = await createBlog(s, { id: uniqueId('big') });
	});
	after(async () => { await s?.stop(); });

	it('--max-media replaces --max-body for uploads: a 1 MB picture is stored, a 1 MB entry body is 413', async () => {
		const big = noiseJpeg(1200, 900, { seed: 21, quality: 95 });
		assert.ok(big.bytes > 900000 && big.bytes < 2000000, `${big.bytes} bytes`);
		const res = await upload(s.base, b.id, b.editor_token, big.buf, big.type);
		assert.equal(res.status, 201, res.text);
		assert.equal(res.json.bytes, big.bytes);
		const text = await api(s.base, 'POST', `/api/blogs/${b.id}/entries`,
			{ token: b.editor_token, raw: JSON.stringify({ text: 'x'.repeat(1000000) }) });
		assertErrorBody(text, 413, 'too_large');
	});

	it('Content-Length over --max-media → 413 before the body is read; nothing stored', async () => {
		const before = mediaKeys(s.redis);
		const res = await rawUpload(s.daemon.port, head(b.id, { token: b.editor_token, length: 2000001 }), null,
			{ waitMs: 0 });
		assert.equal(res.status, 413, res.text);
		assert.equal(res.beforeBody, true);
		assert.equal(JSON.parse(res.body).error, 'too_large');
		const over = noiseJpeg(1600, 1200, { seed: 22, quality: 97 });
		assert.ok(over.bytes > 2000000, `${over.bytes}`);
		assertErrorBody(await upload(s.base, b.id, b.editor_token, over.buf, over.type), 413, 'too_large');
		assert.deepEqual(mediaKeys(s.redis), before);
	});

	it('a Content-Length that lies (100, then 3 MB sent): only the 100 declared bytes are the body', async () => {
		const before = mediaKeys(s.redis);
		const res = await rawUpload(s.daemon.port, head(b.id, { token: b.editor_token, length: 100 }),
			Buffer.alloc(3000000, 0x41), { waitMs: 50 });
		// 400 for the 100 bytes, unless the garbage after them (a request
		// line lws refuses) closed the connection before the answer went
		assert.ok(res.status === 400 || res.status === null, `${res.status}: ${res.text.slice(0, 200)}`);
		if (res.status)
			assert.equal(JSON.parse(res.body).error, 'bad_request');
		assert.deepEqual(mediaKeys(s.redis), before);
		assert.equal((await api(s.base, 'GET', '/healthz')).status, 200);
		// no Content-Length (chunked): 411, nothing read
		const chunked = await rawUpload(s.daemon.port,
			`POST /api/blogs/${b.id}/media HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\n` +
			'Content-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n', null, { waitMs: 0 });
		assert.equal(chunked.status, 411, chunked.text);
		assert.deepEqual(mediaKeys(s.redis), before);
	});

	it('a picture larger than the loop\'s budget is served by one read per wave of readers and not kept', async () => {
		const big = noiseJpeg(1200, 900, { seed: 21, quality: 95 });
		const before = calls(s.redis, 'hmget');
		const wave = await Promise.all(Array.from({ length: 20 }, () => getMedia(s.base, big.id)));
		assert.ok(wave.every((r) => r.status === 200 && r.buf.equals(big.buf)), 'every reader got the bytes');
		const reads = calls(s.redis, 'hmget') - before;
		assert.ok(reads >= 1 && reads <= 3, `${reads} reads for 20 concurrent readers`);
		const metrics = await (await fetch(`${s.base}/metrics`)).text();
		const kept = Number(/^liveblog_cache_bytes (\S+)$/m.exec(metrics)[1]);
		assert.ok(kept < 1 << 20, `cache holds ${kept} bytes, within --cache-mb 1`);
		await getMedia(s.base, big.id);
		assert.equal(calls(s.redis, 'hmget') - before, reads + 1, 'not kept: read again');
	});

	it('40 readers of a large picture share the loop\'s turns; half of them hang up midway; the rest get every byte', async () => {
		const big = noiseJpeg(1200, 900, { seed: 21, quality: 95 });
		const runs = Array.from({ length: 40 }, async (_, i) => {
			const ac = new AbortController();
			const res = await fetch(`${s.base}/media/${big.id}`, { signal: ac.signal });
			const reader = res.body.getReader();
			let n = 0;
			try {
				for (;;) {
					const { done, value } = await reader.read();
					if (done)
						break;
					n += value.length;
					if (i % 2 && n > 100000)
						ac.abort();
				}
			} catch {
				return -1;
			}
			return n;
		});
		const got = await Promise.all(runs);
		got.forEach((n, i) => assert.equal(n, i % 2 ? -1 : big.bytes, `reader ${i}`));
		assert.equal((await api(s.base, 'GET', '/healthz')).status, 200);
		assert.ok((await getMedia(s.base, big.id)).buf.equals(big.buf));
	});

	it('a reader that does not read does not hold up others: the large body goes out a chunk at a time', async () => {
		const big = noiseJpeg(1200, 900, { seed: 21, quality: 95 });
		const stuck = net.connect(s.daemon.port, '127.0.0.1');
		await new Promise((r) => stuck.on('connect', r));
		stuck.pause();
		stuck.write(`GET /media/${big.id} HTTP/1.1\r\nHost: x\r\n\r\n`);
		await sleep(300);
		const t0 = Date.now();
		const res = await getMedia(s.base, big.id);
		assert.ok(res.buf.equals(big.buf));
		assert.ok(Date.now() - t0 < 3000, `served in ${Date.now() - t0} ms beside a stuck reader`);
		const h = await api(s.base, 'GET', '/healthz');
		assert.equal(h.status, 200);
		stuck.destroy();
	});
});
