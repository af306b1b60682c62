/**
 * The event API POST (services/inngest/event-api.ts) against a real local HTTP server: the URL and
 * headers the SDK client resolves, one JSON array per call, and refusals that reject with a message
 * naming the status but never the event key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inngest } from 'inngest';
import { afterEach, expect, it } from 'vitest';
import { createEventApi } from '../../../src/runtime/services/inngest/event-api.js';

const KEY = 'evtkey_0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function server(
  answer: (seen: Seen, res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const one = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(one);
      answer(one, res);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`, seen };
}

const sdk = (baseUrl: string) => new Inngest({ id: 'caio-test', baseUrl, eventKey: KEY, isDev: false });

it('posts one JSON array to /e/<key> with the SDK client’s URL and headers', async () => {
  const api = await server((_, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ids":["a","b"],"status":200}'),
  );
  const client = sdk(api.url);
  const poster = createEventApi({ baseUrl: client.eventBaseUrl, eventKey: KEY, headers: client.headers });
  closers.push(async () => poster.close());
  await poster.post([
    { name: 'caio/webhook.received', data: { id: 1 } },
    { name: 'caio/webhook.received', data: { id: 2, correlation_id: 'c-2' } },
  ]);
  expect(api.seen).toHaveLength(1);
  const [call] = api.seen;
  expect(call?.url).toBe(`/e/${KEY}`);
  expect(call?.headers['content-type']).toBe('application/json');
  expect(call?.headers['x-inngest-sdk']).toBe(client.headers['x-inngest-sdk']);
  const events = JSON.parse(call?.body ?? '') as { name: string; data: unknown; ts: number }[];
  expect(events.map(({ name, data }) => ({ name, data }))).toEqual([
    { name: 'caio/webhook.received', data: { id: 1 } },
    { name: 'caio/webhook.received', data: { id: 2, correlation_id: 'c-2' } },
  ]);
  expect(events.every((event) => Number.isInteger(event.ts))).toBe(true);
});

it('rejects a refusal with its status and reason, never the key', async () => {
  const api = await server((_, res) =>
    res
      .writeHead(401, { 'content-type': 'application/json' })
      .end('{"error":"Event key not found","status":401}'),
  );
  const poster = createEventApi({ baseUrl: api.url, eventKey: KEY, headers: {} });
  closers.push(async () => poster.close());
  const error = await poster.post([{ name: 'x', data: {} }]).catch((e: unknown) => e as Error);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(/answered 401: Event key not found/);
  expect((error as Error).message).not.toContain(KEY);
});

it('rejects a 200 that is not the event API’s answer, and a POST left unanswered', async () => {
  const odd = await server((_, res) => res.writeHead(200).end('<html>captive portal</html>'));
  const poster = createEventApi({ baseUrl: odd.url, eventKey: KEY, headers: {} });
  closers.push(async () => poster.close());
  await expect(poster.post([{ name: 'x', data: {} }])).rejects.toThrow(/answered 200: <html>/);

  const silent = await server(() => undefined);
  const slow = createEventApi({ baseUrl: silent.url, eventKey: KEY, headers: {}, timeoutMs: 200 });
  closers.push(async () => slow.close());
  await expect(slow.post([{ name: 'x', data: {} }])).rejects.toThrow(/no answer within 200 ms/);
});

it('never shows the key, even from a server that echoes the path, and gives up on a trickling answer', async () => {
  const echo = await server((seen, res) => res.writeHead(404).end(`<pre>Cannot POST ${seen.url}</pre>`));
  const poster = createEventApi({ baseUrl: echo.url, eventKey: KEY, headers: {} });
  closers.push(async () => poster.close());
  const error = await poster.post([{ name: 'x', data: {} }]).catch((e: unknown) => e as Error);
  expect((error as Error).message).toMatch(/answered 404: <pre>Cannot POST \/e\/\*\*\*<\/pre>/);
  expect((error as Error).message).not.toContain(KEY);

  // Headers at once, then a byte every 50 ms: the socket is never idle, the exchange is still given up.
  const trickle = await server((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  });
  const slow = createEventApi({ baseUrl: trickle.url, eventKey: KEY, headers: {}, timeoutMs: 300 });
  closers.push(async () => slow.close());
  const started = Date.now();
  await expect(slow.post([{ name: 'x', data: {} }])).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(3_000);
});

it('accepts any 2xx whose body is the event API’s accepted answer', async () => {
  const proxy = await server((_, res) =>
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"ids":["a"],"status":200}'),
  );
  const poster = createEventApi({ baseUrl: proxy.url, eventKey: KEY, headers: {} });
  closers.push(async () => poster.close());
  await expect(poster.post([{ name: 'x', data: {} }])).resolves.toBeUndefined();
});
