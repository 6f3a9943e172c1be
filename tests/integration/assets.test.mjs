// SPEC.md "Running": the pages and static files are compiled into liveblogd;
// it serves them from any working directory and any install prefix with no
// flag, and `--www DIR` serves a directory instead (development). Static
// files from memory carry a strong ETag with Cache-Control: no-cache (304 on
// revalidation), HEAD works, and no path reaches a file outside the pages.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
	startRedis, startDaemon, api, rawHttp, createBlog, postEntry, uniqueId,
	tempDir, REPO_ROOT, DAEMON_BIN,
} from './harness.mjs';

const WWW = path.join(REPO_ROOT, 'www');
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.svg': 'image/svg+xml',
};
/* what the pages reference today: the crawl below must reach at least these */
const MUST_REACH = ['/style.css', '/favicon.svg', '/index.js', '/reader.js',
	'/edit.js', '/render.js', '/feed.js'];

/* Same-origin files a page or script refers to: src/href and ES imports. */
function references(text) {
	const out = new Set();
	for (const m of text.matchAll(/\b(?:src|href)="(\/[A-Za-z0-9._-]+\.[a-z]+)"/g))
		out.add(m[1]);
	for (const m of text.matchAll(/\bfrom\s+['"](\/[A-Za-z0-9._-]+\.js)['"]/g))
		out.add(m[1]);
	return out;
}

/* GET path: 200 (or want), the Content-Type of its extension. */
async function getTyped(base, p, { status = 200, type = TYPES['.html'] } = {}) {
	const res = await api(base, 'GET', p);
	assert.equal(res.status, status, `GET ${p}: status ${res.status}: ${res.text.slice(0, 200)}`);
	assert.equal(res.headers['content-type'], type, `GET ${p}: Content-Type`);
	return res;
}

/*
 * The whole site as a browser sees it, served by daemon d whose pages are
 * the files of wwwDir: the three pages, every file they and their scripts
 * refer to (byte for byte), a blog's reader page rendered from blog.html,
 * and the 404 page. Returns the files reached.
 */
async function checkSite(d, wwwDir = WWW) {
	const blog = await createBlog(d, { id: uniqueId('assets') });
	const text = `assets-entry-${randomUUID()}`;
	await postEntry(d, blog, { text });
	const queue = [];
	const seen = new Set();
	const pages = { '/': 'index.html', [`/blogs/${blog.id}/edit`]: 'edit.html' };
	for (const [p, file] of Object.entries(pages)) {
		const res = await getTyped(d.base, p);
		assert.equal(res.text, fs.readFileSync(path.join(wwwDir, file), 'utf8'), `GET ${p} is ${file}`);
		queue.push(...references(res.text));
	}
	const reader = await getTyped(d.base, `/blogs/${blog.id}`);
	assert.ok(reader.text.includes(text), 'the reader page holds the entry (rendered from blog.html)');
	queue.push(...references(reader.text));
	while (queue.length) {
		const p = queue.shift();
		if (seen.has(p))
			continue;
		seen.add(p);
		const type = TYPES[path.extname(p)];
		assert.ok(type, `${p}: a type this test knows`);
		const res = await getTyped(d.base, p, { type });
		assert.equal(res.text, fs.readFileSync(path.join(wwwDir, p.slice(1)), 'utf8'), `GET ${p}: the file's bytes`);
		if (p.endsWith('.js'))
			queue.push(...references(res.text));
	}
	for (const p of MUST_REACH)
		assert.ok(seen.has(p), `the pages refer to ${p} (reached: ${[...seen].join(' ')})`);
	const notFound = fs.readFileSync(path.join(wwwDir, '404.html'), 'utf8');
	for (const p of ['/no-such-page', '/blogs/no-such-blog-here', '/no-such-file.js'])
		assert.equal((await getTyped(d.base, p, { status: 404 })).text, notFound, `GET ${p}: the 404 page`);
	return { blog, files: [...seen] };
}

/* Requests that try to leave the pages; each must get 404 and no secret. */
const PROBES = [
	'/../secret.txt', '/../../etc/passwd', `/${'../'.repeat(20)}etc/passwd`,
	'/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%2fsecret.txt',
	'/..%2F..%2F..%2F..%2Fetc%2Fpasswd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
	'/.%2e/secret.txt', '/%2e./secret.txt', '/./../secret.txt',
	'/blogs/../../secret.txt', '/blogs/%2e%2e%2f%2e%2e%2fsecret.txt',
	'/style.css/../../secret.txt', '/secret.txt', '/www/secret.txt',
	'/var/../secret.txt', '/%252e%252e/secret.txt',
];

async function checkTraversal(d, secret) {
	for (const p of PROBES) {
		const res = await rawHttp(d.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
		assert.ok(!res.raw.includes(secret) && !/root:.*:0:0:/.test(res.raw), `GET ${p} leaked a file`);
		assert.equal(res.status, 404, `GET ${p}: status`);
	}
	assert.equal((await api(d.base, 'GET', '/healthz')).status, 200);
}

/*
 * HEAD: the GET's status and headers, no body. pipelined: a GET follows on
 * the same connection and its response must start right after the head
 * (with --www, lws' own file serving answers a pipelined request 403, as
 * it does after a GET: pipelining is checked on the compiled-in pages).
 */
async function checkHead(d, p, len, { pipelined = true } = {}) {
	const res = await rawHttp(d.port, pipelined ?
		`HEAD ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n` +
		'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' :
		`HEAD ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
	assert.equal(res.status, 200, `HEAD ${p}: ${res.raw.slice(0, 200)}`);
	assert.equal(Number(res.headers['content-length']), len, `HEAD ${p}: the GET's Content-Length`);
	assert.equal(res.headers['content-type'], TYPES[path.extname(p)] ?? TYPES['.html'], `HEAD ${p}: Content-Type`);
	if (pipelined)
		assert.match(res.body, /^HTTP\/1\.1 200 /, `HEAD ${p}: no body before the next response`);
	else
		assert.equal(res.body, '', `HEAD ${p}: no body`);
}

describe('compiled-in pages: no --www, an empty working directory', { timeout: 120000 }, () => {
	let redis;
	let d;
	let blog;
	let site;

	before(async () => {
		redis = await startRedis();
		d = await startDaemon({ redisUrl: redis.url, www: false, cwd: tempDir('liveblog-cwd-') });
		blog = await createBlog(d, { id: uniqueId('assets') });
	});
	after(async () => { await d?.stop(); await redis?.stop(); });

	it('serves every page, every file they refer to and the 404 page', async () => {
		site = await checkSite(d);
	});

	it('each file has a strong ETag and Cache-Control: no-cache; If-None-Match gets 304', async () => {
		const files = [...(site?.files ?? MUST_REACH), '/', `/blogs/${blog.id}/edit`];
		for (const p of files) {
			const res = await api(d.base, 'GET', p);
			const etag = res.headers.etag;
			assert.match(etag ?? '', /^"[0-9a-f]{32}"$/, `GET ${p}: a strong ETag`);
			assert.equal(res.headers['cache-control'], 'no-cache', `GET ${p}: revalidate each time`);
			for (const inm of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
				const again = await api(d.base, 'GET', p, { headers: { 'if-none-match': inm } });
				assert.equal(again.status, 304, `GET ${p} If-None-Match: ${inm}`);
				assert.equal(again.text, '', `304 for ${p} has no body`);
				assert.equal(again.headers.etag, etag);
			}
			const other = await api(d.base, 'GET', p, { headers: { 'if-none-match': '"0123"' } });
			assert.equal(other.status, 200, `GET ${p} with another ETag`);
			assert.equal(other.text, res.text);
		}
	});

	it('HEAD answers the headers of GET without the body', async () => {
		for (const p of ['/', '/style.css', '/reader.js', '/favicon.svg', `/blogs/${blog.id}/edit`,
			`/blogs/${blog.id}`]) {
			const get = await api(d.base, 'GET', p);
			await checkHead(d, p, Buffer.byteLength(get.text));
		}
		const res = await rawHttp(d.port, 'HEAD /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.equal(res.status, 404);
		assert.equal(res.body, '', 'HEAD of the 404 page: no body');
	});

	it('a www/ in the working directory is not served: no disk access', async () => {
		const cwd = tempDir('liveblog-cwd-');
		const secret = `secret-${randomUUID()}`;
		fs.cpSync(WWW, path.join(cwd, 'www'), { recursive: true });
		for (const f of ['index.html', 'style.css', 'blog.html', '404.html'])
			fs.appendFileSync(path.join(cwd, 'www', f), `\n<!-- ${secret} -->\n`);
		fs.writeFileSync(path.join(cwd, 'secret.txt'), secret);
		fs.writeFileSync(path.join(cwd, 'www', 'secret.txt'), secret);
		const d2 = await startDaemon({ redisUrl: redis.url, www: false, cwd });
		try {
			await checkSite(d2);
			await checkTraversal(d2, secret);
		} finally {
			await d2.stop();
		}
	});

	it('traversal attempts get 404', async () => {
		await checkTraversal(d, 'no-secret-in-this-mode:' + randomUUID());
	});
});

describe('make install PREFIX=DIR: the installed liveblogd run from another directory', { timeout: 120000 }, () => {
	let redis;
	let prefix;

	before(async () => {
		redis = await startRedis();
		prefix = tempDir('liveblog-prefix-');
		/* install what is under test (its build dir), never rebuilding it */
		execFileSync('make', ['-s', '-C', REPO_ROOT, '-o', 'all', 'install', `PREFIX=${prefix}`,
			`BUILD=${path.dirname(DAEMON_BIN)}`, 'DESTDIR='], { stdio: 'pipe' });
	});
	after(async () => { await redis?.stop(); });

	it('installs the binaries only', () => {
		assert.deepEqual(fs.readdirSync(prefix).sort(), ['bin']);
		assert.deepEqual(fs.readdirSync(path.join(prefix, 'bin')).sort(), ['liveblog', 'liveblogd']);
	});

	it('serves every page and file with no flag', async () => {
		const d = await startDaemon({
			redisUrl: redis.url, www: false, bin: path.join(prefix, 'bin', 'liveblogd'),
			cwd: tempDir('liveblog-cwd-'),
		});
		try {
			const { files } = await checkSite(d);
			const res = await api(d.base, 'GET', files[0]);
			const again = await api(d.base, 'GET', files[0], { headers: { 'if-none-match': res.headers.etag } });
			assert.equal(again.status, 304, `revalidating ${files[0]}`);
		} finally {
			await d.stop();
		}
	});
});

describe('--www DIR serves that directory, read per request', { timeout: 120000 }, () => {
	let redis;
	let d;
	let root;
	let www;
	const secret = `secret-${randomUUID()}`;

	before(async () => {
		redis = await startRedis();
		root = tempDir('liveblog-www-');
		www = path.join(root, 'www');
		fs.cpSync(WWW, www, { recursive: true });
		fs.appendFileSync(path.join(www, 'style.css'), '\n/* edited for the test */\n');
		fs.writeFileSync(path.join(www, 'blog.html'), fs.readFileSync(path.join(WWW, 'blog.html'), 'utf8')
			.replace('</body>', '<p id="dev-marker">edited template</p>\n</body>'));
		fs.appendFileSync(path.join(www, '404.html'), '\n<!-- edited 404 -->\n');
		fs.writeFileSync(path.join(root, 'secret.txt'), secret);
		d = await startDaemon({ redisUrl: redis.url, www, cwd: tempDir('liveblog-cwd-') });
	});
	after(async () => { await d?.stop(); await redis?.stop(); });

	it('serves the modified bytes of the directory', async () => {
		const { blog } = await checkSite(d, www);
		const page = await api(d.base, 'GET', `/blogs/${blog.id}`);
		assert.ok(page.text.includes('<p id="dev-marker">edited template</p>'), 'blog.html from DIR');
		assert.match((await api(d.base, 'GET', '/style.css')).text, /edited for the test/);
	});

	it('an edit shows on the next request (no reload)', async () => {
		fs.appendFileSync(path.join(www, 'style.css'), '/* second edit */\n');
		fs.appendFileSync(path.join(www, '404.html'), '<!-- second 404 edit -->\n');
		assert.match((await getTyped(d.base, '/style.css', { type: TYPES['.css'] })).text, /second edit/);
		assert.match((await getTyped(d.base, '/nope', { status: 404 })).text, /second 404 edit/);
	});

	it('HEAD works', async () => {
		const css = fs.statSync(path.join(www, 'style.css')).size;
		await checkHead(d, '/style.css', css, { pipelined: false });
		await checkHead(d, '/', fs.statSync(path.join(www, 'index.html')).size, { pipelined: false });
	});

	it('traversal attempts get 404', async () => {
		await checkTraversal(d, secret);
	});
});
