/**
 * Notifications against a local webhook stub: one message per incident across two hosts sharing a
 * store, retries with backoff, an unreachable URL logged once and delivered later, and the aging
 * watch raising without waiting for the post.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { agingIncident, dependencyIncident } from '../../../src/runtime/domain/notifications/incident.js';
import { createRuntime } from '../../../src/runtime/services/runtime.js';
import { queueAgingJob } from '../../../src/runtime/services/inngest/jobs.js';
import { createNotifier } from '../../../src/runtime/services/notifier.js';
import { createStateNotifier, incidentStoreOver } from '../../../src/runtime/services/notifier-wiring.js';
import { openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import type { WebhookProcessor } from '../../../src/runtime/services/webhook-processor.js';
import { startNotifyStub, type NotifyStub } from '../../helpers/notify-stub.js';
import { waitUntil } from '../../helpers/store-contract.js';
import { useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stub(): Promise<NotifyStub> {
  const s = await startNotifyStub();
  cleanups.push(() => s.close());
  return s;
}

/** A "host": its own connection to the shared SQLite state file. */
function host(dir: string, url: string | undefined, logs: string[] = []) {
  const db = openDatabase(join(dir, 'caio.db'));
  const state = createSqliteStateStore(db, parseConfig({ HIVE_DIR: dir }));
  const notifier = createStateNotifier(state, {
    url,
    owner: `host-${Math.random()}`,
    logger: { warn: (details, message) => logs.push(`${message} ${JSON.stringify(details)}`) },
    baseDelayMs: 5,
    maxDelayMs: 20,
    maxAttempts: 3,
  });
  cleanups.push(async () => {
    await notifier.drain();
    await state.close();
    db.close();
  });
  return notifier;
}

