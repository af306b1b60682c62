/**
 * The weekly scorecard service: gathers what the runtime's services and the record know about one ISO
 * week and hands it to the pure `computeScorecard`. A missing source makes its metrics "unavailable"
 * (with the reason), never 0. The weekly sign-off (the PTO's, once per week) is `scorecard-sign-off.ts`.
 */
import {
  computeScorecard,
  isoWeekOf,
  parseIsoWeek,
  type IsoWeek,
  type Metric,
  type Scorecard,
  type ScorecardDraft,
} from '../domain/rubric/scorecard.js';
import { formatPercent } from '../domain/rubric/index.js';
import { UsageError, UserError, errorMessage } from '../errors.js';
import type { RecordStore } from '../stores/record/record.js';
import type { ReplayStore } from '../stores/replay-store.js';
import { signOffWeek, type SignOffRequest } from './scorecard-sign-off.js';

export { signOffFigures } from './scorecard-sign-off.js';

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
  /** The record: sign-offs, the week's release decision (audit chain), operators' roles. */
  record?: Pick<RecordStore, 'scorecard' | 'operators' | 'transaction'> | undefined;
  now?: (() => number) | undefined;
  /** Why every missing source is missing (e.g. "the runtime did not start: ..."). */
  unavailableReason?: string | undefined;
}

/** Who signs which week, as whom (see `scorecard-sign-off.ts`). */
export type SignOffInput = SignOffRequest;

export interface ScorecardService {
  /** The scorecard of `week` (`YYYY-Www`), default the current week. */
  weekly(week?: string): Promise<Scorecard>;
  /** Record the weekly sign-off (pto or admin; once per week unless forced), then return the week's scorecard. */
  signOff(input: SignOffInput): Promise<Scorecard>;
}

/** How many sign-offs of one week are read back (the newest stands; the rest are counted). */
const SIGN_OFF_WINDOW = 100;

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
    const { replays, queue, sentLog, record, goldenSet } = sources;
    const [runs, drafts, metrics, days, decision, signOffs] = await Promise.all([
      // The week's runs, and the newest one before it (for the change vs last week): two bounded reads.
      attempt(
        replays &&
          (async () => [
            ...(await replays.list({ since: week.from, until: week.to, limit: 1000, goldenSet })),
            ...(await replays.list({ until: week.from, limit: 1, goldenSet })),
          ]),
      ),
      attempt(queue && (() => queue.list())),
      attempt(queue && current ? () => queue.metrics() : undefined),
      attempt(sentLog && (() => sentLog.rampDays(week.from.slice(0, 10)))),
      attempt(record && (async () => (await record.scorecard.weekDecision(week.from, week.to)) ?? null)),
      attempt(record && (() => record.scorecard.forWeek(week.key, SIGN_OFF_WINDOW))),
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
      releaseDecision: decision.value,
      signOffs: signOffs.value,
      reasons: {
        default: base,
        replay: why(runs),
        queue: why(drafts.error ? drafts : metrics),
        sends: why(days),
        record: why(decision.error ? decision : signOffs),
      },
    });
  }

  return {
    weekly,
    async signOff(input) {
      if (!sources.record) {
        throw new UserError(`Cannot record the sign-off: the record is unavailable (${base})`, {
          exitCode: 1,
          code: 'record_unavailable',
          nextStep: 'Check HIVE_DIR (or DATABASE_URL), then retry.',
        });
      }
      const week = await signOffWeek({ record: sources.record, weekly, now }, input);
      return weekly(week);
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
    ['Sign-off', show(card.sign_off, signOffText)],
  ];
}

/** `Hana (pto) at 2026-11-18T12:00:00.000Z, decision then: GO — reviewed [forced over 1 earlier]`. */
export function signOffText(s: Scorecard['sign_off'] extends Metric<infer T> ? T : never): string {
  if (!s) return 'not signed off';
  const decision = `decision then: ${s.decision_at_sign_off ?? 'none'}`;
  const forced = s.forced ? ` [forced over ${s.earlier} earlier]` : '';
  return `${s.by} (${s.role}) at ${s.at}, ${decision}${s.note ? ` — ${s.note}` : ''}${forced}`;
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
