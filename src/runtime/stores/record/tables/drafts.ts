/**
 * Drafts and their decisions in the record (SPEC 7). Each row keeps the whole draft as JSON plus the
 * columns that are queried (status, motion, address, lower-cased search text, age, decider) and a
 * version: every change is a compare-and-set on the version that was read, so two racing decisions, on
 * any host, resolve to one. `draft_tallies` holds the count per status and motion and one change
 * counter, kept by this repository in the same transaction as the change: a page's total and the
 * console's change token never scan the table.
 */
import { identityKey } from '../../../domain/operators.js';
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import {
  ACTIVE_STATUSES,
  DRAFT_STATUSES,
  DraftSchema,
  MOTIONS,
  SelectableDraftSchema,
  isActive,
  type Draft,
  type DraftStatus,
  type Motion,
  type SelectableDraft,
} from '../../../domain/queue/draft.js';
import type { QueuePage, QueuePageQueryParsed } from '../../../domain/queue/page.js';
import { transition, type DraftAction } from '../../../domain/queue/transitions.js';
import { UserError, errorMessage } from '../../../errors.js';
import type { Executor, RepoContext } from '../context.js';
import type { RecordSchema } from '../schema.js';

export interface DraftsTables {
  drafts: {
    id: string;
    status: string;
    motion: string;
    canonical_email: string;
    email_lc: string;
    company_lc: string;
    subject_lc: string;
    created_at: string;
    /** Lower-cased operator identity (SPEC 12: identities compare case-insensitively). */
    decided_by: string | null;
    decided_at: string | null;
    batch_id: string | null;
    escalated_at: string | null;
    updated_at: string;
    version: number;
    draft: string;
  };
  draft_tallies: { key: string; n: number };
}

export interface StoredDraft {
  draft: Draft;
  version: number;
}

export type DraftInsertOutcome =
  | 'inserted'
  /** A draft with this id exists: nothing was written. */
  | 'exists'
  /** Another draft for this address is active (pending, approved, batched, sent). */
  | 'address_taken';

export type DraftCasResult =
  | { ok: true; draft: Draft; version: number }
  /** `current` is what is stored now (undefined when gone); `holder` the active draft for the address. */
  | { ok: false; reason: 'conflict'; current: StoredDraft | undefined }
  | { ok: false; reason: 'address_taken'; holder: string };

export type DraftMoveResult =
  | { ok: true; before: Draft; draft: Draft; version: number }
  | {
      ok: false;
      code:
        'not_found' | 'conflict' | 'address_taken' | 'invalid_transition' | 'grace_expired' | 'not_decider';
      message: string;
      current: StoredDraft | undefined;
    };

const CHANGES = 'changes';
const tallyKey = (status: string, motion: string) => `s:${status}:${motion}`;
/** PostgreSQL advisory lock namespace (two-key form) for one operator's approvals. */
const APPROVALS_LOCK_NAMESPACE = 7_243_002;
/** Statuses that only an approval leads to (approval rate, SPEC 7). */
export const APPROVED_LINE: readonly DraftStatus[] = ['approved', 'batched', 'sent', 'failed'];

type Row = RecordSchema['drafts'];
type Eb = ExpressionBuilder<RecordSchema, 'drafts'>;

/** One identity per person (SPEC 12): case-insensitive, and `NAME (service token)` counts as NAME. */
export { identityKey } from '../../../domain/operators.js';

function columns(draft: Draft, version: number): Row {
  return {
    id: draft.id,
    status: draft.status,
    motion: draft.motion,
    // A call brief never holds its address (the one-active-draft-per-address index is for mail).
    canonical_email: draft.kind === 'prep' ? `prep:${draft.canonical_email}` : draft.canonical_email,
    email_lc: draft.lead.email.toLowerCase(),
    company_lc: (draft.lead.company ?? '').toLowerCase(),
    subject_lc: draft.subject.toLowerCase(),
    created_at: draft.created_at,
    decided_by: draft.decided_by === null ? null : identityKey(draft.decided_by),
    decided_at: draft.decided_at,
    batch_id: draft.batch_id,
    escalated_at: draft.escalated_at,
    updated_at: draft.updated_at,
    version,
    draft: JSON.stringify(draft),
  };
}

function parseStored(row: { draft: string; version: number }): StoredDraft {
  return { draft: DraftSchema.parse(JSON.parse(row.draft)), version: Number(row.version) };
}

