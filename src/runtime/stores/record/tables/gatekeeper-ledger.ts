/**
 * The send ledger (SPEC 8): one row per dispatched draft (a draft is dispatched at most once, ever),
 * shared by every host. `begin` checks the address (suppressed? sent before?) and the ramp's daily
 * limit (every host's live rows of today), then commits the intent before the adapter is called, all
 * in one write transaction under the ramp lock; `complete` records the outcome. A unique partial
 * index allows one live intent/send per address, so two hosts racing for one address cannot both win.
 */
import { sql } from 'kysely';
import type { Executor, RepoContext } from '../context.js';
import { LIVE_LEDGER_STATUSES, LOG_ONLY, type GatekeeperTables, type LedgerStatus } from './gatekeeper.js';

export type LedgerRow = GatekeeperTables['send_ledger'];

export interface SendIntent {
  draftId: string;
  batchId: string;
  canonicalEmail: string;
  email: string;
  subject: string;
  body: string;
  mode: string;
}

export type BeginResult =
  | { kind: 'new' }
  /** This draft was dispatched before (a resumed run): its row tells what happened. */
  | { kind: 'existing'; row: LedgerRow }
  | { kind: 'blocked'; reason: 'suppressed' | 'already_sent' | 'ramp_limit'; detail: string };

export interface BeginOptions {
  /** Commit the intent row now (default). Without it nothing is written; `complete` inserts the row. */
  writeIntent?: boolean;
  /** The ramp's daily limit: refuse when every host's live sends of today already reach it. */
  dailyLimit?: number | undefined;
  /** Which host writes (for the operator's eyes). */
  host?: string | undefined;
}

export interface Outcome {
  status: Exclude<LedgerStatus, 'intent'>;
  providerId?: string | null;
  detail?: string | null;
}

/** PostgreSQL advisory lock key that serialises the ramp's count-and-insert across hosts. */
export const RAMP_LOCK_KEY = 7_243_003;

const iso = (ms: number) => new Date(ms).toISOString();
export const dayOf = (ms: number): string => iso(ms).slice(0, 10);

