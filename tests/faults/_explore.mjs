import { startStack, createBlog, api, rawRequest, rawWs, wsFrame, sleep } from './lib.mjs';
const s = await startStack({});
const b = await createBlog(s, { id: 'x1' });
const port = s.daemon.port;
const show = (n, r) => console.log(n, r.status, r.end, r.ms, JSON.stringify(r.raw.slice(0, 200)));
show('garbage', await rawRequest(port, 'GARBAGE\r\n\r\n'));
show('GET only', await rawRequest(port, 'GET\r\n\r\n'));
show('http9', await rawRequest(port, 'GET /healthz HTTP/9.9\r\n\r\n'));
show('nul', await rawRequest(port, Buffer.from([0,1,2,3,255,254,13,10,13,10])));
show('longuri', await rawRequest(port, `GET /${'a'.repeat(8000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
show('bigheader', await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`));
show('manyheaders', await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({length:200},(_, i)=>`X-H${i}: ${'b'.repeat(30)}\r\n`).join('')}\r\n`));
show('chunked', await rawRequest(port, `POST /api/blogs/x1/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"tex\r\n9\r\nt":"hi"}\r\n0\r\n\r\n`));
show('nolen', await rawRequest(port, `POST /api/blogs/x1/entries HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${b.editor_token}\r\nContent-Type: application/json\r\n\r\n{"text":"hi"}`));
show('lf only', await rawRequest(port, 'GET /healthz HTTP/1.1\nHost: x\n\n'));
console.log((await api(s.base, 'GET', '/api/blogs/x1/events')).text);
for (const [name, fn] of [
  ['big frame', (w) => w.frame(1, 'x'.repeat(5000))],
  ['frag', (w) => { w.frame(1, 'a'.repeat(2000), {fin:false}); w.frame(0, 'a'.repeat(2000), {fin:false}); w.frame(0, 'a'.repeat(2000), {fin:true}); }],
  ['bad utf8', (w) => w.frame(1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))],
  ['unmasked', (w) => w.frame(1, 'hello', {mask:false})],
  ['binary', (w) => w.frame(2, Buffer.from([1,2,3]))],
  ['rsv', (w) => w.frame(1, 'x', {rsv: 4})],
  ['bad opcode', (w) => w.frame(3, 'x')],
  ['ping', (w) => w.frame(9, 'x'.repeat(200))],
  ['cont first', (w) => w.frame(0, 'x')],
  ['huge len', (w) => w.send(Buffer.from([0x81, 0xff, 0x7f,0xff,0xff,0xff,0xff,0xff,0xff,0xff, 1,2,3,4]))],
]) {
  const w = await rawWs(port, '/ws/blogs/x1');
  await w.waitMessage((m) => m.type === 'live');
  fn(w);
  const c = await w.waitClosed(5000);
  console.log(name, JSON.stringify(c), w.frames.map(f=>f.opcode).join(','));
  console.log('health', (await api(s.base, 'GET', '/healthz')).status);
}
await s.stop();
