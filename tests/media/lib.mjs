/*
 * lib.mjs — pictures for the tests, made on the spot with Debian tools
 * (nothing from the internet), and the upload call.
 *
 *   makeImages() -> [{name, path, type, width, height, bytes, buf, id}]
 *                   every file of make-images.sh (JPEG, PNG, WebP, GIF and
 *                   the demo's picture), made once per process
 *   noiseJpeg(width, height, {seed, quality}) -> {path, buf, id, ...}
 *                   a grey noise JPEG (pgmnoise | pnmtojpeg): incompressible,
 *                   so its size is chosen by its pixels (500x400 q90 ≈ 160 KB)
 *   sha256(buf) -> hex
 *   upload(base, blogId, token, buf, type, {headers}) -> {status, json, text}
 *   getMedia(base, id, {headers, method}) -> {status, headers, buf}
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '../integration/harness.mjs';

let made = null;

export function sha256(buf) {
	return createHash('sha256').update(buf).digest('hex');
}

export function makeImages() {
	if (made)
		return made;
	const dir = tempDir('liveblog-media-');
	execFileSync('sh', [path.join(REPO_ROOT, 'tests/media/make-images.sh'), dir], { stdio: 'pipe' });
	made = fs.readFileSync(path.join(dir, 'manifest'), 'utf8').trim().split('\n').map((line) => {
		const [name, type, width, height] = line.split(' ');
		const p = path.join(dir, name);
		const buf = fs.readFileSync(p);
		return { name, path: p, type, width: Number(width), height: Number(height),
			bytes: buf.length, buf, id: sha256(buf) };
	});
	return made;
}

export function noiseJpeg(width, height, { seed = 1, quality = 90 } = {}) {
	const dir = tempDir('liveblog-noise-');
	const p = path.join(dir, `noise-${width}x${height}-${seed}.jpg`);
	execFileSync('sh', ['-c', `pgmnoise -randomseed=${seed} ${width} ${height} | ` +
		`pnmtojpeg -quiet -quality=${quality} > '${p}'`], { stdio: 'pipe' });
	const buf = fs.readFileSync(p);
	return { name: path.basename(p), path: p, type: 'image/jpeg', width, height,
		bytes: buf.length, buf, id: sha256(buf) };
}

export async function upload(base, blogId, token, buf, type, { headers = {} } = {}) {
	const h = { ...headers };
	if (type)
		h['content-type'] = type;
	if (token)
		h.authorization = `Bearer ${token}`;
	let res;
	try {
		res = await fetch(`${base}/api/blogs/${blogId}/media`, {
			method: 'POST', headers: h, body: buf, signal: AbortSignal.timeout(30000),
		});
	} catch (e) {
		throw new Error(`upload of ${buf.length} bytes to ${blogId}: ${e.message} (${e.cause?.code ?? e.cause?.message ?? 'no cause'})`);
	}
	const text = await res.text();
	let json = null;
	try { json = JSON.parse(text); } catch { }
	return { status: res.status, json, text, headers: Object.fromEntries(res.headers) };
}

export async function getMedia(base, id, { headers = {}, method = 'GET' } = {}) {
	const res = await fetch(`${base}/media/${id}`, { method, headers, signal: AbortSignal.timeout(30000) });
	const buf = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, buf };
}
