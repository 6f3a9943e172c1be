// node-peer.mjs — the Node.js peer of the fan-out benchmark: a broadcast
// server on the npm `ws` package. An HTTP POST's body becomes one text
// frame, prepared once with Sender.frame(), and written to every
// open reader's socket. No storage, no JSON, no resume.
//
//   node bench/node-peer.mjs --listen 127.0.0.1:PORT
//
// GET (WebSocket upgrade) on any path: a reader; the first offered
// subprotocol is accepted. POST on any path: broadcast, answer 204.
import http from 'node:http';
import { WebSocketServer, WebSocket, Sender } from 'ws';

function parseListen(argv) {
  const i = argv.indexOf('--listen');
  const v = i >= 0 ? argv[i + 1] : '127.0.0.1:8091';
  const m = /^(.+):(\d+)$/.exec(v || '');
  if (!m) {
    process.stderr.write(`node-peer: bad --listen ${v}\n`);
    process.exit(2);
  }
  return { host: m[1], port: Number(m[2]) };
}

const { host, port } = parseListen(process.argv.slice(2));
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  clientTracking: true,
  handleProtocols: (protocols) => protocols.values().next().value ?? false,
});

// Frames a body once; every reader gets the same bytes.
function broadcast(body) {
  const frame = Buffer.concat(Sender.frame(body, {
    fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false,
  }));
  for (const ws of wss.clients) {
    if (ws.readyState === WebSocket.OPEN) ws._socket.write(frame);
  }
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404, { 'content-length': '0' }).end();
    return;
  }
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    broadcast(Buffer.concat(parts));
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60000;
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', () => ws.terminate());
  });
});
server.listen({ host, port, backlog: 4096 });
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const ws of wss.clients) ws.terminate();
    server.close();
    process.exit(0);
  });
}
