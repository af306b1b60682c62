/**
 * Child process for the benchmarks: a local stand-in for Inngest's event API (`POST /e/:key`,
 * answering `{ids, status: 200}`), announced as `{"port": N}` on stdout. SIGUSR2 prints
 * `{"requests": R, "events": E}` so a bench can report how events were batched.
 */
import { createServer } from 'node:http';

let requests = 0;
let events = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const list = Array.isArray(parsed) ? parsed : [parsed];
    requests += 1;
    events += list.length;
    const body = JSON.stringify({ ids: list.map((_, i) => `e${requests}-${i}`), status: 200 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ requests, events })}\n`));
process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
