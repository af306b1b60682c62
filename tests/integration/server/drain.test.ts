/**
 * Graceful stop: requests in flight when close() is called finish with their answer, every webhook
 * answered 2xx is committed, and close() resolves (no hang).
 */
import { describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { SECRETS, startTestServer } from './harness.js';

describe('server close', () => {
  it('drains in-flight webhooks and commits them before resolving', async () => {
    const server = await startTestServer();
    const pool = new Pool(server.url, { connections: 20 });
    const acknowledged: string[] = [];
    const otherStatuses: number[] = [];
    let first: () => void = () => undefined;
    const firstAnswered = new Promise<void>((resolve) => (first = resolve));
    const sends = Array.from({ length: 300 }, async (_, i) => {
      try {
        const res = await pool.request({
          method: 'POST',
          path: '/webhooks/clay',
          headers: { 'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET },
          body: JSON.stringify({ event_id: `d-${i}`, email: `d${i}@acme.io` }),
        });
        await res.body.dump();
        first();
        if (res.statusCode === 200) acknowledged.push(`id:d-${i}`);
        else otherStatuses.push(res.statusCode);
      } catch {
        // Connection closed by the stopping server: no answer, nothing promised.
      }
    });
    await firstAnswered;
    await server.close();
    await Promise.all(sends);
    await pool.destroy();
    const keys = new Set(
      server.runtime.db
        .prepare("SELECT idempotency_key AS k FROM webhook_events WHERE source = 'clay'")
        .all()
        .map((row) => (row as { k: string }).k),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(otherStatuses).toEqual([]);
    expect(acknowledged.filter((key) => !keys.has(key))).toEqual([]);
    await server.stop();
  });
});
