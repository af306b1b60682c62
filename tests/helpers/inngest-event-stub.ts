/**
 * A local stand-in for Inngest's event API (`POST /e/:key`, a JSON event or array of events;
 * answers `{ids, status: 200}`). `failing` makes it answer 503 until turned off. Records every
 * accepted request so tests can check batching and that nothing was lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubEvent {
  name: string;
  data: Record<string, unknown>;
}

export interface InngestEventStub {
  url: string;
  /** Accepted POSTs, each with its events. */
  batches: StubEvent[][];
  /** POSTs answered 503 while failing. */
  refused: number;
  failing: boolean;
  keys: Set<string>;
  close(): Promise<void>;
}

export async function startInngestEventStub(): Promise<InngestEventStub> {
  const stub: Omit<InngestEventStub, 'url' | 'close'> = {
    batches: [],
    refused: 0,
    failing: false,
    keys: new Set(),
  };
  const server: Server = createServer((req, res) => {
    const match = /^\/e\/([^/?]+)/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (stub.failing) {
        stub.refused += 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
        return;
      }
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StubEvent | StubEvent[];
      const events = Array.isArray(parsed) ? parsed : [parsed];
      stub.keys.add(decodeURIComponent(match[1] as string));
      stub.batches.push(events);
      const ids = events.map((_, i) => `evt-${stub.batches.length}-${i}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ids, status: 200 }));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
