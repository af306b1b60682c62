/**
 * `GET /api/events` over a real runtime and server on port 0: auth, every role reads, changes made
 * through the API and directly on the runtime (a local console) arrive, keep-alive comments, resume
 * with Last-Event-ID (and `resync` past the ring), a stalled client is dropped without holding the
 * others, a revoked token's stream ends; over Redis, a change on one host reaches another's bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, type ChangeEvent } from '../../../src/runtime/services/events.js';
import { draftInput } from '../../helpers/queue/drafts.js';
import { REDIS_AVAILABLE, startRedis } from '../../helpers/redis-server.js';
import { TOKEN, startTestServer, waitFor, type TestServer } from './harness.js';

/** `waitFor` for a value that is undefined until it is there. */
async function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return (await waitFor(check, timeoutMs, what)) as T;
}

interface Stream {
  status: number;
  contentType: string | null;
  text(): string;
  /** Parsed events so far (comments excluded). */
  events(): { id: string | undefined; event: string; data: string }[];
  close(): void;
}

async function open(
  url: string,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: controller.signal,
  });
  let text = '';
  if (res.ok && res.body) {
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          text += decoder.decode(chunk, { stream: true });
      } catch {
        // aborted
      }
    })();
  } else {
    text = await res.text();
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text: () => text,
    events: () =>
      text
        .split('\n\n')
        .filter((block) => block.split('\n').some((line) => line.startsWith('event:')))
        .map((block) => {
          const field = (name: string) =>
            block
              .split('\n')
              .find((line) => line.startsWith(`${name}: `))
              ?.slice(name.length + 2);
          return { id: field('id'), event: field('event') ?? '', data: field('data') ?? '' };
        }),
    close: () => controller.abort(),
  };
}

