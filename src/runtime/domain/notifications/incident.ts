/**
 * Incidents that page a person (SPEC 13): an aging SLA breach, a replay below its threshold or with a
 * critical failure, a required dependency unhealthy, a NO-GO decision. Pure: each builder returns the
 * incident's key (one message per key, across every host), its kind and the Slack-compatible text.
 */
import { createHash } from 'node:crypto';

export const INCIDENT_KINDS = [
  'aging_breach',
  'replay_below_threshold',
  'replay_critical',
  'dependency_unhealthy',
  'release_no_go',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface Incident {
  key: string;
  kind: IncidentKind;
  /** One line for the console's Overview. */
  title: string;
  /** The message posted to NOTIFY_WEBHOOK_URL. */
  text: string;
  opened_at: string;
}

const digest = (parts: readonly string[]) =>
  createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
const iso = (ms: number) => new Date(ms).toISOString();

/** One incident per aging-watch run that escalated new drafts (escalation itself happens once per draft). */
export function agingIncident(
  input: { escalated: readonly string[]; slaMinutes: number; oldestMinutes?: number | undefined },
  now: number,
): Incident | undefined {
  if (input.escalated.length === 0) return undefined;
  const n = input.escalated.length;
  const oldest = input.oldestMinutes === undefined ? '' : ` (oldest ${input.oldestMinutes} min)`;
  const title = `${n} draft(s) pending past the ${input.slaMinutes}-minute review SLA${oldest}`;
  return {
    key: `aging_breach:${digest([...input.escalated].sort())}`,
    kind: 'aging_breach',
    title,
    text: `:warning: CAIO queue aging: ${title}. Next: review them in the console (Queue screen) or with \`caio queue list --status pending\`.`,
    opened_at: iso(now),
  };
}

export function replayIncident(
  input: {
    runId: string | number;
    passRate: number;
    threshold: number;
    blockBuild: boolean;
    criticalFailures: number;
  },
  now: number,
): Incident | undefined {
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  if (input.criticalFailures > 0) {
    const title = `replay gate: ${input.criticalFailures} critical failure(s) (pass rate ${pct(input.passRate)})`;
    return {
      key: `replay_critical:${input.runId}`,
      kind: 'replay_critical',
      title,
      text: `:rotating_light: CAIO ${title}; the build is blocked. Next: \`caio replay\` lists the failing cases.`,
      opened_at: iso(now),
    };
  }
  if (input.blockBuild || input.passRate < input.threshold) {
    const title = `replay gate: pass rate ${pct(input.passRate)} below the ${pct(input.threshold)} threshold`;
    return {
      key: `replay_below_threshold:${input.runId}`,
      kind: 'replay_below_threshold',
      title,
      text: `:warning: CAIO ${title}. Next: \`caio replay\` lists the failing cases.`,
      opened_at: iso(now),
    };
  }
  return undefined;
}

/** At most one message per dependency per UTC hour while it stays unhealthy. */
export function dependencyIncident(name: string, error: string | null, now: number): Incident {
  const title = `required dependency ${name} is unhealthy${error ? `: ${error.slice(0, 200)}` : ''}`;
  return {
    key: `dependency_unhealthy:${name}:${iso(now).slice(0, 13)}`,
    kind: 'dependency_unhealthy',
    title,
    text: `:rotating_light: CAIO ${title}. Dispatch is refused until it recovers. Next: \`caio status\` and \`GET /api/runtime/dependencies\`.`,
    opened_at: iso(now),
  };
}

export function noGoIncident(
  input: { runId: string | number; releaseId: string; env: string; reasons: readonly string[] },
  now: number,
): Incident {
  const why = input.reasons.slice(0, 3).join('; ');
  const title = `NO-GO for release ${input.releaseId} (${input.env})${why ? `: ${why}` : ''}`;
  return {
    key: `release_no_go:${input.runId}`,
    kind: 'release_no_go',
    title,
    text: `:no_entry: CAIO ${title}. Next: \`caio release check --env ${input.env}\` shows every step.`,
    opened_at: iso(now),
  };
}

/** Slack-compatible incoming-webhook body. */
export function slackMessage(incident: Pick<Incident, 'text'>): { text: string } {
  return { text: incident.text };
}

/** Exponential backoff: base * 2^(attempt-1), capped. attempt starts at 1. */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
