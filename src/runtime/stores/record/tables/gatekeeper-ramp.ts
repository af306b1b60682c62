/**
 * The ramp's durable history (SPEC 8): graduations and incidents, plus the per-day attempts that the
 * send ledger holds for every host. `days` is what `domain/ramp.ts` needs.
 */
import type { RampDay } from '../../../domain/ramp.js';
import type { Executor, RepoContext } from '../context.js';
import { createLedgerRepo, dayOf } from './gatekeeper-ledger.js';

export function createRampRepo(exec: Executor, ctx: RepoContext) {
  const ledger = createLedgerRepo(exec, ctx);
  const iso = (ms: number) => new Date(ms).toISOString();

  async function addEvent(
    kind: 'graduation' | 'incident',
    tier: number | null,
    actor: string,
    note: string | null,
    atMs: number,
  ): Promise<void> {
    await exec
      .insertInto('ramp_history')
      .values({ kind, tier, day: dayOf(atMs), at: iso(atMs), actor, note })
      .execute();
  }

  return {
    /** Real sends and failures per UTC day (every host), plus incidents, since `sinceDay`. */
    async days(sinceDay: string): Promise<RampDay[]> {
      const byDay = new Map<string, RampDay>();
      const entry = (day: string) => {
        let found = byDay.get(day);
        if (!found) byDay.set(day, (found = { day, sent: 0, failed: 0, incidents: 0 }));
        return found;
      };
      for (const row of await ledger.days(sinceDay)) Object.assign(entry(row.day), row, { day: row.day });
      const incidents = await exec
        .selectFrom('ramp_history')
        .select((eb) => ['day', eb.fn.countAll<number>().as('n')])
        .where('kind', '=', 'incident')
        .where('day', '>=', sinceDay)
        .groupBy('day')
        .execute();
      for (const row of incidents) entry(row.day).incidents = Number(row.n);
      return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
    },

    async tier(): Promise<{ tier: number; graduatedOn: string | undefined }> {
      const row = await exec
        .selectFrom('ramp_history')
        .select(['tier', 'day'])
        .where('kind', '=', 'graduation')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row
        ? { tier: Number(row.tier ?? 0), graduatedOn: row.day }
        : { tier: 0, graduatedOn: undefined };
    },

    recordGraduation: (tier: number, actor: string, note: string | null, atMs: number) =>
      addEvent('graduation', tier, actor, note, atMs),
    recordIncident: (actor: string, note: string, atMs: number) =>
      addEvent('incident', null, actor, note, atMs),
  };
}
export type RampRepo = ReturnType<typeof createRampRepo>;
