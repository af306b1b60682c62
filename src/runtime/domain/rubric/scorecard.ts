/**
 * The weekly scorecard (SPEC 9), pure: ISO weeks, and the metrics computed from what the services
 * hand in. A metric whose source is missing is `unavailable` with the reason, never 0.
 */

export type Metric<T> = { status: 'ok'; value: T; note?: string } | { status: 'unavailable'; reason: string };

export interface IsoWeek {
  /** `2026-W47` */
  key: string;
  /** Monday 00:00 UTC, ISO-8601. */
  from: string;
  /** The next Monday 00:00 UTC (exclusive). */
  to: string;
}

const DAY = 24 * 60 * 60 * 1000;

/** The ISO week containing `ms` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeekOf(ms: number): IsoWeek {
  const date = new Date(ms);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday = 0
  const monday = midnight - weekday * DAY;
  const thursday = new Date(monday + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return {
    key: `${year}-W${String(week).padStart(2, '0')}`,
    from: new Date(monday).toISOString(),
    to: new Date(monday + 7 * DAY).toISOString(),
  };
}

/** `2026-W47` -> the week, or undefined when malformed or out of range. */
export function parseIsoWeek(text: string): IsoWeek | undefined {
  const match = /^(\d{4})-W(\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const year = Number(match[1]);
  const week = Number(match[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
  const candidate = isoWeekOf(mondayOfWeek1 + (week - 1) * 7 * DAY);
  return week >= 1 && candidate.key === text.trim() ? candidate : undefined;
}

export interface ScorecardReplayRun {
  ran_at: string;
  pass_rate: number;
  threshold: number;
  block_build: boolean;
  critical_count: number;
}

export interface ScorecardDraft {
  /** `prep` (call briefs) count toward the meeting-prep rate, not the HoS draft rate. */
  kind?: string | undefined;
  decided_by?: string | null | undefined;
  status: string;
  created_at: string;
  decided_at: string | null;
  rejection: { category: string } | null;
  findings: { rule: string; category: string }[];
}

/** The week's release decision (the newest `release.decision` in the audit chain within the week). */
export interface ScorecardDecision {
  decision: string;
  subject: string;
  by: string;
  at: string;
}

/** A stored sign-off of the week. */
export interface ScorecardSignOff {
  signed_by: string;
  signed_at: string;
  role: string;
  note: string | null;
  forced: boolean;
  /** The week's release decision when it was signed, null when there was none. */
  decision: string | null;
}

export interface ScorecardInputs {
  week: IsoWeek;
  /** Replay runs up to the end of the week, newest first. */
  replayRuns?: ScorecardReplayRun[] | undefined;
  drafts?: ScorecardDraft[] | undefined;
  /** The queue's aging p95 right now (the queue keeps no history); null when nothing is pending. */
  agingP95Minutes?: number | null | undefined;
  /** Real sends per UTC day. */
  sendDays?: { day: string; sent: number; failed: number }[] | undefined;
  /** The week's release decision (null: none); undefined when the record could not be read. */
  releaseDecision?: ScorecardDecision | null | undefined;
  /** The week's sign-offs, newest first; undefined when the record could not be read. */
  signOffs?: ScorecardSignOff[] | undefined;
  /** Why a missing input is missing, by input name; `default` for the rest. */
  reasons: Partial<Record<'replay' | 'queue' | 'sends' | 'record' | 'default', string>>;
  /** Whether the week is the current one (snapshot metrics only make sense then). */
  current: boolean;
}

export interface Scorecard {
  week: string;
  from: string;
  to: string;
  replay_pass_rate: Metric<{
    pass_rate: number;
    threshold: number;
    block_build: boolean;
    ran_at: string;
    runs_this_week: number;
    /** Pass rates of this week's runs, oldest first. */
    trend: number[];
    /** Latest pass rate minus the latest one before the week (null when none). */
    change_vs_previous_week: number | null;
  }>;
  groundedness_failures: Metric<number>;
  negative_constraint_violations: Metric<number>;
  approval_rate: Metric<{ approved: number; decided: number; rate: number | null }>;
  /** Call briefs reviewers approved / decided (automatic approvals excluded), against the 80% bar. */
  meeting_prep_approval_rate: Metric<{
    approved: number;
    decided: number;
    rate: number | null;
    bar: number;
    meets_bar: boolean | null;
  }>;
  rejections_by_category: Metric<Record<string, number>>;
  /** null: nothing is pending. */
  queue_aging_p95_minutes: Metric<number | null>;
  time_to_decision_minutes: Metric<{ decided: number; p50: number | null; p95: number | null }>;
  sends: Metric<{ sent: number; failed: number }>;
  bounces: Metric<number>;
  replies: Metric<number>;
  scheduler_success: Metric<number>;
  release_decision: Metric<{ decision: string; subject: string; by: string; at: string } | null>;
  /** The sign-off that stands (the newest), with the week's decision when it was signed. */
  sign_off: Metric<{
    by: string;
    at: string;
    role: string;
    note: string | null;
    forced: boolean;
    decision_at_sign_off: string | null;
    /** Earlier sign-offs of the week that a forced one followed (kept, not shown). */
    earlier: number;
  } | null>;
}

export const SIGN_OFF_ACTION = 'scorecard.sign_off';
/** Roles that may sign a week off (SPEC 12): the PTO, and admin (the service token included). */
export const SIGN_OFF_ROLES = ['pto', 'admin'] as const;
/** The runbooks' quality bar for meeting prep: at least 80% of call briefs approved. */
export const MEETING_PREP_BAR = 0.8;
export const signOffSubject = (week: string) => `scorecard/${week}`;

const ok = <T>(value: T, note?: string): Metric<T> =>
  note ? { status: 'ok', value, note } : { status: 'ok', value };
const unavailable = (reason: string): Metric<never> => ({ status: 'unavailable', reason });

function within(iso: string | null, week: IsoWeek): boolean {
  return iso !== null && iso >= week.from && iso < week.to;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function computeScorecard(inputs: ScorecardInputs): Scorecard {
  const { week } = inputs;
  const reason = (name: keyof ScorecardInputs['reasons']) =>
    inputs.reasons[name] ?? inputs.reasons.default ?? 'not available in this build';

  const replay_pass_rate = (() => {
    if (!inputs.replayRuns) return unavailable(reason('replay'));
    const inWeek = inputs.replayRuns.filter((run) => within(run.ran_at, week));
    const latest = inWeek[0];
    if (!latest) return unavailable(`no replay run stored in ${week.key}; run \`caio replay\``);
    const before = inputs.replayRuns.find((run) => run.ran_at < week.from);
    return ok({
      pass_rate: latest.pass_rate,
      threshold: latest.threshold,
      block_build: latest.block_build,
      ran_at: latest.ran_at,
      runs_this_week: inWeek.length,
      trend: inWeek.map((run) => run.pass_rate).reverse(),
      change_vs_previous_week: before
        ? Math.round((latest.pass_rate - before.pass_rate) * 10_000) / 10_000
        : null,
    });
  })();

  const drafts = inputs.drafts?.filter((draft) => draft.kind !== 'prep');
  const entered = drafts?.filter((draft) => within(draft.created_at, week));
  const decided = drafts?.filter((draft) => within(draft.decided_at, week));
  const prepDecided = inputs.drafts?.filter(
    (draft) =>
      draft.kind === 'prep' &&
      within(draft.decided_at, week) &&
      !(draft.decided_by ?? '').startsWith('auto') &&
      (draft.status === 'approved' || draft.status === 'rejected'),
  );
  const prepApproved = prepDecided?.filter((draft) => draft.status === 'approved').length ?? 0;
  const prepRate =
    prepDecided && prepDecided.length > 0
      ? Math.round((prepApproved / prepDecided.length) * 10_000) / 10_000
      : null;
  const queueReason = reason('queue');

  const rejections: Record<string, number> = {};
  for (const draft of decided ?? []) {
    if (draft.status === 'rejected' && draft.rejection) {
      rejections[draft.rejection.category] = (rejections[draft.rejection.category] ?? 0) + 1;
    }
  }
  const approved = decided?.filter((draft) => draft.status !== 'rejected').length ?? 0;
  const minutes = (decided ?? [])
    .map((draft) => (Date.parse(draft.decided_at ?? '') - Date.parse(draft.created_at)) / 60_000)
    .filter((value) => Number.isFinite(value) && value >= 0)
    .sort((a, b) => a - b);

  const sendDays = inputs.sendDays?.filter(
    (day) => day.day >= week.from.slice(0, 10) && day.day < week.to.slice(0, 10),
  );

  const decision = inputs.releaseDecision;
  const signOff = inputs.signOffs?.[0];
  return {
    week: week.key,
    from: week.from,
    to: week.to,
    replay_pass_rate,
    groundedness_failures: entered
      ? ok(entered.filter((draft) => draft.findings.some((f) => f.rule.startsWith('groundedness.'))).length)
      : unavailable(queueReason),
    negative_constraint_violations: entered
      ? ok(entered.filter((draft) => draft.findings.some((f) => f.category === 'compliance')).length)
      : unavailable(queueReason),
    approval_rate: decided
      ? ok({
          approved,
          decided: decided.length,
          rate: decided.length === 0 ? null : Math.round((approved / decided.length) * 10_000) / 10_000,
        })
      : unavailable(queueReason),
    meeting_prep_approval_rate: prepDecided
      ? ok({
          approved: prepApproved,
          decided: prepDecided.length,
          rate: prepRate,
          bar: MEETING_PREP_BAR,
          meets_bar: prepRate === null ? null : prepRate >= MEETING_PREP_BAR,
        })
      : unavailable(queueReason),
    rejections_by_category: decided ? ok(rejections) : unavailable(queueReason),
    queue_aging_p95_minutes: !inputs.current
      ? unavailable('the queue keeps no aging history; only the current week has a snapshot')
      : inputs.agingP95Minutes === undefined
        ? unavailable(queueReason)
        : ok(inputs.agingP95Minutes, 'snapshot now'),
    time_to_decision_minutes: decided
      ? ok({
          decided: minutes.length,
          p50: minutes.length ? round1(percentile(minutes, 50) ?? 0) : null,
          p95: minutes.length ? round1(percentile(minutes, 95) ?? 0) : null,
        })
      : unavailable(queueReason),
    sends: sendDays
      ? ok({
          sent: sendDays.reduce((sum, day) => sum + day.sent, 0),
          failed: sendDays.reduce((sum, day) => sum + day.failed, 0),
        })
      : unavailable(reason('sends')),
    bounces: unavailable(
      'bounce events are not counted per week yet: webhook events are not summarised by type',
    ),
    replies: unavailable(
      'reply events are not counted per week yet: webhook events are not summarised by type',
    ),
    scheduler_success: unavailable('scheduler job runs are not recorded yet'),
    release_decision: decision === undefined ? unavailable(reason('record')) : ok(decision),
    sign_off:
      inputs.signOffs === undefined
        ? unavailable(reason('record'))
        : ok(
            signOff
              ? {
                  by: signOff.signed_by,
                  at: signOff.signed_at,
                  role: signOff.role,
                  note: signOff.note,
                  forced: signOff.forced,
                  decision_at_sign_off: signOff.decision,
                  earlier: inputs.signOffs.length - 1,
                }
              : null,
          ),
  };
}
