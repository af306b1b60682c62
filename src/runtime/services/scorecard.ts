/**
 * The weekly scorecard service: gathers what the runtime's services and the record know about one ISO
 * week and hands it to the pure `computeScorecard`. A missing source makes its metrics "unavailable"
 * (with the reason), never 0. The weekly sign-off is the PTO's (or an admin's), once per week, stored in
 * the record beside the week's release decision and figures, with its audit row in the same
 * transaction; a second one needs `force` and keeps the first.
 */
import { forbiddenMessage, ROLES, type Role } from '../domain/operators.js';
import {
  computeScorecard,
  isoWeekOf,
  parseIsoWeek,
  signOffSubject,
  SIGN_OFF_ACTION,
  SIGN_OFF_ROLES,
  type IsoWeek,
  type Metric,
  type Scorecard,
  type ScorecardDraft,
} from '../domain/rubric/scorecard.js';
import { formatPercent } from '../domain/rubric/index.js';
import { RefusedError, UsageError, UserError, errorMessage } from '../errors.js';
import type { RecordStore } from '../stores/record/record.js';
import type { SignOffRow } from '../stores/record/tables/scorecard.js';
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
  /** The record: sign-offs, the week's release decision (audit chain), operators' roles. */
  record?: Pick<RecordStore, 'scorecard' | 'operators' | 'transaction'> | undefined;
  now?: (() => number) | undefined;
  /** Why every missing source is missing (e.g. "the runtime did not start: ..."). */
  unavailableReason?: string | undefined;
}

export interface SignOffInput {
  week?: string | undefined;
  /** Who signs: an operator name, or `NAME (service token)`. */
  by: string;
  /**
   * The role they act with, when the caller already knows it (an HTTP token's operator, the service
   * token's admin); otherwise `by` is looked up among the operators.
   */
  role?: Role | undefined;
  note?: string | undefined;
  /** Sign off a week that is already signed off (the earlier sign-off is kept). */
  force?: boolean | undefined;
}

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

/** The figures kept with a sign-off: each metric's value, or null when it was unavailable. */
export function signOffFigures(card: Scorecard): Record<string, unknown> {
  const value = <T>(metric: Metric<T>) => (metric.status === 'ok' ? metric.value : null);
  const replay = value(card.replay_pass_rate);
  return {
    replay_pass_rate: replay ? replay.pass_rate : null,
    replay_block_build: replay ? replay.block_build : null,
    groundedness_failures: value(card.groundedness_failures),
    negative_constraint_violations: value(card.negative_constraint_violations),
    approval_rate: value(card.approval_rate),
    rejections_by_category: value(card.rejections_by_category),
    queue_aging_p95_minutes: value(card.queue_aging_p95_minutes),
    time_to_decision_minutes: value(card.time_to_decision_minutes),
    sends: value(card.sends),
  };
}

function alreadySigned(week: string, current: SignOffRow | undefined): RefusedError {
  const who = current ? ` by ${current.signed_by} at ${current.signed_at}` : '';
  return new RefusedError(
    `${week} is already signed off${who}; a week is signed off once`,
    'scorecard_already_signed',
    'Sign it off again with force to record a new sign-off beside the first (both are kept and audited).',
  );
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
    const { replays, queue, sentLog, record } = sources;
    const [runs, drafts, metrics, days, decision, signOffs] = await Promise.all([
      attempt(replays && (() => replays.list({ until: week.to, limit: 1000, goldenSet: sources.goldenSet }))),
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

  /** The role `name` signs with: given by the caller, else the operator's in the record. */
  async function roleOf(record: NonNullable<ScorecardSources['record']>, name: string, given?: Role) {
    if (given) return given;
    const operator = await record.operators.get(name);
    if (!operator || operator.revoked_at !== null || !(ROLES as readonly string[]).includes(operator.role)) {
      throw new RefusedError(
        `${name} is not an active operator: signing off the scorecard needs the pto or admin role`,
        'sign_off_forbidden',
        `Sign off as the PTO, or have an admin add ${name} as an operator with the pto role.`,
      );
    }
    return operator.role;
  }

  return {
    weekly,
    async signOff({ week, by, role, note, force }) {
      const name = by.trim();
      if (name === '') throw new UsageError('--by needs the name of the person signing off');
      const record = sources.record;
      if (!record) {
        throw new UserError(`Cannot record the sign-off: the record is unavailable (${base})`, {
          exitCode: 1,
          code: 'record_unavailable',
          nextStep: 'Check HIVE_DIR (or DATABASE_URL), then retry.',
        });
      }
      const acting = await roleOf(record, name, role);
      if (!(SIGN_OFF_ROLES as readonly string[]).includes(acting)) {
        throw new RefusedError(
          forbiddenMessage(name, acting, 'release'),
          'sign_off_forbidden',
          'Ask the PTO (an operator with the pto role) to sign the week off.',
        );
      }
      const card = await weekly(week);
      const decision = card.release_decision.status === 'ok' ? card.release_decision.value : null;
      const figures = signOffFigures(card);
      const input = {
        week: card.week,
        signed_by: name,
        role: acting,
        signed_at: new Date(now()).toISOString(),
        note: note?.trim() ? note.trim() : null,
        decision: decision?.decision ?? null,
        figures,
      };
      await record.transaction(async (tx) => {
        let replaced: SignOffRow | undefined;
        let row = await tx.scorecard.insertFirst(input);
        if (!row) {
          [replaced] = await tx.scorecard.forWeek(card.week, 1);
          if (!force) throw alreadySigned(card.week, replaced);
          row = await tx.scorecard.insertForced(input);
        }
        await tx.audit.append({
          actor: name,
          action: SIGN_OFF_ACTION,
          subject: signOffSubject(card.week),
          details: {
            role: acting,
            ...(input.note ? { note: input.note } : {}),
            forced: row.forced,
            ...(replaced ? { replaces: { by: replaced.signed_by, at: replaced.signed_at } } : {}),
            decision: input.decision,
            figures,
          },
        });
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
