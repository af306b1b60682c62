/**
 * Weekly scorecard sign-offs in the record (SPEC 9, 12): who signed which ISO week off, when, with
 * what note, whether it was forced over an earlier sign-off, and the week's release decision and
 * figures as they stood then. Every sign-off is kept; a week's sign-off is its newest row. The first
 * sign-off of a week is unique (a partial index on unforced rows), so `insertFirst` answers
 * `undefined` when someone else signed first, on any host.
 */
import { sql, type Generated } from 'kysely';
import { z } from 'zod';
import type { Executor, RepoContext } from '../context.js';

export interface ScorecardTables {
  scorecard_sign_offs: {
    id: Generated<number>;
    week: string;
    signed_by: string;
    role: string;
    signed_at: string;
    note: string | null;
    forced: number;
    decision: string | null;
    figures: string;
  };
}

export interface SignOffInput {
  /** `2026-W47` */
  week: string;
  signed_by: string;
  /** The role the signer acted with (`pto`, `admin`). */
  role: string;
  signed_at: string;
  note: string | null;
  /** The week's release decision when it was signed (`GO`, `NO-GO`), null when there was none. */
  decision: string | null;
  /** The week's figures when it was signed (replay pass rate, approval rate, ...). */
  figures: Record<string, unknown>;
}

export interface SignOffRow extends SignOffInput {
  id: number;
  /** Signed over an earlier sign-off of the same week (`--force`). */
  forced: boolean;
}

/** The week's newest release decision in the audit chain (`release.decision` rows). */
export interface WeekDecision {
  decision: string;
  subject: string;
  by: string;
  at: string;
}

const rowSchema = z.object({
  id: z.coerce.number().int(),
  week: z.string(),
  signed_by: z.string(),
  role: z.string(),
  signed_at: z.string(),
  note: z.string().nullable(),
  forced: z.coerce.number().int(),
  decision: z.string().nullable(),
  figures: z.string(),
});

function toSignOff(raw: unknown): SignOffRow {
  const row = rowSchema.parse(raw);
  let figures: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.figures);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      figures = parsed as Record<string, unknown>;
  } catch {
    // Unreadable figures show as none.
  }
  return { ...row, forced: row.forced === 1, figures };
}

function decisionOf(details: string): string {
  try {
    const value = (JSON.parse(details) as { decision?: unknown } | null)?.decision;
    return typeof value === 'string' ? value : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function createScorecardRepo(exec: Executor, _ctx: RepoContext) {
  async function insert(input: SignOffInput, forced: boolean): Promise<SignOffRow | undefined> {
    const values = {
      week: input.week,
      signed_by: input.signed_by,
      role: input.role,
      signed_at: input.signed_at,
      note: input.note,
      forced: forced ? 1 : 0,
      decision: input.decision,
      figures: JSON.stringify(input.figures),
    };
    const query = exec.insertInto('scorecard_sign_offs').values(values);
    const row = forced
      ? await query.returningAll().executeTakeFirstOrThrow()
      : await query
          .onConflict((oc) =>
            oc
              .column('week')
              .where(sql<boolean>`forced = 0`)
              .doNothing(),
          )
          .returningAll()
          .executeTakeFirst();
    return row === undefined ? undefined : toSignOff(row);
  }

  return {
    /** The week's first sign-off; undefined when the week is already signed off. */
    insertFirst: (input: SignOffInput) => insert(input, false),
    /** A sign-off over an earlier one of the same week (the earlier one is kept). */
    insertForced: async (input: SignOffInput) => (await insert(input, true)) as SignOffRow,

    /** The week's sign-offs, newest first (the first is the one that stands). */
    async forWeek(week: string, limit = 20): Promise<SignOffRow[]> {
      const rows = await exec
        .selectFrom('scorecard_sign_offs')
        .selectAll()
        .where('week', '=', week)
        .orderBy('id', 'desc')
        .limit(Math.max(1, Math.min(500, Math.floor(limit))))
        .execute();
      return rows.map(toSignOff);
    },

    /** How many sign-offs the week has (forced ones included). */
    async countForWeek(week: string): Promise<number> {
      const row = await exec
        .selectFrom('scorecard_sign_offs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('week', '=', week)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * The newest `release.decision` of the audit chain within [from, to) (ISO times): the week's
     * decision, read by the indexed (action, time) pair — never a scan of the chain.
     */
    async weekDecision(from: string, to: string): Promise<WeekDecision | undefined> {
      const row = await exec
        .selectFrom('audit_log')
        .select(['time', 'actor', 'subject', 'details'])
        .where('action', '=', 'release.decision')
        .where('time', '>=', from)
        .where('time', '<', to)
        .orderBy('time', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row
        ? { decision: decisionOf(row.details), subject: row.subject, by: row.actor, at: row.time }
        : undefined;
    },
  };
}
export type ScorecardRepo = ReturnType<typeof createScorecardRepo>;