describe('GET /api/events', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(
      { CAIO_MODE: 'development' },
      {
        events: { keepAliveMs: 100, maxBufferedBytes: 64 * 1024 },
        runtimeExtras: {},
      },
    );
    for (const [name, role] of [
      ['maria', 'reviewer'],
      ['vic', 'viewer'],
      ['rev', 'viewer'],
    ] as const)
      tokens[name] = (await server.runtime.operators.add(name, role, 'test-admin')).token;
    for (let i = 1; i <= 8; i += 1) await server.runtime.queue.add(draftInput(i), 'api');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('needs a token', async () => {
    const stream = await open(server.url, undefined);
    expect(stream.status).toBe(401);
    expect(JSON.parse(stream.text())).toMatchObject({ code: 'unauthorized' });
  });

  it('lets a viewer read, and sends decisions made over the API and on the runtime itself', async () => {
    const stream = await open(server.url, tokens.vic);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      await waitFor(() => stream.events().some((e) => e.event === 'ready'), 5_000, 'ready');
      const approved = await fetch(`${server.url}/api/queue/d00001/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.maria}` },
      });
      expect(approved.status).toBe(200);
      await server.runtime.queue.reject('d00002', 'someone-local', 'tone', null);
      const drafts = await until(
        () => {
          const found = stream.events().filter((e) => e.event === 'draft');
          return found.length >= 2 ? found : undefined;
        },
        5_000,
        'two draft events',
      );
      expect(JSON.parse(drafts[0]?.data ?? '{}')).toMatchObject({
        action: 'approve',
        ids: ['d00001'],
        by: 'maria',
      });
      expect(JSON.parse(drafts[1]?.data ?? '{}')).toMatchObject({ action: 'reject', ids: ['d00002'] });
      const ids = drafts.map((e) => Number(e.id));
      expect(ids[1]).toBeGreaterThan(ids[0] as number);
    } finally {
      stream.close();
    }
  });

  it('keeps an idle stream alive with comment lines', async () => {
    const stream = await open(server.url, TOKEN);
    try {
      await waitFor(() => stream.text().includes(': keep-alive\n\n'), 5_000, 'a keep-alive comment');
    } finally {
      stream.close();
    }
  });

  it('resumes after Last-Event-ID, and asks for a resync when that id is unknown', async () => {
    const first = await open(server.url, TOKEN);
    await waitFor(() => first.events().some((e) => e.event === 'ready'), 5_000, 'ready');
    const readyId = first.events().find((e) => e.event === 'ready')?.id as string;
    first.close();
    await server.runtime.queue.approve('d00003', 'someone');
    await server.runtime.queue.approve('d00004', 'someone');
    const resumed = await open(server.url, TOKEN, { 'last-event-id': readyId });
    try {
      const missed = await until(
        () => {
          const found = resumed.events().filter((e) => e.event === 'draft');
          return found.length >= 2 ? found : undefined;
        },
        5_000,
        'the missed events',
      );
      expect(missed.map((e) => JSON.parse(e.data).ids)).toEqual([['d00003'], ['d00004']]);
      expect(resumed.events().some((e) => e.event === 'ready' || e.event === 'resync')).toBe(false);
    } finally {
      resumed.close();
    }
    // An id from before a restart (higher than anything this server numbered): reload.
    const stale = await open(server.url, TOKEN, { 'last-event-id': '99999999' });
    try {
      await waitFor(() => stale.events().some((e) => e.event === 'resync'), 5_000, 'resync');
    } finally {
      stale.close();
    }
  });

  it('drops a client that stops reading, and the others still see every change', async () => {
    const streams = server.app.services.streams;
    const droppedBefore = streams.dropped();
    // A raw socket that sends the request and then never reads a byte.
    const stalled: Socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write(`GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    stalled.pause();
    const healthy = await open(server.url, TOKEN);
    try {
      await waitFor(() => streams.size() >= 2, 5_000, 'both clients connected');
      const pad = 'x'.repeat(16 * 1024);
      const batches = () => healthy.events().filter((e) => e.event === 'batch').length;
      // Up to ~24 MB, far past what the kernel buffers for a socket nobody reads; the reading client
      // keeps up (each burst is read before the next), the stalled one falls behind and is dropped.
      let count = 0;
      while (streams.dropped() === droppedBefore && count < 1_500) {
        for (let j = 0; j < 3; j += 1) server.app.services.events.publish('batch', { n: count++, pad });
        const expected = count;
        await waitFor(() => batches() >= expected, 10_000, `event ${expected} at the reading client`);
      }
      expect(streams.dropped()).toBeGreaterThan(droppedBefore);
      const COUNT = count;
      const seen = await until(
        () => {
          const found = healthy.events().filter((e) => e.event === 'batch');
          return found.length >= COUNT ? found : undefined;
        },
        20_000,
        'every event at the reading client',
      );
      expect(seen.map((e) => JSON.parse(e.data).n)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
      // The server still answers at once.
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      healthy.close();
      stalled.destroy();
    }
  }, 40_000);

  it('ends the stream of a revoked operator', async () => {
    const stream = await open(server.url, tokens.rev);
    let ended = false;
    const probe = (async () => {
      // The body iterator in `open` finishes when the server closes the stream.
      await waitFor(() => stream.text().includes('event: ready'), 5_000, 'ready');
    })();
    await probe;
    await server.runtime.operators.revoke('rev', 'test-admin');
    await waitFor(
      () => {
        ended = server.app.services.streams.size() === 0;
        return ended;
      },
      10_000,
      'the revoked stream to end',
    );
    expect(ended).toBe(true);
    stream.close();
  });
});

describe.runIf(REDIS_AVAILABLE)('change bus over Redis', () => {
  it('sends a health event when a dependency goes down and when it is back', async () => {
    const redis = await startRedis();
    const server = await startTestServer(
      {
        CAIO_MODE: 'development',
        REDIS_URL: redis.url,
        REDIS_REQUIRED: 'true',
        STATE_REDIS_PREFIX: 'caio:test-health:state',
      },
      { readinessIntervalMs: 100 },
    );
    const stream = await open(server.url, TOKEN);
    try {
      await waitFor(() => stream.events().some((e) => e.event === 'ready'), 5_000, 'ready');
      await redis.stop();
      await waitFor(
        () => stream.events().some((e) => e.event === 'health' && e.data.includes('"redis":false')),
        15_000,
        'health: redis down',
      );
      await redis.start();
      await waitFor(
        () => stream.events().some((e) => e.event === 'health' && e.data.includes('"redis":true')),
        15_000,
        'health: redis back',
      );
    } finally {
      stream.close();
      await server.stop();
      await redis.close();
    }
  }, 40_000);

  it('streams a change another host committed to a console attached to this one', async () => {
    const redis = await startRedis();
    // Hosts on one Redis share one record (here one SQLite file; in production PostgreSQL).
    const shared = mkdtempSync(join(tmpdir(), 'caio-events-hosts-'));
    const env = {
      CAIO_MODE: 'development',
      REDIS_URL: redis.url,
      STATE_REDIS_PREFIX: 'caio:test-events:state',
      HIVE_DIR: shared,
    };
    const hostA = await startTestServer(env);
    const hostB = await startTestServer(env);
    try {
      for (let n = 1; n <= 40; n += 1) await hostA.runtime.queue.add(draftInput(n), 'api');
      const stream = await open(hostB.url, TOKEN);
      try {
        await waitFor(() => stream.events().some((e) => e.event === 'ready'), 5_000, 'ready');
        // B subscribes asynchronously: approve on A, one draft at a time, until B's console hears.
        const heardOnB = () =>
          stream.events().some((e) => e.event === 'draft' && e.data.includes('"by":"maria-on-a"'));
        for (let n = 1; n <= 40 && !heardOnB(); n += 1) {
          await hostA.runtime.queue.approve(`d${String(n).padStart(5, '0')}`, 'maria-on-a');
          await waitFor(() => heardOnB(), 250, 'B').catch(() => undefined);
        }
        expect(heardOnB()).toBe(true);
      } finally {
        stream.close();
      }
    } finally {
      await hostB.stop();
      await hostA.stop();
      await redis.stop();
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('carries a change published on one host to the bus of another', async () => {
    const redis = await startRedis();
    const a = createEventBus({ redisUrl: redis.url, channel: 'test:events' });
    const b = createEventBus({ redisUrl: redis.url, channel: 'test:events' });
    try {
      const heard: ChangeEvent[] = [];
      b.subscribe((event) => heard.push(event));
      a.subscribe(() => undefined);
      // The subscription is asynchronous: publish until the other host hears.
      await waitFor(
        () => {
          a.publish('draft', { action: 'approve', ids: ['d1'], by: 'maria' });
          return heard.length > 0;
        },
        10_000,
        'the other host to hear',
      );
      expect(heard[0]).toMatchObject({ type: 'draft', data: { action: 'approve', by: 'maria' } });
      // A host does not hear its own change twice.
      const own: ChangeEvent[] = [];
      a.subscribe((event) => own.push(event));
      a.publish('batch', { action: 'preview' });
      await waitFor(() => heard.some((e) => e.type === 'batch'), 10_000, 'batch on b');
      expect(own.filter((e) => e.type === 'batch')).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });
});
