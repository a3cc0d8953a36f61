// The floor for bench:live: a bare socket.io server that broadcasts a small message to every
// client when asked over HTTP, then answers the request.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

let seq = 0;
const http = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/broadcast') {
    seq += 1;
    io.emit('tick', { seq, at: new Date().toISOString() });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seq }));
  } else {
    res.writeHead(404).end();
  }
});
const io = new Server(http, { serveClient: false });
http.listen(0, '127.0.0.1', () => {
  // Announced like the Parity server, so the same launcher finds the port.
  console.log(
    `Parity is serving on http://localhost:${(http.address() as AddressInfo).port} (bare broadcast)`,
  );
});
process.on('SIGTERM', () => process.exit(0));
