import { describe, expect, it } from 'vitest';
import {
  agingIncident,
  dependencyIncident,
  noGoIncident,
  replayIncident,
  retryDelayMs,
  slackMessage,
} from '../../../../../src/runtime/domain/notifications/incident.js';

const NOW = Date.parse('2026-11-29T10:20:00Z');

describe('incidents', () => {
  it('keys an aging breach by the drafts it escalated, in any order', () => {
    const a = agingIncident({ escalated: ['d1', 'd2'], slaMinutes: 60 }, NOW);
    const b = agingIncident({ escalated: ['d2', 'd1'], slaMinutes: 60 }, NOW + 1000);
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(agingIncident({ escalated: ['d3'], slaMinutes: 60 }, NOW)?.key);
    expect(agingIncident({ escalated: [], slaMinutes: 60 }, NOW)).toBeUndefined();
    expect(slackMessage(a!)).toEqual({
      text: ':warning: CAIO queue aging: 2 draft(s) pending past the 60-minute review SLA. Next: review them in the console (Queue screen) or with `caio queue list --status pending`.',
    });
  });

  it('raises a replay incident only below the threshold or on a critical failure', () => {
    const base = { runId: 7, passRate: 0.97, threshold: 0.95, blockBuild: false, criticalFailures: 0 };
    expect(replayIncident(base, NOW)).toBeUndefined();
    expect(replayIncident({ ...base, passRate: 0.9, blockBuild: true }, NOW)).toMatchObject({
      key: 'replay_below_threshold:7',
      title: 'replay gate: pass rate 90% below the 95% threshold',
    });
    expect(replayIncident({ ...base, criticalFailures: 2, blockBuild: true }, NOW)).toMatchObject({
      key: 'replay_critical:7',
      kind: 'replay_critical',
    });
  });

  it('keys a dependency outage per hour and a NO-GO per decision', () => {
    expect(dependencyIncident('redis', 'ECONNREFUSED', NOW).key).toBe(
      'dependency_unhealthy:redis:2026-11-29T10',
    );
    expect(dependencyIncident('redis', null, NOW + 30 * 60_000).key).toBe(
      'dependency_unhealthy:redis:2026-11-29T10',
    );
    expect(dependencyIncident('redis', null, NOW + 60 * 60_000).key).toBe(
      'dependency_unhealthy:redis:2026-11-29T11',
    );
    const nogo = noGoIncident(
      { runId: 3, releaseId: 'r-1', env: 'production', reasons: ['replay below threshold'] },
      NOW,
    );
    expect(nogo).toMatchObject({
      key: 'release_no_go:3',
      title: 'NO-GO for release r-1 (production): replay below threshold',
    });
    expect(nogo.text).toContain('caio release check --env production');
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});
