import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/runtime/config.js';
import type { HostBeat } from '../../../../src/runtime/services/hosts.js';
import {
  collectStatus,
  renderStatusMarkdown,
  renderStatusText,
  type StatusSources,
} from '../../../../src/runtime/services/status.js';

const config = parseConfig({ CAIO_MODE: 'staging', REDIS_URL: 'redis://127.0.0.1:6379' });
const base: StatusSources = { config, version: '9.9.9', now: () => Date.parse('2026-11-21T10:00:00Z') };

describe('collectStatus', () => {
  it('says "unavailable" with the reason for every service this build lacks, and still prints send mode', async () => {
    const report = await collectStatus(base);
    expect(report.queue).toEqual({ available: false, reason: 'not available in this build' });
    expect(report.release).toEqual({ available: false, reason: 'no release check has run yet' });
    expect(renderStatusText(report).split('\n')).toEqual([
      'CAIO status at 2026-11-21T10:00:00.000Z',
      '',
      'Mode          staging (caio 9.9.9)',
      'Store         unavailable (not available in this build)',
      'Readiness     unavailable (not available in this build)',
      'Hosts         unavailable (not available in this build)',
      'Queue         unavailable (not available in this build)',
      'Aging         unavailable (not available in this build)',
      'Capacity      unavailable (not available in this build)',
      'Ramp          unavailable (not available in this build)',
      'Send mode     email log-only, crm sandbox, calendar mock',
      'Last replay   unavailable (not available in this build)',
      'Last release  unavailable (no release check has run yet)',
    ]);
  });

  it('renders every section from the services, and a failing service as its error only', async () => {
    const report = await collectStatus({
      ...base,
      state: {
        health: async () => ({
          kind: 'redis',
          healthy: true,
          degraded: false,
          latencyMs: 1.25,
          error: undefined,
        }),
      },
      readiness: {
        refresh: async () => ({
          ready: false,
          redis: { healthy: true, mode: 'redis', required: true },
          inngest: { healthy: false, mode: 'embedded', required: true },
        }),
      },
      queue: {
        metrics: async () => ({
          counts: { pending: 3, approved: 1, rejected: 0 },
          aging: { p50_minutes: 12, p95_minutes: 140, max_minutes: 150 },
          sla: { minutes: 120, breaches: 2 },
          capacity: {
            per_reviewer: 30,
            reviewers: [
              { reviewer: 'hos', used: 4 },
              { reviewer: 'b', used: 1 },
            ],
          },
        }),
      },
      ramp: {
        status: async () => {
          throw new Error('sent log locked');
        },
      },
      replay: {
        last: () => ({
          pass_rate: 0.97,
          threshold: 0.95,
          block_build: false,
          ran_at: '2026-11-20T08:00:00Z',
        }),
      },
      release: {
        latestRun: () => ({
          release_id: 'v1',
          env: 'staging',
          decision: 'GO',
          finished_at: '2026-11-21T09:00:00Z',
        }),
      },
    });
    const text = renderStatusText(report);
    expect(text).toContain('Store         redis healthy, 1.3 ms');
    expect(text).toContain(
      'Readiness     NOT READY; redis healthy (redis, required); inngest unhealthy (embedded, required)',
    );
    expect(text).toContain('Queue         pending 3, approved 1');
    expect(text).toContain('Aging         p50 12 min, p95 140 min, max 150 min; SLA 120 min, 2 breach(es)');
    expect(text).toContain('Capacity      5 approvals used today; 30 per reviewer');
    expect(text).toContain('Ramp          unavailable (error: sent log locked)');
    expect(text).toContain(
      'Last replay   pass rate 97% (threshold 0.95), block_build=false, at 2026-11-20T08:00:00Z',
    );
    expect(text).toContain('Last release  GO for v1 (staging) at 2026-11-21T09:00:00Z');
    expect(renderStatusMarkdown(report)).toContain('| **Queue** | pending 3, approved 1 |');
  });

  const beat = (id: string, record: string, extra: Partial<HostBeat> = {}): HostBeat => ({
    id,
    host: id.split(':')[0]!,
    pid: Number(id.split(':')[1]),
    role: 'serve' as const,
    version: '9.9.9',
    record_id: record,
    record_location: 'postgres://db:5432/caio',
    started_at: '2026-11-21T09:00:00.000Z',
    last_seen: '2026-11-21T09:59:58.000Z',
    ...extra,
  });
  const sharing = {
    shared: true,
    record_id: 'rec_a',
    registered_record_id: 'rec_a',
    checked_at: '2026-11-21T10:00:00.000Z',
    error: null,
  };

  it('lists the live hosts and names a split brain, as a problem', async () => {
    const report = await collectStatus({
      ...base,
      hosts: {
        sharing: () => sharing,
        check: async () => sharing,
        list: async () => [beat('a:1', 'rec_a'), beat('b:2', 'rec_b')],
      },
    });
    expect(renderStatusText(report)).toContain(
      'Hosts         record rec_a shared; 2 live: a:1 serve 9.9.9, seen 2026-11-21T09:59:58.000Z; b:2 serve 9.9.9 SPLIT BRAIN (record rec_b at postgres://db:5432/caio), seen 2026-11-21T09:59:58.000Z',
    );
    expect(report.problems).toEqual([
      'host b:2 (serve) runs record rec_b, not the registered rec_a (records_not_shared): set its DATABASE_URL to the shared record',
    ]);
  });

  it('names a host whose events to Inngest are failing, from its heartbeat', async () => {
    const events = (failing: boolean) =>
      failing
        ? {
            pending: 1200,
            failing_since: '2026-11-21T09:40:00.000Z',
            last_error: 'the Inngest event API at https://inn.gs answered 401: Event key not found',
          }
        : { pending: 0, failing_since: null, last_error: null };
    const report = await collectStatus({
      ...base,
      hosts: {
        sharing: () => sharing,
        check: async () => sharing,
        list: async () => [
          beat('a:1', 'rec_a', { inngest_events: events(false) }),
          beat('b:2', 'rec_a', { inngest_events: events(true) }),
        ],
      },
    });
    expect(renderStatusText(report)).toContain(
      'a:1 serve 9.9.9, events to Inngest ok (0 pending), seen 2026-11-21T09:59:58.000Z; b:2 serve 9.9.9, events to Inngest FAILING (1200 pending)',
    );
    // Intake goes on (events are kept and retried): a warning, not a dependency down.
    expect(report.problems).toEqual([]);
    expect(renderStatusText(report)).toContain('WARNING: host b:2 (serve): events to Inngest failing since');
    expect(report.warnings).toEqual([
      'host b:2 (serve): events to Inngest failing since 2026-11-21T09:40:00.000Z (1200 kept and retried): the Inngest event API at https://inn.gs answered 401: Event key not found; check INNGEST_EVENT_KEY and INNGEST_EVENT_API_BASE_URL on that host, and the event API',
    ]);
  });

  it('shows the store as unhealthy when the runtime could not start', async () => {
    const report = await collectStatus({
      ...base,
      unavailableReason: 'the runtime did not start: Redis unreachable',
    });
    expect(report.store).toMatchObject({
      available: true,
      kind: 'redis',
      healthy: false,
      error: 'the runtime did not start: Redis unreachable',
    });
    expect(report.queue).toEqual({
      available: false,
      reason: 'the runtime did not start: Redis unreachable',
    });
  });

  it('names the record, not Redis, when DATABASE_URL cannot be used', async () => {
    const error = 'Cannot use the record at DATABASE_URL (postgres://127.0.0.1:5999/x): connect ECONNREFUSED';
    const report = await collectStatus({
      ...base,
      config: parseConfig({
        CAIO_MODE: 'staging',
        REDIS_URL: 'redis://127.0.0.1:6379',
        DATABASE_URL: 'postgres://127.0.0.1:5999/x',
      }),
      unavailableReason: `the runtime did not start: ${error}`,
      recordError: error,
    });
    expect(report.problems).toEqual([
      `the record (DATABASE_URL) is down: ${error}; start PostgreSQL or correct DATABASE_URL`,
    ]);
    expect(report.problems.join('\n')).not.toContain('Redis');
    expect(report.store).toMatchObject({ available: false });
  });
});
