/**
 * A local stand-in for a Slack-compatible incoming webhook: records every posted body. `failNext(n)`
 * answers the next n posts with 500; `hold()` keeps answers back until `release()`.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifyStub {
  url: string;
  received: { text: string }[];
  attempts: number;
  failNext(count: number): void;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startNotifyStub(): Promise<NotifyStub> {
  let failures = 0;
  let holding = false;
  const held: (() => void)[] = [];
  const stub: NotifyStub = {
    url: '',
    received: [],
    attempts: 0,
    failNext(count) {
      failures = count;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      stub.attempts += 1;
      const answer = () => {
        if (failures > 0) {
          failures -= 1;
          res.writeHead(500).end('stub failure');
          return;
        }
        stub.received.push(JSON.parse(text) as { text: string });
        res.writeHead(200).end('ok');
      };
      if (holding) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`;
  stub.close = () =>
    new Promise((resolve) => {
      stub.release();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
