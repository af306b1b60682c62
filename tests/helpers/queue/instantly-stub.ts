/**
 * A local stand-in for the Instantly API (the only faked party): POST /api/v2/leads creates a lead
 * once per lowercased email (like skip_if_in_workspace) and counts every request. `failNext(n, status)`
 * answers the next n requests with an error; `delayMs` slows every answer.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface StubRequest {
  path: string;
  auth: string | undefined;
  body: Record<string, unknown>;
}

export interface InstantlyStub {
  url: string;
  requests: StubRequest[];
  created: Map<string, number>;
  failNext(count: number, status: number): void;
  delayMs: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

export async function startInstantlyStub(): Promise<InstantlyStub> {
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const stub: InstantlyStub = {
    url: '',
    requests: [],
    created: new Map(),
    failNext(count, status) {
      failures = { count, status };
    },
    delayMs: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      stub.requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      if (stub.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, stub.delayMs));
      if (failures.count > 0) {
        failures.count -= 1;
        res.writeHead(failures.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'stub failure' }));
        return;
      }
      if (req.method === 'POST' && req.url === '/api/v2/leads') {
        const email = String(body.email ?? '').toLowerCase();
        stub.created.set(email, (stub.created.get(email) ?? 0) + (stub.created.has(email) ? 0 : 1));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `lead_${email}`, email }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not found' }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  stub.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  stub.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
