// Keepalive (SPEC: "the server pings idle connections so proxies keep
// them"), now done by liveblogd's own tick (src/push/ws_ka.c) instead of
// lws' per-connection validity timers: a reader that answers pings stays,
// one that never answers is closed once a ping has gone unanswered.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, createBlog, postEntry, uniqueId, wsOpen, sleep } from './harness.mjs';
import { rawWs } from '../faults/lib.mjs';

const PING = 5;

describe('keepalive', { timeout: 120000 }, () => {
	let s;
	before(async () => { s = await startStack({ daemon: { args: ['--ping-interval', String(PING)] } }); });
	after(async () => { await s?.stop(); });

	it('pings idle readers; one that answers stays, one that never does is closed', async () => {
		const b = await createBlog(s, { id: uniqueId('ka') });
		const answering = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		let pings = 0;
		answering.ws.on('ping', () => { pings++; });
		await answering.waitFor((m) => m.type === 'live');
		const silent = await rawWs(s.daemon.port, `/ws/blogs/${b.id}`);
		const closed = silent.waitClosed(60000);
		await sleep(4 * PING * 1000);
		assert.ok(pings >= 2, `the answering reader was pinged (${pings} pings in ${4 * PING} s)`);
		const end = await closed;
		assert.equal(end.end, 'closed', 'the silent reader was closed within 60 s');
		assert.ok(silent.frames.some((f) => f.opcode === 9), 'it was pinged first');
		assert.equal(answering.ws.readyState, 1, 'the answering reader is still connected');
		// and it still gets what is posted
		const e = await postEntry(s, b, { text: 'still here' });
		await answering.waitFor((m) => m.type === 'entry' && m.entry.id === e.id);
		answering.close();
	});
});
