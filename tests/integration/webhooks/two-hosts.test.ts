/**
 * Two hosts on one PostgreSQL record (SPEC 5, 6.2): two real runtimes and HTTP servers, each with its
 * own HIVE_DIR and no shared Redis, so only the record can agree on anything.
 * - the same delivery (`webhook-id`) sent to both hosts at once is stored once;
 * - an unsubscribe acknowledged by one host during a flood of other webhooks is already visible to
 *   the other host's `addresses.suppression()` when its 2xx arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { signStandardWebhook } from '../../../src/runtime/domain/webhooks/signatures.js';
import { createRuntime, type Runtime } from '../../../src/runtime/services/runtime.js';
import { startServer, type RunningServer } from '../../../src/server/start.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { SECRETS, TOKEN } from '../server/harness.js';

interface Host {
  runtime: Runtime;
  server: RunningServer;
  pool: Pool;
  dir: string;
}

const FLOOD = 3000;
const CONNECTIONS = 24;
const UNSUBSCRIBES = 8;

const run = POSTGRES_FOR_TESTS ? describe : describe.skip;

run('two hosts on one PostgreSQL record', () => {
  let database: { url: string; drop(): Promise<void> };
  const hosts: Host[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('caio_hosts');
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), `caio-host${i}-`));
      const config = parseConfig({
        HIVE_DIR: dir,
        DATABASE_URL: database.url,
        DASHBOARD_AUTH_TOKEN: TOKEN,
        ...SECRETS,
      });
      const runtime = await createRuntime(config);
      const server = await startServer(runtime, {
        port: 0,
        host: '127.0.0.1',
        background: false,
        authFailureLimit: 1_000_000,
      });
      hosts.push({ runtime, server, dir, pool: new Pool(server.url, { connections: CONNECTIONS }) });
    }
  });

  afterAll(async () => {
    for (const host of hosts) {
      await host.pool.close();
      await host.server.close();
      await host.runtime.close();
      rmSync(host.dir, { recursive: true, force: true });
    }
    await database?.drop();
  });

  const host = (i: number): Host => {
    const found = hosts[i];
    if (!found) throw new Error(`no host ${i}`);
    return found;
  };

  const post = async (target: Host, path: string, body: string, headers: Record<string, string>) => {
    const response = await target.pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return {
      status: response.statusCode,
      body: (await response.body.json()) as { id: number; duplicate: boolean; status: string },
    };
  };

  it('stores a webhook-id sent to both hosts at once exactly once', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const ids = Array.from({ length: 40 }, (_, i) => `msg_both_${i}`);
    const answers = await Promise.all(
      ids.flatMap((id) => {
        const body = JSON.stringify({ 'Business Email': `${id}@beta.io`, 'Company Name': 'Beta' });
        const headers = {
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': signStandardWebhook(SECRETS.RB2B_WEBHOOK_SECRET, id, ts, body),
        };
        return [
          post(host(0), '/webhooks/rb2b', body, headers),
          post(host(1), '/webhooks/rb2b', body, headers),
        ];
      }),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    ids.forEach((_, i) => {
      const [a, b] = [answers[2 * i]?.body, answers[2 * i + 1]?.body];
      expect([a?.duplicate, b?.duplicate].sort()).toEqual([false, true]);
      expect(a?.id).toBe(b?.id);
    });
    const rows = await host(1)
      .runtime.record.db.kysely.selectFrom('webhook_events')
      .select('idempotency_key')
      .where('source', '=', 'rb2b')
      .execute();
    expect(rows.map((row) => row.idempotency_key).sort()).toEqual(ids.map((id) => `id:${id}`).sort());
  });

  it('an unsubscribe acknowledged during a flood is suppressed on the other host when the 2xx arrives', async () => {
    const clay = { 'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET };
    let sent = 0;
    let acked = 0;
    const flood = async () => {
      while (sent < FLOOD) {
        const n = sent++;
        const answer = await post(
          host(0),
          '/webhooks/clay',
          JSON.stringify({ event_id: `flood-${n}`, email: `flood${n}@acme.io`, company: 'Acme' }),
          clay,
        );
        if (answer.status === 200) acked++;
      }
    };
    const checks: { email: string; floodAckedBefore: number; seen: unknown }[] = [];
    const unsubscribe = async () => {
      for (let i = 0; i < UNSUBSCRIBES; i++) {
        // Spread through the flood: wait for its next stretch of acknowledgements.
        const target = Math.floor(((i + 1) * FLOOD) / (UNSUBSCRIBES + 2));
        while (acked < target) await new Promise((resolve) => setImmediate(resolve));
        const email = `gone${i}@acme.io`;
        const answer = await post(
          host(0),
          '/webhooks/instantly',
          JSON.stringify({ event_type: 'lead_unsubscribed', lead_email: email, event_id: `unsub-${i}` }),
          { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET },
        );
        expect(answer.status).toBe(200);
        const floodAckedBefore = acked;
        // The other host, right after the 2xx: no polling, no waiting.
        checks.push({
          email,
          floodAckedBefore,
          seen: await host(1).runtime.record.addresses.suppression(email),
        });
      }
    };
    await Promise.all([...Array.from({ length: CONNECTIONS }, flood), unsubscribe()]);

    expect(acked).toBe(FLOOD);
    for (const check of checks) {
      expect(check.seen, check.email).toMatchObject({ reason: 'unsubscribed', source: 'instantly' });
    }
    // The unsubscribes really were acknowledged while the flood was still arriving.
    expect(checks.filter((check) => check.floodAckedBefore < FLOOD).length).toBe(UNSUBSCRIBES);
  }, 120_000);
});
