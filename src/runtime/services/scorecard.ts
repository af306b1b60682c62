/**
 * The weekly scorecard service: gathers what the runtime's services know about one ISO week and
 * hands it to the pure `computeScorecard`. A missing service makes its metrics "unavailable" (with the
 * reason), never 0. The weekly sign-off is an audit row (`scorecard.sign_off`, subject `scorecard/<week>`).
 */
import {
  computeScorecard,
  isoWeekOf,
  parseIsoWeek,
  signOffSubject,
  SIGN_OFF_ACTION,
  type IsoWeek,
  type Metric,
  type Scorecard,
  type ScorecardAuditRow,
  type ScorecardDraft,
} from '../domain/rubric/scorecard.js';
import { formatPercent } from '../domain/rubric/index.js';
import { UsageError, UserError, errorMessage } from '../errors.js';
import type { ReplayStore } from './replay-store.js';

export interface ScorecardSources {
  replays?: Pick<ReplayStore, 'list'> | undefined;
  /** Only runs of this golden-set folder count (the gate's own set, not ad-hoc --golden-set runs). */
  goldenSet?: string | undefined;
  queue?:
    | {
        list(): Promise<ScorecardDraft[]>;
        metrics(): Promise<{ aging: { p95_minutes: number; pending: number } }>;
      }
    | undefined;
  sentLog?:
    { rampDays(sinceDay: string): Promise<{ day: string; sent: number; failed: number }[]> } | undefined;
  audit?:
    | {
        tail(n: number): Promise<ScorecardAuditRow[]>;
        append(entry: { actor: string; action: string; subject: string; details?: unknown }): unknown;
      }
    | undefined;
  now?: (() => number) | undefined;
  /** Why every missing source is missing (e.g. "the runtime did not start: ..."). */
  unavailableReason?: string | undefined;
}

/** How many audit rows are read back to find the week's decision and sign-off. */
const AUDIT_WINDOW = 5000;

export interface ScorecardService {
  /** The scorecard of `week` (`YYYY-Www`), default the current week. */
  weekly(week?: string): Promise<Scorecard>;
  /** Record the HoS sign-off of a week in the audit trail, then return the week's scorecard. */
  signOff(input: { week?: string | undefined; by: string; note?: string | undefined }): Promise<Scorecard>;
}

export function resolveWeek(week: string | undefined, now: number): IsoWeek {
  if (week === undefined) return isoWeekOf(now);
  const parsed = parseIsoWeek(week);
  if (!parsed) throw new UsageError(`--week must be an ISO week such as 2026-W07 (got "${week}")`);
  return parsed;
}

export function createScorecardService(sources: ScorecardSources): ScorecardService {
  const now = sources.now ?? Date.now;
  const base = sources.unavailableReason ?? 'not available in this build';

  async function attempt<T>(fn: (() => Promise<T> | T) | undefined): Promise<{ value?: T; error?: string }> {
    if (!fn) return {};
    try {
      return { value: await fn() };
    } catch (error) {
      return { error: errorMessage(error) };
    }
  }

  async function weekly(weekText?: string): Promise<Scorecard> {
    const week = resolveWeek(weekText, now());
    const current = isoWeekOf(now()).key === week.key;
    const { replays, queue, sentLog, audit } = sources;
    const [runs, drafts, metrics, days, rows] = await Promise.all([
      attempt(replays && (() => replays.list({ until: week.to, limit: 1000, goldenSet: sources.goldenSet }))),
      attempt(queue && (() => queue.list())),
      attempt(queue && current ? () => queue.metrics() : undefined),
      attempt(sentLog && (() => sentLog.rampDays(week.from.slice(0, 10)))),
      attempt(audit && (() => audit.tail(AUDIT_WINDOW))),
    ]);
    const why = (result: { error?: string }) => (result.error ? `failed: ${result.error}` : base);
    return computeScorecard({
      week,
      current,
      replayRuns: runs.value,
      drafts: drafts.value,
      agingP95Minutes:
        metrics.value && (metrics.value.aging.pending > 0 ? metrics.value.aging.p95_minutes : null),
      sendDays: days.value,
      auditRows: rows.value,
      reasons: {
        default: base,
        replay: why(runs),
        queue: why(drafts.error ? drafts : metrics),
        sends: why(days),
        audit: why(rows),
      },
    });
  }

  return {
    weekly,
    async signOff({ week, by, note }) {
      const name = by.trim();
      if (name === '') throw new UsageError('--by needs the name of the person signing off');
      if (!sources.audit) {
        throw new UserError(`Cannot record the sign-off: the audit trail is unavailable (${base})`, {
          exitCode: 1,
          code: 'audit_unavailable',
          nextStep: 'Check HIVE_DIR and verify the audit chain.',
        });
      }
      const card = await weekly(week);
      await sources.audit.append({
        actor: name,
        action: SIGN_OFF_ACTION,
        subject: signOffSubject(card.week),
        details: {
          ...(note ? { note } : {}),
          replay_pass_rate:
            card.replay_pass_rate.status === 'ok' ? card.replay_pass_rate.value.pass_rate : null,
        },
      });
      return weekly(card.week);
    },
  };
}

