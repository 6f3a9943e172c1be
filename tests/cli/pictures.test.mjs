// The CLI and pictures (SPEC "Pictures"): post --image FILE --alt TEXT
// [--caption T] [--credit C] (repeatable) uploads then posts; export writes
// each picture once, before the first event that uses it, as a base64
// "media" line; import uploads them, so a blog moves to another server
// (another Redis) whole and its pictures are served there. Plus the bad
// arguments, bad files, bad lines and a server that lies about the bytes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, createBlog, allEvents, tempDir, api } from '../integration/harness.mjs';
import { run, oneLine, startFake, reply } from './cli.mjs';
import { makeImages, getMedia, sha256 } from '../media/lib.mjs';

describe('liveblog post --image, export and import of pictures', { timeout: 180000 }, () => {
	let a, b, imgs;
	const cli = (stack, args, token, opts = {}) =>
		run(args, { env: { LIVEBLOG_SERVER: stack.base, ...(token ? { LIVEBLOG_TOKEN: token } : {}) }, ...opts });

	before(async () => {
		a = await startStack();
		b = await startStack();   // another server with its own Redis
		const all = makeImages();
		imgs = {
			demo: all.find((i) => i.name === 'demo.jpg'), png: all.find((i) => i.name === 'png-alpha.png'),
			gif: all.find((i) => i.name === 'gif-640x360.gif'), webp: all.find((i) => i.name === 'webp-lossless.webp'),
			exif: all.find((i) => i.name === 'jpeg-exif6.jpg'),
		};
	});
	after(async () => {
		await a?.stop();
		await b?.stop();
	});

	it('post with two pictures: uploaded, then the entry names them with alt, caption and credit', async () => {
		const blog = await createBlog(a, { title: 'CLI pictures' });
		const r = await cli(a, ['post', blog.id, '--image', imgs.demo.path, '--alt', 'Une ville au crépuscule',
			'--caption', 'Le soir', '--credit', 'Illustration', '--title', 'Deux images',
			'--image', imgs.exif.path, '--alt=Tournée', 'Texte avec https://example.org'], blog.editor_token);
		assert.equal(r.code, 0, r.stderr);
		const entry = JSON.parse(r.stdout);
		assert.deepEqual(entry.media, [
			{ id: imgs.demo.id, type: 'image/jpeg', width: 1200, height: 675, url: `/media/${imgs.demo.id}`,
				alt: 'Une ville au crépuscule', caption: 'Le soir', credit: 'Illustration' },
			{ id: imgs.exif.id, type: 'image/jpeg', width: 360, height: 640, url: `/media/${imgs.exif.id}`,
				alt: 'Tournée' },
		]);
		assert.equal(entry.title, 'Deux images');
		const got = await getMedia(a.base, imgs.demo.id);
		assert.ok(got.buf.equals(imgs.demo.buf));
	});

	it('bad picture options are usage errors (exit 2), bad files a one-line error (exit 1); nothing posted', async () => {
		const blog = await createBlog(a, { title: 'CLI bad pictures' });
		const text = path.join(tempDir('liveblog-cli-'), 'notes.png');
		fs.writeFileSync(text, 'not a picture at all');
		const cases = [
			[['--alt', 'x', '--image', imgs.png.path, '--alt', 'y'], 2, /--alt describes a picture: give --image FILE first/],
			[['--image', imgs.png.path], 2, /--image .*png-alpha\.png needs --alt TEXT/],
			[['--image', imgs.png.path, '--alt', '   '], 2, /needs --alt TEXT/],
			[['--image', imgs.png.path, '--alt', 'a', '--alt', 'b'], 2, /--alt given twice/],
			[[...Array(5).fill(0).flatMap(() => ['--image', imgs.png.path, '--alt', 'a'])], 2, /at most 4 pictures/],
			[['--image', '/nonexistent/x.jpg', '--alt', 'a'], 1, /\/nonexistent\/x\.jpg/],
			[['--image', text, '--alt', 'a'], 1, /notes\.png: .*(JPEG|PNG|WebP|GIF|picture)/],
		];
		for (const [args, code, re] of cases) {
			const r = await cli(a, ['post', blog.id, ...args, 'text'], blog.editor_token);
			assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
			const line = oneLine(code === 2 ? r.stderr.split('\n')[0] : r.stderr);
			assert.ok(line, `one line: ${r.stderr}`);
			assert.match(line, re);
		}
		assert.deepEqual(await allEvents(a.base, blog.id), []);
		const r = await cli(a, ['post', blog.id, '--image', imgs.png.path, '--alt', 'a', 'text'], 'wrong-token');
		assert.equal(r.code, 1);
		assert.match(oneLine(r.stderr), /401/);
	});

	it('export writes each picture once before its first use; import on another server moves the blog whole', async () => {
		const src = await createBlog(a, { title: 'À exporter' });
		const post = async (args) => {
			const r = await cli(a, ['post', src.id, ...args], src.editor_token);
			assert.equal(r.code, 0, r.stderr);
			return JSON.parse(r.stdout);
		};
		const e1 = await post(['--image', imgs.png.path, '--alt', 'Dégradé', 'Premier']);
		await post(['Sans image']);
		const e3 = await post(['--image', imgs.gif.path, '--alt', 'GIF', '--image', imgs.png.path, '--alt', 'Encore', 'Deux']);
		let res = await api(a.base, 'PATCH', `/api/blogs/${src.id}/entries/${e1.id}`, { token: src.editor_token,
			body: { media: [{ id: imgs.webp.id, alt: 'WebP' }] } });
		assert.equal(res.status, 400, `the webp is not the blog's yet: ${res.text}`);
		const e4 = await post(['--image', imgs.webp.path, '--alt', 'WebP', 'Quatre']);
		res = await api(a.base, 'PATCH', `/api/blogs/${src.id}/entries/${e1.id}`, { token: src.editor_token,
			body: { media: [] } });
		assert.equal(res.status, 200, res.text);
		res = await api(a.base, 'DELETE', `/api/blogs/${src.id}/entries/${e3.id}`, { token: src.editor_token });
		assert.equal(res.status, 200);
		assert.equal((await cli(a, ['end', src.id], src.editor_token)).code, 0);

		const out = await cli(a, ['export', src.id]);
		assert.equal(out.code, 0, out.stderr);
		const lines = out.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(lines.map((l) => (l.type === 'media' ? `media:${l.id.slice(0, 6)}` : l.type)), [
			`media:${imgs.png.id.slice(0, 6)}`, 'entry', 'entry', `media:${imgs.gif.id.slice(0, 6)}`, 'entry',
			`media:${imgs.webp.id.slice(0, 6)}`, 'entry', 'edit', 'delete', 'ended',
		]);
		for (const l of lines.filter((x) => x.type === 'media')) {
			const img = Object.values(imgs).find((i) => i.id === l.id);
			assert.equal(l.content_type, img.type);
			assert.ok(Buffer.from(l.data, 'base64').equals(img.buf), 'base64 of the bytes');
			assert.deepEqual(Object.keys(l).sort(), ['content_type', 'data', 'id', 'type']);
		}
		const file = path.join(tempDir('liveblog-cli-'), 'export.jsonl');
		fs.writeFileSync(file, out.stdout);

		const dst = await createBlog(b, { title: 'Importé' });
		const imp = await cli(b, ['import', dst.id, file], dst.editor_token);
		assert.equal(imp.code, 0, imp.stderr);
		assert.equal(imp.stdout, `imported 4 entries, 1 edits, 1 deletions, 3 pictures into ${dst.id} and ended it\n`);
		const there = await allEvents(b.base, dst.id);
		const here = await allEvents(a.base, src.id);
		assert.deepEqual(there.map((e) => e.entry?.media ?? null), here.map((e) => e.entry?.media ?? null));
		assert.deepEqual(there.find((e) => e.entry?.id === e4.id).entry.media.map((m) => m.alt), ['WebP']);
		for (const img of [imgs.png, imgs.gif, imgs.webp]) {
			const got = await getMedia(b.base, img.id);
			assert.equal(got.status, 200, img.name);
			assert.ok(got.buf.equals(img.buf), `${img.name} served by the other server`);
		}
		assert.equal(b.redis.cli('HLEN', `lb:blog:${dst.id}:media`).trim(), '3');
		// a second run changes nothing (the blog has ended: the first write is refused)
		const again = await cli(b, ['import', dst.id, file], dst.editor_token);
		assert.equal(again.code, 1);
		assert.match(oneLine(again.stderr), /409|ended/);
	});

	it('import checks every picture line first: bad base64 or bytes that are not the id change nothing', async () => {
		const dst = await createBlog(b, { title: 'Refus' });
		const good = JSON.stringify({ type: 'media', id: imgs.png.id, content_type: 'image/png',
			data: imgs.png.buf.toString('base64') });
		const entry = JSON.stringify({ type: 'entry', seq: '1-0', entry: { id: '0f8fad5b-d9cb-469f-a165-70867728950e',
			seq: '1-0', ts: '2026-01-01T00:00:00.000Z', text: 't', media: [{ id: imgs.png.id, type: 'image/png',
				width: 640, height: 360, url: `/media/${imgs.png.id}`, alt: 'a' }] } });
		const bad = [
			{ type: 'media', id: imgs.png.id, content_type: 'image/png', data: 'not base64!' },
			{ type: 'media', id: imgs.png.id, content_type: 'image/png', data: imgs.gif.buf.toString('base64') },
			{ type: 'media', id: imgs.png.id, content_type: 'image/svg+xml', data: imgs.png.buf.toString('base64') },
			{ type: 'media', id: 'abc', content_type: 'image/png', data: '' },
			{ type: 'media', id: imgs.png.id, content_type: 'image/png', data: imgs.png.buf.toString('base64').slice(0, -4) },
		];
		for (const line of bad) {
			const file = path.join(tempDir('liveblog-cli-'), 'bad.jsonl');
			fs.writeFileSync(file, `${good}\n${entry}\n${JSON.stringify(line)}\n`);
			const r = await cli(b, ['import', dst.id, file], dst.editor_token);
			assert.equal(r.code, 1, r.stderr);
			assert.match(oneLine(r.stderr), /line 3/);
		}
		assert.deepEqual(await allEvents(b.base, dst.id), []);
		assert.equal(b.redis.cli('HLEN', `lb:blog:${dst.id}:media`).trim(), '0');
		const file = path.join(tempDir('liveblog-cli-'), 'ok.jsonl');
		fs.writeFileSync(file, `${good}\n${entry}\n`);
		const r = await cli(b, ['import', dst.id, file], dst.editor_token);
		assert.equal(r.code, 0, r.stderr);
		assert.equal((await allEvents(b.base, dst.id))[0].entry.media[0].id, imgs.png.id);
	});

	it('export from a server that sends other bytes than a picture\'s id: a one-line error, exit 1', async () => {
		const id = imgs.png.id;
		const ev = { type: 'entry', seq: '1-0', entry: { id: '0f8fad5b-d9cb-469f-a165-70867728950e', seq: '1-0',
			ts: '2026-01-01T00:00:00.000Z', text: 't', media: [{ id, type: 'image/png', width: 640, height: 360,
				url: `/media/${id}`, alt: 'a' }] } };
		const fake = await startFake((req, body, res) => {
			if (req.url.startsWith('/api/blogs/x/events'))
				return reply(res, 200, { events: req.url.includes('since=') ? [] : [ev], next: '1-0' });
			if (req.url === `/media/${id}`) {
				res.writeHead(200, { 'content-type': 'image/png', 'content-length': imgs.gif.bytes });
				return res.end(imgs.gif.buf);
			}
			return reply(res, 404, { error: 'not_found', message: 'No.' });
		});
		try {
			const r = await run(['export', 'x'], { env: { LIVEBLOG_SERVER: fake.url } });
			assert.equal(r.code, 1);
			assert.match(oneLine(r.stderr), new RegExp(`picture ${id}: the server sent other bytes \\(SHA-256 ${sha256(imgs.gif.buf)}\\)`));
			assert.equal(r.stdout, '', 'nothing printed before the picture it needs');
		} finally {
			await fake.close();
		}
	});
});