export function createLedgerRepo(exec: Executor, ctx: RepoContext) {
  const inTransaction = <T>(fn: (trx: Executor) => Promise<T>): Promise<T> =>
    exec.isTransaction ? fn(exec) : exec.transaction().execute(fn);

  async function get(trx: Executor, draftId: string): Promise<LedgerRow | undefined> {
    return trx.selectFrom('send_ledger').selectAll().where('draft_id', '=', draftId).executeTakeFirst();
  }

  async function liveOn(trx: Executor, day: string): Promise<number> {
    const row = await trx
      .selectFrom('send_ledger')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('day', '=', day)
      .where('mode', '<>', LOG_ONLY)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  function rowFor(intent: SendIntent, atMs: number, host: string | undefined): LedgerRow {
    return {
      draft_id: intent.draftId,
      batch_id: intent.batchId,
      canonical_email: intent.canonicalEmail,
      email: intent.email,
      subject: intent.subject,
      body: intent.body,
      mode: intent.mode,
      status: 'intent',
      provider_id: null,
      detail: null,
      day: dayOf(atMs),
      host: host ?? null,
      created_at: iso(atMs),
      updated_at: iso(atMs),
    };
  }

  return {
    get: (draftId: string) => get(exec, draftId),

    async forBatch(batchId: string): Promise<LedgerRow[]> {
      return exec
        .selectFrom('send_ledger')
        .selectAll()
        .where('batch_id', '=', batchId)
        .orderBy('created_at')
        .orderBy('draft_id')
        .execute();
    },

    async countForBatch(batchId: string): Promise<number> {
      const row = await exec
        .selectFrom('send_ledger')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('batch_id', '=', batchId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Live (not log-only) ledger rows of one UTC day, from every host: what the ramp counts. */
    liveOn: (day: string) => liveOn(exec, day),

    /** Take the ramp lock for the rest of this transaction (PostgreSQL; SQLite's write lock already is one). */
    async lockRamp(): Promise<void> {
      if (ctx.dialect === 'postgres' && exec.isTransaction)
        await sql`select pg_advisory_xact_lock(${RAMP_LOCK_KEY})`.execute(exec);
    },

    /** Check and (by default) commit the intent of one send. See the file comment. */
    async begin(intent: SendIntent, atMs: number, options: BeginOptions = {}): Promise<BeginResult> {
      const writeIntent = options.writeIntent ?? true;
      return inTransaction(async (trx) => {
        const live = intent.mode !== LOG_ONLY;
        if (ctx.dialect === 'postgres' && live && options.dailyLimit !== undefined)
          await sql`select pg_advisory_xact_lock(${RAMP_LOCK_KEY})`.execute(trx);
        const existing = await get(trx, intent.draftId);
        if (existing) return { kind: 'existing', row: existing };
        const suppressed = await trx
          .selectFrom('address_suppressions')
          .select(['reason', 'source'])
          .where('canonical_email', '=', intent.canonicalEmail)
          .executeTakeFirst();
        if (suppressed) {
          return {
            kind: 'blocked',
            reason: 'suppressed',
            detail: `address suppressed (${suppressed.reason}, ${suppressed.source})`,
          };
        }
        const alreadySent = {
          kind: 'blocked',
          reason: 'already_sent',
          detail: 'this address was already sent to',
        } as const;
        if (live) {
          const sent = await trx
            .selectFrom('external_sends')
            .select('canonical_email')
            .where('canonical_email', '=', intent.canonicalEmail)
            .union(
              trx
                .selectFrom('send_ledger')
                .select('canonical_email')
                .where('canonical_email', '=', intent.canonicalEmail)
                .where('status', 'in', [...LIVE_LEDGER_STATUSES])
                .where('mode', '<>', LOG_ONLY),
            )
            .executeTakeFirst();
          if (sent) return alreadySent;
          if (options.dailyLimit !== undefined) {
            const today = await liveOn(trx, dayOf(atMs));
            if (today >= options.dailyLimit) {
              return {
                kind: 'blocked',
                reason: 'ramp_limit',
                detail: `the ramp's daily limit is reached (${today} of ${options.dailyLimit} sent today, all hosts)`,
              };
            }
          }
        }
        if (!writeIntent) return { kind: 'new' };
        const inserted = await trx
          .insertInto('send_ledger')
          .values(rowFor(intent, atMs, options.host))
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { kind: 'new' };
        const raced = await get(trx, intent.draftId);
        return raced ? { kind: 'existing', row: raced } : alreadySent;
      });
    },

    /** Record the outcome (inserting the row first when `begin` wrote no intent). */
    async complete(
      draftId: string,
      outcome: Outcome,
      atMs: number,
      intent?: SendIntent,
      host?: string,
    ): Promise<void> {
      await inTransaction(async (trx) => {
        if (intent && !(await get(trx, draftId))) {
          await trx
            .insertInto('send_ledger')
            .values(rowFor(intent, atMs, host))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        await trx
          .updateTable('send_ledger')
          .set({
            status: outcome.status,
            provider_id: outcome.providerId ?? null,
            detail: outcome.detail ?? null,
            updated_at: iso(atMs),
          })
          .where('draft_id', '=', draftId)
          .execute();
      });
    },

    /** Real (not log-only) attempts per UTC day since `sinceDay`: sent (incl. intent, unknown) and failed. */
    async days(sinceDay: string): Promise<{ day: string; sent: number; failed: number }[]> {
      const rows = await exec
        .selectFrom('send_ledger')
        .select((eb) => [
          'day',
          eb.fn.sum<number>(eb.case().when('status', '=', 'failed').then(0).else(1).end()).as('sent'),
          eb.fn.sum<number>(eb.case().when('status', '=', 'failed').then(1).else(0).end()).as('failed'),
        ])
        .where('mode', '<>', LOG_ONLY)
        .where('day', '>=', sinceDay)
        .groupBy('day')
        .orderBy('day')
        .execute();
      return rows.map((row) => ({ day: row.day, sent: Number(row.sent), failed: Number(row.failed) }));
    },
  };
}
export type LedgerRepo = ReturnType<typeof createLedgerRepo>;
