// The reader page in Chromium with permessage-deflate (SPEC "Bandwidth"):
// Chromium offers the extension, the daemon takes it, the entries reach the
// page as compressed frames (RSV1, seen on the wire by a recording proxy
// between the browser and the daemon) and the page renders every one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import {
	startStack, createBlog, postEntry, uniqueId, waitUntil, allEvents,
} from '../integration/harness.mjs';
import { launchBrowser, openPage, entryIds, waitEntry, demoEntries } from './lib.mjs';

/*
 * A TCP proxy to port that keeps, per connection, what the client sent and
 * what the server answered. proxy.port, proxy.conns: [{up, down}] (Buffers
 * so far), proxy.close().
 */
async function recordingProxy(port) {
	const p = { conns: [], socks: new Set() };
	p.server = net.createServer((client) => {
		const c = { up: [], down: [] };
		p.conns.push(c);
		const server = net.connect(port, '127.0.0.1');
		p.socks.add(client);
		p.socks.add(server);
		client.on('data', (d) => { c.up.push(d); server.write(d); });
		server.on('data', (d) => { c.down.push(d); client.write(d); });
		const end = () => { client.destroy(); server.destroy(); };
		client.on('close', end);
		server.on('close', end);
		client.on('error', end);
		server.on('error', end);
	});
	await new Promise((r) => p.server.listen(0, '127.0.0.1', r));
	p.port = p.server.address().port;
	p.close = async () => {
		for (const s of p.socks)
			s.destroy();
		await new Promise((r) => p.server.close(r));
	};
	return p;
}

/* The server→client frames after a 101 head: [{rsv1, opcode, text}]. */
function serverFrames(bytes) {
	const i = bytes.indexOf('\r\n\r\n');
	let b = bytes.subarray(i + 4);
	const out = [];
	while (b.length >= 2) {
		let len = b[1] & 0x7f;
		let off = 2;
		if (len === 126) {
			len = b.readUInt16BE(2);
			off = 4;
		} else if (len === 127) {
			len = Number(b.readBigUInt64BE(2));
			off = 10;
		}
		if (b.length < off + len)
			break;
		const payload = b.subarray(off, off + len);
		const rsv1 = (b[0] & 0x40) !== 0;
		const text = rsv1 ? zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]),
			{ finishFlush: zlib.constants.Z_SYNC_FLUSH }) : payload;
		out.push({ rsv1, opcode: b[0] & 0x0f, wire: off + len, text: text.toString('utf8') });
		b = b.subarray(off + len);
	}
	return out;
}

describe('reader page, compressed', { timeout: 120000 }, () => {
	let s;
	let proxy;
	let browser;
	before(async () => {
		s = await startStack();
		proxy = await recordingProxy(s.daemon.port);
		browser = await launchBrowser();
	});
	after(async () => {
		await browser?.close();
		await proxy?.close();
		await s?.stop();
	});

	it('Chromium negotiates permessage-deflate; the entries arrive compressed and all render', async () => {
		const demo = demoEntries();
		const blog = await createBlog(s, { id: uniqueId('rdz'), title: 'Compressé' });
		await postEntry(s, blog, demo[0]);
		const base = `http://127.0.0.1:${proxy.port}`;
		const view = await openPage(browser, base, `/blogs/${blog.id}`);
		const page = view.page;
		await page.locator('#state-badge', { hasText: 'LIVE' }).waitFor();
		const ws = () => proxy.conns.find((c) => Buffer.concat(c.down).subarray(0, 12).toString() === 'HTTP/1.1 101');
		await waitUntil(() => ws(), { message: 'the page opened its WebSocket through the proxy' });
		for (const e of demo.slice(1))
			await postEntry(s, blog, e);
		const stored = await allEvents(s.base, blog.id);
		for (const ev of stored)
			await waitEntry(page, ev.entry.id);
		assert.deepEqual(await entryIds(page), stored.map((ev) => ev.entry.id).reverse());

		const conn = ws();
		const request = Buffer.concat(conn.up).toString('latin1');
		const down = Buffer.concat(conn.down);
		const head = down.subarray(0, down.indexOf('\r\n\r\n')).toString('latin1');
		assert.match(request, /\r\nSec-WebSocket-Extensions: permessage-deflate/i, 'Chromium offers it');
		assert.match(head, /\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r?$/im);
		const frames = serverFrames(down).filter((f) => f.opcode === 1);
		const live = frames.map((f) => ({ ...f, m: JSON.parse(f.text) }))
			.filter((f) => f.m.type === 'entry');
		const posted = stored.slice(1).map((ev) => ev.entry.id);
		assert.deepEqual(live.map((f) => f.m.entry.id).filter((id) => posted.includes(id)), posted,
			'every live entry came over this socket');
		for (const f of live)
			assert.ok(f.rsv1, `entry ${f.m.entry.id} came compressed`);
		const wire = live.reduce((n, f) => n + f.wire, 0);
		const text = live.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
		assert.ok(wire < 0.75 * text, `compressed ${wire} bytes for ${text} of text`);
		await view.close();
		assert.deepEqual(view.errors, [], 'no script error');
	});
});
