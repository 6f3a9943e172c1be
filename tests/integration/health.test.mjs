// /healthz with Redis up and down, /metrics (SPEC: HTTP API, status 503).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
	startStack, api, createBlog, postEntry, allEvents, uniqueId, waitUntil,
	assertErrorBody, wsOpen, withDiagnostics,
} from './harness.mjs';

/* Parses Prometheus text: {types: Map name→type, samples: [{name, labels, value}]} */
function parseMetrics(text) {
	const types = new Map();
	const samples = [];
	for (const line of text.split('\n')) {
		if (line === '')
			continue;
		let m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
		if (m) {
			types.set(m[1], m[2]);
			continue;
		}
		if (line.startsWith('#'))
			continue;
		m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?\d+)?$/.exec(line);
		assert.ok(m, `not a Prometheus sample line: ${JSON.stringify(line)}`);
		samples.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) });
	}
	return { types, samples };
}

async function metrics(base) {
	const res = await fetch(`${base}/metrics`);
	const text = await res.text();
	assert.equal(res.status, 200);
	return { res, text, ...parseMetrics(text) };
}

function gaugeSum(mx, names) {
	return mx.samples.filter((x) => names.includes(x.name)).reduce((a, x) => a + x.value, 0);
}

describe('/healthz follows Redis', { timeout: 90000 }, () => {
	let s;
	before(async () => { s = await startStack({ appendonly: true }); });
	after(async () => { await s?.stop(); });

	it('200 while Redis answers', async () => {
		const res = await api(s.base, 'GET', '/healthz');
		assert.equal(res.status, 200);
	});

	it('Redis down → healthz 503, writes and reads 503 unavailable, nothing stored; back → 200', withDiagnostics(() => [s.daemon], async () => {
		const b = await createBlog(s, { id: uniqueId('health') });
		const e = await postEntry(s, b, { text: 'before the outage' });
		await s.redis.stop();
		await waitUntil(async () => (await api(s.base, 'GET', '/healthz')).status === 503,
			{ timeout: 5000, message: 'healthz 503 after Redis stopped' });

		const lostId = randomUUID();
		const post = await api(s.base, 'POST', `/api/blogs/${b.id}/entries`,
			{ body: { id: lostId, text: 'during the outage' }, token: b.editor_token });
		assertErrorBody(post, 503, 'unavailable', 'post while Redis is down');
		const create = await api(s.base, 'POST', '/api/blogs', { body: { id: uniqueId('nope'), title: 'x' }, token: s.adminToken });
		assertErrorBody(create, 503, 'unavailable', 'create while Redis is down');
		const edit = await api(s.base, 'PATCH', `/api/blogs/${b.id}/entries/${e.id}`, { body: { text: 'x' }, token: b.editor_token });
		assertErrorBody(edit, 503, 'unavailable', 'edit while Redis is down');
		const end = await api(s.base, 'POST', `/api/blogs/${b.id}/end`, { token: b.editor_token });
		assertErrorBody(end, 503, 'unavailable', 'end while Redis is down');
		const get = await api(s.base, 'GET', `/api/blogs/${b.id}`);
		if (get.status !== 200)	// a cached read is fine; an error must be 503
			assertErrorBody(get, 503, 'unavailable', 'get while Redis is down');

		await s.redis.start();
		await waitUntil(async () => (await api(s.base, 'GET', '/healthz')).status === 200,
			{ timeout: 10000, message: 'healthz 200 after Redis came back' });
		const evs = await allEvents(s.base, b.id);
		assert.deepEqual(evs, [{ type: 'entry', seq: e.seq, entry: e }], 'nothing from the outage was stored');
		assert.equal((await api(s.base, 'GET', `/api/blogs/${b.id}`)).json.state, 'live');
		// the 503'd id is free: posting it now creates it
		const again = await api(s.base, 'POST', `/api/blogs/${b.id}/entries`,
			{ body: { id: lostId, text: 'during the outage' }, token: b.editor_token });
		assert.equal(again.status, 201, again.text);
		// and live push works again
		const r = wsOpen(`${s.wsBase}/ws/blogs/${b.id}`);
		await r.waitFor((m) => m.type === 'live');
		const e3 = await postEntry(s, b, { text: 'after' });
		await r.waitFor((m) => m.type === 'entry' && m.entry.id === e3.id);
		r.close();
	}));

	it('Redis killed hard (SIGKILL) → 503, then recovers', withDiagnostics(() => [s.daemon], async () => {
		s.redis.proc.kill('SIGKILL');
		await s.redis.proc.exited;
		await waitUntil(async () => (await api(s.base, 'GET', '/healthz')).status === 503,
			{ timeout: 5000, message: 'healthz 503 after Redis was killed' });
		await s.redis.start();
		await waitUntil(async () => (await api(s.base, 'GET', '/healthz')).status === 200,
			{ timeout: 10000, message: 'healthz 200 after Redis came back' });
		const b = await createBlog(s, { id: uniqueId('after-kill') });
		await postEntry(s, b, { text: 'works' });
	}));
});

