/**
 * Send ramp (SPEC 8). Tier 0 allows RAMP_START_DAILY_LIMIT sends per UTC day; each next tier doubles
 * it. A supervised day is a past UTC day with at least one dispatch; it is clean when none of its
 * dispatches failed and no incident was recorded for it. The clean streak counts back from
 * yesterday, over supervised days after the last graduation (days without sends neither count nor
 * break it; a dirty day resets it). With RAMP_CLEAN_DAYS_TO_GRADUATE clean days the operator MAY
 * graduate: graduation never happens by itself, it needs an explicit confirmation (audited by the
 * service). Pure.
 */

export const MAX_RAMP_TIER = 8;

export interface RampDay {
  /** YYYY-MM-DD (UTC). */
  day: string;
  sent: number;
  failed: number;
  incidents: number;
}

export interface RampInput {
  startLimit: number;
  cleanDaysToGraduate: number;
  tier: number;
  /** Day of the last graduation (YYYY-MM-DD) or undefined at tier 0. */
  graduatedOn: string | undefined;
  days: readonly RampDay[];
  today: string;
}

export interface RampStatus {
  tier: number;
  daily_limit: number;
  sent_today: number;
  remaining_today: number;
  clean_days: number;
  required_clean_days: number;
  eligible_to_graduate: boolean;
  next_daily_limit: number | null;
  /** Why graduation is not possible yet (empty when eligible). */
  blockers: string[];
}

export function tierLimit(startLimit: number, tier: number): number {
  return startLimit * 2 ** Math.max(0, Math.min(tier, MAX_RAMP_TIER));
}

export function isCleanDay(day: RampDay): boolean {
  return day.sent + day.failed > 0 && day.failed === 0 && day.incidents === 0;
}

export function cleanStreak(days: readonly RampDay[], today: string, after: string | undefined): number {
  const past = days
    .filter((d) => d.day < today && (after === undefined || d.day > after))
    .sort((a, b) => (a.day < b.day ? 1 : -1));
  let streak = 0;
  for (const day of past) {
    const supervised = day.sent + day.failed > 0 || day.incidents > 0;
    if (!supervised) continue;
    if (!isCleanDay(day)) break;
    streak += 1;
  }
  return streak;
}

export function rampStatus(input: RampInput): RampStatus {
  const limit = tierLimit(input.startLimit, input.tier);
  const todayRow = input.days.find((d) => d.day === input.today);
  const sentToday = (todayRow?.sent ?? 0) + (todayRow?.failed ?? 0);
  const clean = cleanStreak(input.days, input.today, input.graduatedOn);
  const atTop = input.tier >= MAX_RAMP_TIER;
  const blockers: string[] = [];
  if (atTop) blockers.push(`already at the top tier (${MAX_RAMP_TIER})`);
  if (clean < input.cleanDaysToGraduate) {
    blockers.push(`${clean} of ${input.cleanDaysToGraduate} clean supervised days since the last graduation`);
  }
  return {
    tier: input.tier,
    daily_limit: limit,
    sent_today: sentToday,
    remaining_today: Math.max(0, limit - sentToday),
    clean_days: clean,
    required_clean_days: input.cleanDaysToGraduate,
    eligible_to_graduate: blockers.length === 0,
    next_daily_limit: atTop ? null : tierLimit(input.startLimit, input.tier + 1),
    blockers,
  };
}

export type GraduationDecision =
  { ok: true; tier: number; daily_limit: number } | { ok: false; message: string };

/** Graduation needs eligibility AND the operator's explicit confirmation. */
export function decideGraduation(
  status: RampStatus,
  startLimit: number,
  confirmed: boolean,
): GraduationDecision {
  if (!status.eligible_to_graduate) {
    return { ok: false, message: `Cannot graduate the ramp yet: ${status.blockers.join('; ')}` };
  }
  if (!confirmed) {
    return {
      ok: false,
      message: `Graduating to tier ${status.tier + 1} (${status.next_daily_limit} sends/day) needs an explicit confirmation`,
    };
  }
  return { ok: true, tier: status.tier + 1, daily_limit: tierLimit(startLimit, status.tier + 1) };
}
