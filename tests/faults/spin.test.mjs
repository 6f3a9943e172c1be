// A reader that goes away while lws still holds part of a frame for it
// (lws' buffered output, after a partial write to a full socket) must not
// leave an event loop spinning: lws 4.1.6 turns the close at EOF into
// "flush first" and its service loop retries the same descriptor at once,
// forever (recv() = 0 each time), so the loop never polls again, never
// runs a timer and never sees SIGTERM. After the fault the daemon must be
// idle and stop on SIGTERM within 2 s.
import { describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
	reportSection, faultTest, startStack, createBlog, rawWs, wsFrame, uniqueId,
	sleep, bulkPost, waitUntil, tempDir, REPO_ROOT,
} from './lib.mjs';

reportSection(import.meta.url, 'Readers that leave with output pending');

const TICK = 100;	/* USER_HZ on Linux */

/* utime + stime of a process, in seconds */
function cpuSeconds(pid) {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(f[11]) + Number(f[12])) / TICK;
}

/* CPU the daemon used over `ms` of a quiet period. */
async function idleCpu(pid, ms) {
	const c0 = cpuSeconds(pid);
	await sleep(ms);
	return cpuSeconds(pid) - c0;
}

/*
 * SIGTERM with the harness' checks (a sanitizer report fails it), killed
 * after limitMs. Returns {ms: until it exited, err: the stop's failure}.
 */
async function stopWithin(d, limitMs) {
	const t0 = Date.now();
	const exited = d.exited.then(() => Date.now() - t0);
	d.stopped = true;	/* the stack's stop() leaves it alone */
	const err = await d.stop('SIGTERM', { timeout: limitMs }).then(() => null, (e) => e);
	return { ms: await exited, err };
}

const DEFLATE = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';
const ENTRIES = 64;

describe('readers leaving with output pending', { timeout: 180000 }, () => {
	let s;

	beforeEach(async () => {
		s = await startStack({ daemon: { args: ['--workers', '1'] } });
	});
	afterEach(async () => { await s?.stop(); });

	/*
	 * Readers (every other one offering permessage-deflate) that stop
	 * reading while 64 entries of 16 KB are posted: the server's socket to
	 * them fills and lws holds part of a frame.
	 */
	async function stalledReaders(b, n) {
		const rs = [];
		for (let i = 0; i < n; i++) {
			const w = await rawWs(s.daemon.port, `/ws/blogs/${b.id}`,
				{ extraHeaders: i % 2 ? DEFLATE : '' });
			w.sock.pause();
			rs.push(w);
		}
		const text = (i) => `${i} ${'y'.repeat(16000)}`;
		const { posted } = await bulkPost(s.base, b, ENTRIES, { concurrency: 4, text });
		assert.equal(posted.filter((p) => p.status === 201).length, ENTRIES, 'every entry was accepted');
		await sleep(500);
		return rs;
	}

	faultTest('a stalled reader that reads again gets every entry and is still read', async (t, row) => {
		row.fault = 'WebSocket readers (one plain, one permessage-deflate) stop reading while 64 x 16 KB entries are pushed, then read again and ping';
		const b = await createBlog(s, { id: uniqueId('spin') });
		const rs = await stalledReaders(b, 2);
		for (const w of rs)
			w.sock.resume();
		for (const w of rs) {
			await waitUntil(() => w.messages.filter((m) => m.type === 'entry').length >= ENTRIES,
				{ timeout: 15000, message: 'every entry reached the reader' });
			w.frame(9, Buffer.from('are you there'));
			await waitUntil(() => w.frames.some((f) => f.opcode === 10 && f.payload.toString() === 'are you there'),
				{ timeout: 5000, message: 'the server read the ping and answered it' });
		}
		row.readers = `2 readers stalled then resumed: ${ENTRIES} entries each, ping answered`;
		row.writers = `${ENTRIES} entries of 16 KB`;
		row.lost = 'nothing';
	});

	faultTest('readers that leave with output pending leave the daemon idle and stoppable', async (t, row) => {
		row.fault = 'WebSocket readers (half permessage-deflate) stop reading while 64 x 16 KB entries are pushed (socket full, lws holds part of a frame), then half-close (FIN), send a close frame then FIN, or reset';
		const b = await createBlog(s, { id: uniqueId('spin') });
		const rs = await stalledReaders(b, 12);
		rs.forEach((w, i) => {
			if (i % 3 === 0)
				w.sock.end();			/* FIN, still not reading */
			else if (i % 3 === 1)
				w.sock.end(wsFrame(8, Buffer.from([3, 232])));	/* close frame, FIN */
			else
				w.sock.resetAndDestroy();	/* RST */
		});
		await sleep(1500);
		const cpu = await idleCpu(s.daemon.pid, 5000);
		row.readers = '12 stalled readers: 4 FIN, 4 close frame + FIN, 4 RST';
		row.writers = `${ENTRIES} entries of 16 KB`;
		const stop = await stopWithin(s.daemon, 2000);
		row.lost = `nothing; idle CPU ${cpu.toFixed(2)} s over 5 s; SIGTERM: ${stop.err ? 'not stopped within 2 s, killed' : `exited in ${stop.ms} ms`}`;
		assert.ok(cpu < 0.5, `the daemon is idle after the readers left (CPU ${cpu.toFixed(2)} s over 5 s)`);
		assert.equal(stop.err, null, 'the daemon stops cleanly within 2 s of SIGTERM');
	});

	/*
	 * The guard (src/guard.c) for a spin we do not know of yet: a shim
	 * (spin_shim.c, LD_PRELOAD) makes one loop never come back from
	 * lws_service() and keep a core busy, as lws 4.1.6's spin did.
	 */
	faultTest('SIGTERM ends a daemon whose loop spins inside lws_service', async (t, row) => {
		row.fault = 'one event loop never returns from lws_service() and burns a core (LD_PRELOAD shim), then SIGTERM';
		const dir = tempDir('spin-shim-');
		const so = path.join(dir, 'spin_shim.so');
		const mark = path.join(dir, 'spin-now');
		execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', so,
			path.join(REPO_ROOT, 'tests/faults/spin_shim.c'), '-ldl']);
		const asan = [process.env.ASAN_OPTIONS, 'verify_asan_link_order=0'].filter(Boolean).join(':');
		const d = await s.addDaemon({
			args: ['--workers', '1'],
			env: { LD_PRELOAD: so, LB_SPIN_SHIM_MARK: mark, ASAN_OPTIONS: asan },
		});
		fs.writeFileSync(mark, '');
		await fetch(`${d.base}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => { });
		const cpu = await idleCpu(d.pid, 1000);
		assert.ok(cpu > 0.5, `the shim made a loop spin (CPU ${cpu.toFixed(2)} s over 1 s)`);
		const t0 = Date.now();
		const exited = d.exited.then(() => Date.now() - t0);
		d.stopped = true;
		const rc = await d.stop('SIGTERM', { timeout: 2000 });
		const ms = await exited;
		row.readers = 'none';
		row.writers = 'none';
		row.lost = `nothing; exited ${ms} ms after SIGTERM with status ${rc}`;
		assert.equal(rc, 3, 'the guard ended it with status 3 (GUARD_EXIT)');
		assert.match(d.stderr(), /busy inside one lws_service\(\) call/, 'and said why on stderr');
	});
});