/** Opaque page cursor: the (created_at, id) of the last row shown. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string'))
      return { createdAt: value[0] as string, id: value[1] as string };
  } catch {
    // Reported below.
  }
  throw new UserError(`Not a cursor of this queue: "${cursor.slice(0, 60)}"`, {
    code: 'invalid_cursor',
    nextStep: 'Pass the `next` of the previous page, or no cursor for the first page.',
  });
}

/** The page query's pattern must compile (JavaScript syntax; the record applies it case-insensitively). */
export function checkPattern(pattern: string): void {
  try {
    new RegExp(pattern, 'i');
  } catch (error) {
    throw new UserError(`Not a valid pattern: ${errorMessage(error)}`, {
      code: 'invalid_pattern',
      nextStep: 'Fix the regular expression (escape special characters with \\).',
    });
  }
}

export function createDraftsRepo(exec: Executor, ctx: RepoContext) {
  const contains = (column: 'email_lc' | 'company_lc' | 'subject_lc', needle: string) =>
    ctx.dialect === 'postgres'
      ? sql<SqlBool>`strpos(${sql.ref(column)}, ${needle}) > 0`
      : sql<SqlBool>`instr(${sql.ref(column)}, ${needle}) > 0`;
  const matches = (column: 'email_lc' | 'company_lc' | 'subject_lc', pattern: string) =>
    ctx.dialect === 'postgres'
      ? sql<SqlBool>`${sql.ref(column)} ~* ${pattern}`
      : sql<SqlBool>`${sql.ref(column)} regexp ${pattern}`;

  /** The filter of a page query (status, motion, text, pattern, invert), without the cursor. */
  function filter(eb: Eb, query: QueuePageQueryParsed): Expression<SqlBool> {
    const parts: Expression<SqlBool>[] = [];
    // A text filter on SQLite reads the covering index drafts_text_scan (migration 12): a unary `+`
    // keeps the planner from choosing the status/motion indexes instead, which would read every
    // matching row whole to test its text.
    const scan = ctx.dialect === 'sqlite' && ((query.q?.trim() ?? '') !== '' || (query.pattern ?? '') !== '');
    const column = (name: 'status' | 'motion', value: string) =>
      scan ? sql<SqlBool>`+${sql.ref(name)} = ${value}` : eb(name, '=', value);
    if (query.status) parts.push(column('status', query.status));
    if (query.motion) parts.push(column('motion', query.motion));
    const text: Expression<SqlBool>[] = [];
    const needle = query.q?.trim().toLowerCase() ?? '';
    if (needle !== '')
      text.push(
        eb.or([contains('email_lc', needle), contains('company_lc', needle), contains('subject_lc', needle)]),
      );
    if (query.pattern !== undefined && query.pattern !== '') {
      checkPattern(query.pattern);
      text.push(
        eb.or([
          matches('email_lc', query.pattern),
          matches('company_lc', query.pattern),
          matches('subject_lc', query.pattern),
        ]),
      );
    }
    if (text.length > 0) parts.push(query.invert ? eb.not(eb.and(text)) : eb.and(text));
    return eb.and(parts);
  }

  async function bump(deltas: Map<string, number>): Promise<void> {
    deltas.set(CHANGES, (deltas.get(CHANGES) ?? 0) + 1);
    for (const [key, n] of deltas) {
      if (n === 0 && key !== CHANGES) continue;
      await exec
        .insertInto('draft_tallies')
        .values({ key, n })
        .onConflict((oc) => oc.column('key').doUpdateSet({ n: sql`draft_tallies.n + ${n}` }))
        .execute();
    }
  }

  async function get(id: string): Promise<StoredDraft | undefined> {
    const row = await exec
      .selectFrom('drafts')
      .select(['draft', 'version'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? parseStored(row) : undefined;
  }

  async function activeFor(canonical: string): Promise<StoredDraft | undefined> {
    const row = await exec
      .selectFrom('drafts')
      .select(['draft', 'version'])
      .where('canonical_email', '=', canonical)
      .where('status', 'in', ACTIVE_STATUSES)
      .executeTakeFirst();
    return row ? parseStored(row) : undefined;
  }

  async function compareAndSet(previous: StoredDraft, next: Draft): Promise<DraftCasResult> {
    const id = previous.draft.id;
    if (next.id !== id) throw new Error(`draft id changed in compare-and-set (${id} -> ${next.id})`);
    if (isActive(next.status) && !isActive(previous.draft.status)) {
      const holder = await activeFor(next.canonical_email);
      if (holder && holder.draft.id !== id)
        return { ok: false, reason: 'address_taken', holder: holder.draft.id };
    }
    const version = previous.version + 1;
    const result = await exec
      .updateTable('drafts')
      .set(columns(next, version))
      .where('id', '=', id)
      .where('version', '=', previous.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return { ok: false, reason: 'conflict', current: await get(id) };
    const deltas = new Map<string, number>();
    if (previous.draft.status !== next.status || previous.draft.motion !== next.motion) {
      deltas.set(tallyKey(previous.draft.status, previous.draft.motion), -1);
      deltas.set(tallyKey(next.status, next.motion), 1);
    }
    await bump(deltas);
    return { ok: true, draft: next, version };
  }

  async function move(id: string, action: DraftAction, expectedVersion?: number): Promise<DraftMoveResult> {
    const current = await get(id);
    if (!current) return { ok: false, code: 'not_found', message: `No draft with id "${id}"`, current };
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      return {
        ok: false,
        code: 'conflict',
        message: `Draft ${id} changed (now ${current.draft.status}, version ${current.version})`,
        current,
      };
    const result = transition(current.draft, action);
    if (!result.ok) return { ok: false, code: result.code, message: result.message, current };
    const cas = await compareAndSet(current, result.draft);
    if (cas.ok) return { ok: true, before: current.draft, draft: cas.draft, version: cas.version };
    if (cas.reason === 'address_taken')
      return {
        ok: false,
        code: 'address_taken',
        message: `Draft ${cas.holder} for the same address is active`,
        current,
      };
    return { ok: false, code: 'conflict', message: `Draft ${id} changed meanwhile`, current: cas.current };
  }

  async function countWhere(query: QueuePageQueryParsed): Promise<number> {
    const hasText = (query.q?.trim() ?? '') !== '' || (query.pattern ?? '') !== '';
    if (!hasText) {
      const keys = DRAFT_STATUSES.filter((s) => !query.status || s === query.status).flatMap((s) =>
        MOTIONS.filter((m) => !query.motion || m === query.motion).map((m) => tallyKey(s, m)),
      );
      const row = await exec
        .selectFrom('draft_tallies')
        .select((eb) => eb.fn.sum<number>('n').as('n'))
        .where('key', 'in', keys)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    }
    const row = await exec
      .selectFrom('drafts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => filter(eb, query))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  return {
    get,

    async getMany(ids: readonly string[]): Promise<Map<string, StoredDraft>> {
      const found = new Map<string, StoredDraft>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await exec
          .selectFrom('drafts')
          .select(['draft', 'version'])
          .where('id', 'in', unique.slice(i, i + 500))
          .execute();
        for (const row of rows) {
          const stored = parseStored(row);
          found.set(stored.draft.id, stored);
        }
      }
      return found;
    },

    /** Which of these ids exist (one query per 500). */
    async existing(ids: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await exec
          .selectFrom('drafts')
          .select('id')
          .where('id', 'in', unique.slice(i, i + 500))
          .execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },

    /** Insert a new draft (version 1); an existing id is left untouched. */
    async insert(draft: Draft): Promise<DraftInsertOutcome> {
      const inserted = await exec
        .insertInto('drafts')
        .values(columns(draft, 1))
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      if (inserted.length === 1) {
        await bump(new Map([[tallyKey(draft.status, draft.motion), 1]]));
        return 'inserted';
      }
      return (await get(draft.id)) ? 'exists' : 'address_taken';
    },

    /**
     * Insert many new drafts in one statement per 200 rows; returns the ids written. A row whose id
     * exists, or whose address another active draft holds, is skipped (the caller re-checks those).
     */
    async insertMany(drafts: readonly Draft[]): Promise<Set<string>> {
      const written = new Set<string>();
      const deltas = new Map<string, number>();
      for (let i = 0; i < drafts.length; i += 200) {
        const chunk = drafts.slice(i, i + 200);
        const rows = await exec
          .insertInto('drafts')
          .values(chunk.map((draft) => columns(draft, 1)))
          .onConflict((oc) => oc.doNothing())
          .returning('id')
          .execute();
        for (const row of rows) written.add(row.id);
      }
      for (const draft of drafts) {
        if (!written.has(draft.id)) continue;
        const key = tallyKey(draft.status, draft.motion);
        deltas.set(key, (deltas.get(key) ?? 0) + 1);
      }
      if (written.size > 0) await bump(deltas);
      return written;
    },

    compareAndSet,
    move,

    /** The active draft (pending, approved, batched, sent) for a canonical address: the dedup holder. */
    activeFor,

    /** Active drafts' ids for many addresses at once (canonical -> draft id). */
    async activeForMany(canonicals: readonly string[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      const unique = [...new Set(canonicals)];
      for (let i = 0; i < unique.length; i += 500) {
        const rows = await exec
          .selectFrom('drafts')
          .select(['canonical_email', 'id'])
          .where('canonical_email', 'in', unique.slice(i, i + 500))
          .where('status', 'in', ACTIVE_STATUSES)
          .execute();
        for (const row of rows) found.set(row.canonical_email, row.id);
      }
      return found;
    },

    /** One page of the queue: indexed filter, keyset cursor on (created_at, id), total of the filter. */
    async page(query: QueuePageQueryParsed): Promise<QueuePage> {
      const descending = query.sort === '-age';
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const direction = descending ? 'desc' : 'asc';
      // The page's keys first (from an index alone when filtering text), then those rows whole.
      const keys = await exec
        .selectFrom('drafts')
        .select(['id', 'created_at'])
        .where((eb) => {
          const base = filter(eb, query);
          if (!after) return base;
          return eb.and([
            base,
            eb(eb.refTuple('created_at', 'id'), descending ? '<' : '>', eb.tuple(after.createdAt, after.id)),
          ]);
        })
        .orderBy('created_at', direction)
        .orderBy('id', direction)
        .limit(query.limit + 1)
        .execute();
      const shown = keys.slice(0, query.limit);
      const last = shown.at(-1);
      const stored =
        shown.length === 0
          ? []
          : await exec
              .selectFrom('drafts')
              .select(['id', 'draft', 'version'])
              .where(
                'id',
                'in',
                shown.map((row) => row.id),
              )
              .execute();
      const byId = new Map(stored.map((row) => [row.id, row]));
      return {
        items: shown.flatMap((key) => {
          const row = byId.get(key.id);
          return row ? [parseStored(row).draft] : [];
        }),
        next: keys.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
        total: await countWhere(query),
      };
    },

    /** How many drafts match a page query's filter (all pages). */
    count: countWhere,

    /** Changes with every draft write, on every host: cheap to poll (two small reads). */
    async changeToken(): Promise<string> {
      const rows = await exec.selectFrom('draft_tallies').select(['key', 'n']).execute();
      let changes = 0;
      let total = 0;
      for (const row of rows) {
        if (row.key === CHANGES) changes = Number(row.n);
        else total += Number(row.n);
      }
      return `${changes}:${total}`;
    },

    /** Drafts per status (every status present, 0 when none). */
    async countsByStatus(): Promise<Record<DraftStatus, number>> {
      const counts = Object.fromEntries(DRAFT_STATUSES.map((s) => [s, 0])) as Record<DraftStatus, number>;
      const rows = await exec.selectFrom('draft_tallies').select(['key', 'n']).execute();
      for (const row of rows) {
        const status = row.key.split(':')[1] as DraftStatus | undefined;
        if (row.key.startsWith('s:') && status && status in counts) counts[status] += Number(row.n);
      }
      return counts;
    },

    /**
     * Serialise one operator's approvals across hosts until the transaction ends (PostgreSQL: an
     * advisory transaction lock; SQLite: BEGIN IMMEDIATE already serialises every writer).
     */
    async lockApprovals(identity: string): Promise<void> {
      if (ctx.dialect !== 'postgres') return;
      await sql`select pg_advisory_xact_lock(${APPROVALS_LOCK_NAMESPACE}, hashtext(${identityKey(identity)}))`.execute(
        exec,
      );
    },

    /** Approvals by an operator identity (case-insensitive) decided at or after `sinceIso`. */
    async approvalsSince(identity: string, sinceIso: string): Promise<number> {
      const row = await exec
        .selectFrom('drafts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('decided_by', '=', identityKey(identity))
        .where('decided_at', '>=', sinceIso)
        .where('status', '!=', 'rejected')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Approvals per operator identity decided at or after `sinceIso`. */
    async approvalsByOperator(sinceIso: string): Promise<{ reviewer: string; used: number }[]> {
      const rows = await exec
        .selectFrom('drafts')
        .select(['decided_by', (eb) => eb.fn.countAll<number>().as('n')])
        .where('decided_at', '>=', sinceIso)
        .where('decided_by', 'is not', null)
        .where('status', '!=', 'rejected')
        .groupBy('decided_by')
        .orderBy('decided_by')
        .execute();
      return rows.map((row) => ({ reviewer: row.decided_by ?? '', used: Number(row.n) }));
    },

    /** Approved (APPROVED_LINE) and decided (approved + rejected) drafts decided at or after `sinceIso`. */
    async decisionsSince(sinceIso: string): Promise<{ approved: number; decided: number }> {
      const rows = await exec
        .selectFrom('drafts')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('decided_at', '>=', sinceIso)
        .where('decided_by', 'is not', null)
        .where('status', 'in', [...APPROVED_LINE, 'rejected'])
        .groupBy('status')
        .execute();
      let approved = 0;
      let decided = 0;
      for (const row of rows) {
        decided += Number(row.n);
        if (row.status !== 'rejected') approved += Number(row.n);
      }
      return { approved, decided };
    },

    /**
     * The created_at of the pending draft at a rank of age, youngest first (rank 1 = the newest):
     * nearest-rank percentiles of pending age without loading the queue.
     */
    async pendingCreatedAtByAgeRank(rank: number): Promise<string | undefined> {
      const row = await exec
        .selectFrom('drafts')
        .select('created_at')
        .where('status', '=', 'pending')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .offset(Math.max(0, rank - 1))
        .executeTakeFirst();
      return row?.created_at;
    },

    /** Pending drafts created before `cutoffIso` (SLA breaches): how many, and the oldest ids. */
    async pendingOlderThan(cutoffIso: string, limit: number): Promise<{ count: number; ids: string[] }> {
      const count = await exec
        .selectFrom('drafts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .where('created_at', '<', cutoffIso)
        .executeTakeFirstOrThrow();
      const rows = await exec
        .selectFrom('drafts')
        .select('id')
        .where('status', '=', 'pending')
        .where('created_at', '<', cutoffIso)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return { count: Number(count.n), ids: rows.map((row) => row.id) };
    },

    /** Pending drafts past the SLA not yet escalated, oldest first. */
    async unescalatedOlderThan(cutoffIso: string, limit: number): Promise<StoredDraft[]> {
      const rows = await exec
        .selectFrom('drafts')
        .select(['draft', 'version'])
        .where('status', '=', 'pending')
        .where('created_at', '<', cutoffIso)
        .where('escalated_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(parseStored);
    },

    /**
     * What a Gatekeeper preview reads: the selectable fields and version of approved drafts (of one
     * motion, or all), oldest first; or of explicit ids in any status (so the preview can say why one
     * is excluded).
     */
    async forPreview(scope: {
      motion?: Motion | 'all' | undefined;
      ids?: readonly string[] | undefined;
    }): Promise<{ draft: SelectableDraft; status: DraftStatus; version: number }[]> {
      let rows: { draft: string; version: number }[] = [];
      if (scope.ids) {
        const unique = [...new Set(scope.ids)];
        for (let i = 0; i < unique.length; i += 500) {
          rows = rows.concat(
            await exec
              .selectFrom('drafts')
              .select(['draft', 'version'])
              .where('id', 'in', unique.slice(i, i + 500))
              .execute(),
          );
        }
      } else {
        let query = exec.selectFrom('drafts').select(['draft', 'version']).where('status', '=', 'approved');
        if (scope.motion && scope.motion !== 'all') query = query.where('motion', '=', scope.motion);
        rows = await query.orderBy('created_at').orderBy('id').execute();
      }
      return rows.flatMap((row) => {
        const parsed = SelectableDraftSchema.safeParse(JSON.parse(row.draft));
        return parsed.success
          ? [{ draft: parsed.data, status: parsed.data.status, version: Number(row.version) }]
          : [];
      });
    },

    /** Drafts of one batch (any status). */
    async ofBatch(batchId: string): Promise<StoredDraft[]> {
      const rows = await exec
        .selectFrom('drafts')
        .select(['draft', 'version'])
        .where('batch_id', '=', batchId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(parseStored);
    },

    /** approved -> batched, only at the version the batch previewed (RB's execute, inside its transaction). */
    markBatched(id: string, expectedVersion: number, batchId: string, at: string) {
      return move(id, { type: 'batch', batchId, at }, expectedVersion);
    },
    markSent(id: string, batchId: string, at: string) {
      return move(id, { type: 'send', batchId, at });
    },
    markFailed(id: string, batchId: string, at: string, error: string) {
      return move(id, { type: 'fail', batchId, at, error });
    },
    markSuppressed(id: string, reason: string, source: string, at: string) {
      return move(id, { type: 'suppress', reason, source, at });
    },

    /** Rebuild the tallies from the table (after a bulk copy such as `caio migrate`). */
    async recount(): Promise<void> {
      const rows = await exec
        .selectFrom('drafts')
        .select(['status', 'motion', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['status', 'motion'])
        .execute();
      await exec.deleteFrom('draft_tallies').where('key', '!=', CHANGES).execute();
      for (const row of rows)
        await exec
          .insertInto('draft_tallies')
          .values({ key: tallyKey(row.status, row.motion), n: Number(row.n) })
          .execute();
      await bump(new Map());
    },
  };
}
export type DraftsRepo = ReturnType<typeof createDraftsRepo>;
