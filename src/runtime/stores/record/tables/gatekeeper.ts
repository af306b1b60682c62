/**
 * The gatekeeper family's tables (migration 3) and the `addresses` repository: what the record knows
 * about an address — suppressed (bounce, unsubscribe, reply, interest, opt-out), or sent to (a live or
 * possible send in the ledger, or a send made outside caio and reported by a webhook). The queue, the
 * webhook intake and the Gatekeeper all ask here, so every host sees the same answer.
 *
 * The other repositories of the family (batches, ledger, ramp) live in `gatekeeper-*.ts`.
 */
import type { Generated } from 'kysely';
import type { Executor, RepoContext } from '../context.js';

export type LedgerStatus = 'intent' | 'sent' | 'failed' | 'unknown';
export type BatchItemStatus = 'pending' | 'sent' | 'failed' | 'skipped' | 'unknown';

export interface GatekeeperTables {
  address_suppressions: { canonical_email: string; reason: string; source: string; at: string };
  external_sends: { canonical_email: string; source: string; at: string };
  send_ledger: {
    draft_id: string;
    batch_id: string;
    canonical_email: string;
    email: string;
    subject: string;
    body: string;
    mode: string;
    status: LedgerStatus;
    provider_id: string | null;
    detail: string | null;
    /** YYYY-MM-DD (UTC) of the intent: the ramp counts a send on the day it was attempted. */
    day: string;
    host: string | null;
    created_at: string;
    updated_at: string;
  };
  batches: {
    id: string;
    hash: string;
    mode: string;
    created_at: string;
    expires_at: string;
    previewed_by: string;
    item_count: number;
    excluded_count: number;
    /** The whole batch as JSON (items, exclusions, scope, ramp at preview). */
    batch: string;
  };
  batch_runs: {
    batch_id: string;
    status: 'executing' | 'executed';
    executed_by: string;
    started_at: string;
    finished_at: string | null;
    resumes: number;
    /** JSON `{sent, failed, skipped, unknown}`. */
    counts: string;
    version: number;
  };
  batch_items: {
    batch_id: string;
    position: number;
    draft_id: string;
    canonical_email: string;
    status: BatchItemStatus;
    detail: string | null;
    updated_at: string;
  };
  ramp_history: {
    seq: Generated<number>;
    kind: 'graduation' | 'incident';
    tier: number | null;
    day: string;
    at: string;
    actor: string;
    note: string | null;
  };
}

/** Statuses of a ledger row that block another send to the address (an unknown send may have gone out). */
export const LIVE_LEDGER_STATUSES = ['intent', 'sent', 'unknown'] as const;
/** A log-only dispatch sends nothing: it never makes an address "sent", nor counts against the ramp. */
export const LOG_ONLY = 'log-only';

export interface Suppression {
  reason: string;
  source: string;
  /** ISO-8601 UTC. */
  at: string;
}

export interface AddressLookup {
  suppressed: Map<string, Suppression>;
  sent: Set<string>;
}

const CHUNK = 900;
const iso = (ms: number) => new Date(ms).toISOString();

export function createAddressesRepo(exec: Executor, _ctx: RepoContext) {
  return {
    async suppression(canonical: string): Promise<Suppression | undefined> {
      return exec
        .selectFrom('address_suppressions')
        .select(['reason', 'source', 'at'])
        .where('canonical_email', '=', canonical)
        .executeTakeFirst();
    },

    /** Suppress an address; the first suppression wins. true = newly added. */
    async suppress(canonical: string, reason: string, source: string, atMs: number): Promise<boolean> {
      const result = await exec
        .insertInto('address_suppressions')
        .values({ canonical_email: canonical, reason, source, at: iso(atMs) })
        .onConflict((oc) => oc.column('canonical_email').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /**
     * Of the given addresses, which are suppressed and which were sent to (a ledger row in intent, sent
     * or unknown outside log-only mode, or an external send). Indexed lookups in chunks.
     */
    async lookup(canonicals: readonly string[]): Promise<AddressLookup> {
      const suppressed = new Map<string, Suppression>();
      const sent = new Set<string>();
      const unique = [...new Set(canonicals)];
      for (let i = 0; i < unique.length; i += CHUNK) {
        const chunk = unique.slice(i, i + CHUNK);
        const rows = await exec
          .selectFrom('address_suppressions')
          .select(['canonical_email', 'reason', 'source', 'at'])
          .where('canonical_email', 'in', chunk)
          .execute();
        for (const row of rows)
          suppressed.set(row.canonical_email, { reason: row.reason, source: row.source, at: row.at });
        const sentRows = await exec
          .selectFrom('external_sends')
          .select('canonical_email')
          .where('canonical_email', 'in', chunk)
          .union(
            exec
              .selectFrom('send_ledger')
              .select('canonical_email')
              .where('canonical_email', 'in', chunk)
              .where('status', 'in', [...LIVE_LEDGER_STATUSES])
              .where('mode', '<>', LOG_ONLY),
          )
          .execute();
        for (const row of sentRows) sent.add(row.canonical_email);
      }
      return { suppressed, sent };
    },

    /** An address was mailed outside caio (e.g. Instantly `email_sent`). true = newly recorded. */
    async recordExternalSend(canonical: string, source: string, atMs: number): Promise<boolean> {
      const result = await exec
        .insertInto('external_sends')
        .values({ canonical_email: canonical, source, at: iso(atMs) })
        .onConflict((oc) => oc.column('canonical_email').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
export type AddressesRepo = ReturnType<typeof createAddressesRepo>;
