import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import type { Incident } from '../../src/runtime/domain/notifications/incident.js';
import { onReleaseDecision } from '../../src/runtime/services/notifier-wiring.js';
import { queueAgingJob, replayGateJob } from '../../src/runtime/services/inngest/jobs.js';
import type { WebhookProcessor } from '../../src/runtime/services/webhook-processor.js';

function recorder() {
  const raised: Incident[] = [];
  const resolved: string[] = [];
  return {
    raised,
    resolved,
    notifier: {
      raise: (incident: Incident | undefined) => {
        if (incident) raised.push(incident);
      },
      resolve: async (kind: string) => {
        resolved.push(kind);
        return 0;
      },
      retryFailed: async () => 0,
    },
  };
}

const base = {
  config: parseConfig({ HIVE_DIR: '/tmp/unused' }),
  processor: {} as WebhookProcessor,
  now: () => 0,
};

describe('scheduled jobs raise incidents', () => {
  it('the replay gate raises below the threshold and closes replay incidents when it passes', async () => {
    const r = recorder();
    const report = {
      pass_rate: 0.9,
      threshold: 0.95,
      block_build: true,
      critical_failures: [],
      stored_run_id: 12,
    };
    await replayGateJob({ ...base, notifier: r.notifier, replay: { runGate: async () => report } });
    expect(r.raised.map((i) => i.key)).toEqual(['replay_below_threshold:12']);
    await replayGateJob({
      ...base,
      notifier: r.notifier,
      replay: { runGate: async () => ({ ...report, pass_rate: 1, block_build: false, stored_run_id: 13 }) },
    });
    expect(r.raised).toHaveLength(1);
    expect(r.resolved).toEqual(['replay_below_threshold', 'replay_critical']);
  });

  it('the aging watch raises for newly escalated drafts and closes the incident without breaches', async () => {
    const r = recorder();
    const escalate = async () => ({ breaches: 2, escalated: ['d1', 'd2'] });
    await queueAgingJob({ ...base, notifier: r.notifier, queue: { escalateBreaches: escalate } });
    expect(r.raised.map((i) => i.kind)).toEqual(['aging_breach']);
    await queueAgingJob({
      ...base,
      notifier: r.notifier,
      queue: { escalateBreaches: async () => ({ breaches: 0, escalated: [] }) },
    });
    expect(r.raised).toHaveLength(1);
    expect(r.resolved).toEqual(['aging_breach']);
  });

  it('a NO-GO decision raises one incident per decision; a GO closes them', () => {
    const r = recorder();
    const decide = onReleaseDecision(r.notifier, () => 0);
    const run = {
      id: 4,
      release_id: 'r-9',
      env: 'production',
      decision: 'NO-GO',
      reasons: ['Redis unhealthy'],
    };
    decide(run);
    expect(r.raised.map((i) => [i.key, i.title])).toEqual([
      ['release_no_go:4', 'NO-GO for release r-9 (production): Redis unhealthy'],
    ]);
    decide({ ...run, id: 5, decision: 'GO', reasons: [] });
    expect(r.raised).toHaveLength(1);
    expect(r.resolved).toEqual(['release_no_go']);
  });
});
