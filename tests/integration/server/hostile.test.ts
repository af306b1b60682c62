/**
 * Hostile input against a real server in cloud Inngest mode: bodies are bounded on the stream before
 * buffering (/inngest included), webhook secrets are checked before the body arrives, bodies in
 * flight are capped, and the parser's refusals are 408/431.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, startTestServer, type TestServer } from './harness.js';

const SIGNING_KEY = 'signkey-prod-7c1f0e9d8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e';

/** A stream of `total` zero bytes made 64 KiB at a time: nothing near `total` is ever allocated. */
function zeros(total: number): Readable & { sent: () => number } {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const next = Math.min(chunk.length, total - sent);
      sent += next;
      this.push(next === chunk.length ? chunk : chunk.subarray(0, next));
    },
  });
  return Object.assign(stream, { sent: () => sent });
}

interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** POST a streamed body (chunked, no content-length); resolves on the first answer, then stops sending. */
function postStream(url: string, path: string, body: Readable, headers: Record<string, string> = {}) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
    });
    req.on('response', (res) => {
      body.unpipe(req);
      body.destroy();
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (text += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

/** Send raw bytes on a socket and collect whatever comes back until the server closes. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (part: string) => (text += part));
    socket.on('end', () => resolve(text));
    socket.on('close', () => resolve(text));
    socket.on('error', (error) => (text ? resolve(text) : reject(error)));
  });
}

describe('hostile requests (cloud mode)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(
      {
        CAIO_MODE: 'staging',
        INNGEST_SIGNING_KEY: SIGNING_KEY,
        INNGEST_REQUIRED: 'false',
        REDIS_REQUIRED: 'false',
      },
      { headersTimeoutMs: 300, requestTimeoutMs: 600, bodyGate: { maxBodies: 2 } },
    );
  });
  afterAll(async () => server.stop());

  const health = async () => (await fetch(`${server.url}/api/health`)).status;

  it('answers a 600 MB /inngest body 413 without reading it all, and keeps serving', async () => {
    const total = 600 * 1024 * 1024;
    const body = zeros(total);
    const answer = await postStream(server.url, '/inngest', body);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' });
    expect(body.sent()).toBeLessThan(total);
    expect(await health()).toBe(200);
    // A declared oversized length is refused from the headers alone.
    const declared = await raw(
      server.url,
      `POST /inngest HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`,
    );
    expect(declared).toMatch(/^HTTP\/1\.1 413/);
    expect(await health()).toBe(200);
  });

  it('still hands a small unsigned /inngest request to the SDK, which refuses it', async () => {
    const answer = await fetch(`${server.url}/inngest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: {} }),
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await health()).toBe(200);
  });

  it('refuses a wrong webhook secret before the body arrives', async () => {
    // Headers promise 1 MB and no body byte is ever sent: the answer can only come from the headers.
    const answer = await raw(
      server.url,
      `POST /webhooks/clay?secret=wrong HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('invalid_secret');
    const unsigned = await raw(
      server.url,
      `POST /webhooks/rb2b HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n`,
    );
    expect(unsigned).toMatch(/^HTTP\/1\.1 401/);
    expect(unsigned).toContain('invalid_signature');
  });

  it('caps the bodies in flight: a third slow body is refused 503 while two are open', async () => {
    const holders = [0, 1].map(() => {
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      socket.write(
        `POST /webhooks/clay HTTP/1.1\r\nhost: x\r\nx-clay-webhook-secret: ${SECRETS.CLAY_WEBHOOK_SECRET}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`,
      );
      return socket;
    });
    try {
      let third = '';
      for (let i = 0; i < 200 && !third.startsWith('HTTP/1.1 503'); i++) {
        third = await raw(
          server.url,
          `POST /webhooks/clay HTTP/1.1\r\nhost: x\r\nx-clay-webhook-secret: ${SECRETS.CLAY_WEBHOOK_SECRET}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`,
        );
      }
      expect(third).toMatch(/^HTTP\/1\.1 503/);
      expect(third).toContain('server_busy');
      expect(third).toMatch(/retry-after: 1/i);
    } finally {
      for (const socket of holders) socket.destroy();
    }
    expect(await health()).toBe(200);
  });

  it('answers HEAD on GET routes, 431 for oversized headers and 408 for slow headers', async () => {
    const head = await fetch(`${server.url}/api/health`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const big = await raw(
      server.url,
      `GET /api/health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    const slow = await raw(server.url, 'GET /api/health HTTP/1.1\r\nhost: x\r\n');
    expect(slow).toMatch(/^HTTP\/1\.1 408/);
    expect(await health()).toBe(200);
  });
});