describe('notifier', () => {
  it('posts one Slack-compatible message per incident across hosts', async () => {
    const s = await stub();
    const dir = tempDir();
    const a = host(dir, s.url);
    const b = host(dir, s.url);
    const incident = agingIncident(
      { escalated: ['d2', 'd1'], slaMinutes: 60, oldestMinutes: 95 },
      Date.now(),
    );
    a.raise(incident);
    b.raise(incident);
    a.raise(incident);
    await Promise.all([a.drain(), b.drain()]);
    expect(s.received).toEqual([
      { text: expect.stringContaining('2 draft(s) pending past the 60-minute review SLA') },
    ]);
    expect((await b.open()).map((r) => [r.kind, r.delivery])).toEqual([['aging_breach', 'sent']]);
    expect(await a.resolve('aging_breach')).toBe(1);
    expect(await b.open()).toEqual([]);
  });

  it('retries with backoff, logs a failure once per incident, and delivers later', async () => {
    const s = await stub();
    const logs: string[] = [];
    const notifier = host(tempDir(), s.url, logs);
    s.failNext(2);
    notifier.raise(dependencyIncident('redis', 'ECONNREFUSED', Date.now()));
    await notifier.drain();
    expect(s.attempts).toBe(3);
    expect(s.received).toHaveLength(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).not.toContain('/secret');

    s.failNext(10);
    const other = dependencyIncident('inngest', 'down', Date.now());
    notifier.raise(other);
    await notifier.drain();
    expect((await notifier.open()).find((r) => r.key === other.key)).toMatchObject({
      delivery: 'failed',
      attempts: 3,
    });
    expect(logs).toHaveLength(2);
    s.failNext(0);
    expect(await notifier.retryFailed()).toBe(1);
    await notifier.drain();
    expect((await notifier.open()).find((r) => r.key === other.key)).toMatchObject({ delivery: 'sent' });
    expect(logs).toHaveLength(2);
    expect(s.received).toHaveLength(2);
  });

  it('delivers an incident a dead host left "sending"', async () => {
    const s = await stub();
    const dir = tempDir();
    const db = openDatabase(join(dir, 'caio.db'));
    const state = createSqliteStateStore(db, parseConfig({ HIVE_DIR: dir }));
    cleanups.push(async () => {
      await state.close();
      db.close();
    });
    const incident = dependencyIncident('redis', 'down', Date.now() - 20 * 60_000);
    await incidentStoreOver(state).create({
      ...incident,
      delivery: 'sending',
      attempts: 1,
      last_error: null,
      notified_at: null,
      resolved_at: null,
    });
    const fresh = dependencyIncident('inngest', 'down', Date.now());
    await incidentStoreOver(state).create({
      ...fresh,
      delivery: 'sending',
      attempts: 0,
      last_error: null,
      notified_at: null,
      resolved_at: null,
    });
    const notifier = host(dir, s.url);
    expect(await notifier.retryFailed()).toBe(1);
    await notifier.drain();
    expect(s.received).toEqual([{ text: incident.text }]);
  });

  it('an unreachable URL is logged once per incident, never lost: the incident stays failed for the next round', async () => {
    const closed = await startNotifyStub();
    const url = closed.url;
    await closed.close();
    const logs: string[] = [];
    const notifier = host(tempDir(), url, logs);
    const incident = dependencyIncident('redis', 'down', Date.now());
    notifier.raise(incident);
    notifier.raise(incident);
    await notifier.drain();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('notification not delivered yet');
    expect(await notifier.open()).toEqual([
      expect.objectContaining({
        key: incident.key,
        delivery: 'failed',
        attempts: 3,
        last_error: expect.any(String),
      }),
    ]);
  });

  it('posts once per process when the coordination store itself is down (Redis unhealthy)', async () => {
    const s = await stub();
    const logs: string[] = [];
    const down = () =>
      Promise.reject(new Error('Redis at redis://127.0.0.1:1 is unavailable: not connected'));
    const notifier = createNotifier({
      url: s.url,
      owner: 'host-a',
      claim: { claimOnce: down },
      store: { create: down, update: down, list: down },
      logger: { warn: (details, message) => logs.push(`${message} ${JSON.stringify(details)}`) },
      baseDelayMs: 5,
      maxDelayMs: 20,
      maxAttempts: 3,
    });
    const incident = dependencyIncident('redis', 'ECONNREFUSED', Date.now());
    for (let probe = 0; probe < 3; probe++) {
      notifier.raise(incident);
      await notifier.drain();
    }
    expect(s.received).toEqual([{ text: expect.stringContaining('redis') }]);
    expect(logs).toEqual([expect.stringContaining('notification claim unavailable; posting from this host')]);
  });

  it('records incidents for the console without a URL', async () => {
    const notifier = host(tempDir(), undefined);
    notifier.raise(dependencyIncident('redis', null, Date.now()));
    await notifier.drain();
    expect((await notifier.open())[0]).toMatchObject({
      delivery: 'not_configured',
      kind: 'dependency_unhealthy',
    });
  });

  it('an aging breach posts one message from the aging watch, which does not wait for the post', async () => {
    const s = await stub();
    let clock = Date.parse('2026-11-29T08:00:00Z');
    const config = parseConfig({
      HIVE_DIR: tempDir(),
      NOTIFY_WEBHOOK_URL: s.url,
      QUEUE_AGING_SLA_MINUTES: '30',
    });
    const runtime = await createRuntime(config, { now: () => clock });
    cleanups.push(() => runtime.close());
    await runtime.queue.add(
      {
        id: 'old',
        lead: { email: 'a@acme.io', first_name: 'Ann', company: 'Acme' },
        subject: 's',
        body: 'b',
      },
      'api',
    );
    clock += 45 * 60_000;
    const deps = {
      config,
      processor: {} as WebhookProcessor,
      queue: runtime.queue,
      notifier: runtime.notifier,
      now: () => clock,
    };
    s.hold();
    const first = await queueAgingJob(deps);
    expect(first).toMatchObject({ status: 'ok', result: { breaches: 1, escalated: ['old'] } });
    // The job is done while the webhook has not answered yet.
    await waitUntil(() => s.attempts === 1, 'the post reached the stub');
    expect(s.received).toEqual([]);
    s.release();
    await runtime.notifier.drain();
    expect(s.received).toEqual([
      {
        text: expect.stringMatching(
          /^:warning: CAIO queue aging: 1 draft\(s\) pending past the 30-minute review SLA/,
        ),
      },
    ]);
    await queueAgingJob(deps);
    await runtime.notifier.drain();
    expect(s.received).toHaveLength(1);
    expect((await runtime.notifier.open()).map((r) => r.kind)).toEqual(['aging_breach']);
  });
});