describe('/metrics', { timeout: 60000 }, () => {
	let s;
	before(async () => { s = await startStack(); });
	after(async () => { await s?.stop(); });

	it('is Prometheus text with readers, writes, a fan-out latency histogram and Redis state', async () => {
		const mx = await metrics(s.base);
		assert.match(mx.res.headers.get('content-type') ?? '', /^text\/plain/);
		assert.ok(mx.types.size >= 4, `# TYPE lines: ${[...mx.types.keys()]}`);
		const names = [...mx.types.keys()];
		assert.ok(names.some((n) => /reader/.test(n) && mx.types.get(n) === 'gauge'), `a readers gauge in ${names}`);
		assert.ok(names.some((n) => /write/.test(n)), `a writes metric in ${names}`);
		assert.ok(names.some((n) => mx.types.get(n) === 'histogram'), `a histogram in ${names}`);
		assert.ok(names.some((n) => /redis/.test(n)), `a Redis state metric in ${names}`);
		for (const [n, t] of mx.types) {
			if (t === 'histogram') {
				assert.ok(mx.samples.some((x) => x.name === `${n}_bucket` && /le="\+Inf"/.test(x.labels)), `${n} has a +Inf bucket`);
				assert.ok(mx.samples.some((x) => x.name === `${n}_count`), `${n}_count`);
				assert.ok(mx.samples.some((x) => x.name === `${n}_sum`), `${n}_sum`);
			} else {
				assert.ok(mx.samples.some((x) => x.name === n), `${n} has a sample`);
			}
		}
	});

	it('the readers gauge follows connections and writes counters grow', async () => {
		const b = await createBlog(s, { id: uniqueId('metrics') });
		const m0 = await metrics(s.base);
		const readerGauges = [...m0.types].filter(([n, t]) => t === 'gauge' && /reader/.test(n)).map(([n]) => n);
		const writeCounters = [...m0.types].filter(([n, t]) => t === 'counter' && /write/.test(n)).map(([n]) => n);
		assert.ok(readerGauges.length > 0, 'a readers gauge');
		const base = gaugeSum(m0, readerGauges);
		const rs = [wsOpen(`${s.wsBase}/ws/blogs/${b.id}`), wsOpen(`${s.wsBase}/ws/blogs/${b.id}`)];
		for (const r of rs)
			await r.waitFor((m) => m.type === 'live');
		await waitUntil(async () => gaugeSum(await metrics(s.base), readerGauges) === base + 2,
			{ timeout: 5000, message: `readers gauge ${readerGauges} = ${base + 2}` });
		rs[0].close();
		await waitUntil(async () => gaugeSum(await metrics(s.base), readerGauges) === base + 1,
			{ timeout: 5000, message: `readers gauge back to ${base + 1}` });
		rs[1].ws.terminate();	// an abrupt disconnect counts too
		await waitUntil(async () => gaugeSum(await metrics(s.base), readerGauges) === base,
			{ timeout: 5000, message: `readers gauge back to ${base}` });

		if (writeCounters.length) {
			const w0 = gaugeSum(await metrics(s.base), writeCounters);
			await postEntry(s, b, { text: 'count me' });
			await postEntry(s, b, { text: 'and me' });
			const w1 = gaugeSum(await metrics(s.base), writeCounters);
			assert.ok(w1 >= w0 + 2, `writes counters ${writeCounters}: ${w0} → ${w1}`);
		}
	});
});
