/**
 * Refused requests are logged one JSON line each (client, route, reason; never the token or the
 * secret), rate-limited; an unsigned /inngest request is one such line, without a stack trace.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/commands/serve.js';
import { startTestServer, type TestServer } from './harness.js';

const SIGNING_KEY = 'signkey-test-7c1f0e9d8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e';
const WRONG = 'tok_wrong_0123456789abcdefghijklmnopqrst';

describe('refused-request log', () => {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  let server: TestServer;
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        raw += chunk.toString('utf8');
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer(
      { INNGEST_SIGNING_KEY: SIGNING_KEY },
      {
        logger: createLogger(stream, []),
        authFailureLimit: 5,
        refusalLog: { perWindow: 10, windowMs: 60_000 },
      },
    );
  });
  afterAll(async () => server.stop());

  const refusals = () => lines.filter((line) => line['event'] === 'auth_refused');

  it('logs one line per refusal with client, route and reason, never the token', async () => {
    const first = await fetch(`${server.url}/api/queue?token=${WRONG}`);
    expect(first.status).toBe(401);
    expect(refusals()).toEqual([
      expect.objectContaining({
        client: '127.0.0.1',
        method: 'GET',
        route: '/api/queue',
        status: 401,
        reason: 'unauthorized',
      }),
    ]);
    const webhook = await fetch(`${server.url}/webhooks/clay?secret=${WRONG}`, {
      method: 'POST',
      body: '{}',
    });
    expect(webhook.status).toBe(401);
    expect(refusals().at(-1)).toMatchObject({ route: '/webhooks/clay', reason: 'invalid_secret' });
    expect(raw).not.toContain(WRONG);
  });

  it('rate-limits the lines of a flood (and the 429 lockout is logged too)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      statuses.push(
        (
          await fetch(`${server.url}/api/runtime/dependencies`, {
            headers: { authorization: `Bearer ${WRONG}` },
          })
        ).status,
      );
    }
    expect(statuses).toContain(429);
    expect(refusals()).toHaveLength(10);
    expect(refusals().map((line) => line['reason'])).toContain('rate_limited');
    expect(raw).not.toContain(WRONG);
  });
});

describe('refused-request log: /inngest line', () => {
  it('is one auth_refused line with no stack', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const server = await startTestServer(
      { INNGEST_SIGNING_KEY: SIGNING_KEY },
      { logger: createLogger(stream, []) },
    );
    try {
      const before = lines.length;
      const answer = await fetch(`${server.url}/inngest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"event":{},"events":[],"steps":{},"ctx":{}}',
      });
      expect(answer.status).toBe(401);
      const added = lines.slice(before);
      expect(added).toEqual([
        expect.objectContaining({
          event: 'auth_refused',
          route: '/inngest',
          status: 401,
          reason: 'invalid_signature',
        }),
      ]);
      expect(JSON.stringify(added)).not.toContain('stack');
    } finally {
      await server.stop();
    }
  });
});
