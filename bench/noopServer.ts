// The floor for bench:server: an Express app whose one endpoint parses the JSON body like the
// real API does and answers without doing anything. Started in its own process like the server.
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ limit: '64kb' }));
app.post('/noop', (_req, res) => {
  res.json({ ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // bench/server.bench.ts reads the port from this line.
  console.log(`No-op Express app on http://localhost:${port}`);
});