// ---------------------------------------------------------------- rendering

type Row = [label: string, value: string];

function show<T>(metric: Metric<T>, format: (value: T) => string): string {
  if (metric.status === 'unavailable') return `unavailable (${metric.reason})`;
  return `${format(metric.value)}${metric.note ? ` (${metric.note})` : ''}`;
}

const signed = (delta: number) => `${delta >= 0 ? '+' : ''}${Math.round(delta * 1000) / 10} points`;

export function scorecardRows(card: Scorecard): Row[] {
  return [
    [
      'Replay pass rate',
      show(card.replay_pass_rate, (r) => {
        const change =
          r.change_vs_previous_week === null ? '' : `, ${signed(r.change_vs_previous_week)} vs last week`;
        const trend = r.trend.length > 1 ? `, trend ${r.trend.map(formatPercent).join(' -> ')}` : '';
        return `${formatPercent(r.pass_rate)} (threshold ${formatPercent(r.threshold)}, block_build=${r.block_build}${change}${trend})`;
      }),
    ],
    ['Groundedness failures', show(card.groundedness_failures, String)],
    ['Negative-constraint violations', show(card.negative_constraint_violations, String)],
    [
      'HoS approval rate',
      show(card.approval_rate, (r) =>
        r.rate === null ? 'no decisions' : `${formatPercent(r.rate)} (${r.approved} of ${r.decided})`,
      ),
    ],
    [
      'Meeting prep approval',
      show(card.meeting_prep_approval_rate, (r) =>
        r.rate === null
          ? `no call briefs reviewed (bar ${formatPercent(r.bar)})`
          : `${formatPercent(r.rate)} (${r.approved} of ${r.decided}; bar ${formatPercent(r.bar)}: ${r.meets_bar ? 'met' : 'NOT met'})`,
      ),
    ],
    [
      'Rejections by category',
      show(card.rejections_by_category, (r) => {
        const entries = Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
        return entries.length === 0 ? 'none' : entries.map(([category, n]) => `${category} ${n}`).join(', ');
      }),
    ],
    [
      'Queue aging p95',
      show(card.queue_aging_p95_minutes, (m) => (m === null ? 'nothing pending' : `${m} min`)),
    ],
    [
      'Time to decision',
      show(card.time_to_decision_minutes, (t) =>
        t.decided === 0 ? 'no decisions' : `p50 ${t.p50} min, p95 ${t.p95} min (${t.decided} decisions)`,
      ),
    ],
    ['Sends', show(card.sends, (s) => `${s.sent} sent, ${s.failed} failed`)],
    ['Bounces', show(card.bounces, String)],
    ['Replies', show(card.replies, String)],
    ['Scheduler success', show(card.scheduler_success, (rate) => formatPercent(rate))],
    [
      'Release decision',
      show(card.release_decision, (d) =>
        d ? `${d.decision} (${d.subject}, by ${d.by} at ${d.at})` : 'none this week',
      ),
    ],
    [
      'Sign-off',
      show(card.sign_off, (s) =>
        s ? `${s.by} at ${s.at}${s.note ? ` — ${s.note}` : ''}` : 'not signed off',
      ),
    ],
  ];
}

export function renderScorecardText(card: Scorecard): string {
  const rows = scorecardRows(card);
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Scorecard ${card.week} (${card.from.slice(0, 10)} to ${card.to.slice(0, 10)})`,
    '',
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

export function renderScorecardMarkdown(card: Scorecard): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `## Scorecard ${card.week}`,
    '',
    `${card.from.slice(0, 10)} to ${card.to.slice(0, 10)}`,
    '',
    '| metric | value |',
    '|---|---|',
    ...scorecardRows(card).map(([label, value]) => `| ${cell(label)} | ${cell(value)} |`),
  ].join('\n');
}
