/**
 * What `caio migrate` (and the dual-read backfill) moves from the embedded store into Redis: every
 * kind of durable state, with versions, remaining TTLs and fencing counters preserved.
 * Rate-limit windows are not moved: they are transient and expire within their window.
 */
import type { StoredRecord } from './state-store.js';

export interface DumpedRecord extends StoredRecord {
  collection: string;
}

export interface DumpedContext {
  key: string;
  value: unknown;
  /** Remaining time to live in milliseconds (> 0). */
  ttlMs: number;
}

export interface DumpedCounter {
  key: string;
  value: number;
  /** Remaining time to live in milliseconds; undefined = no expiry. */
  ttlMs: number | undefined;
}

export interface DumpedClaim {
  namespace: string;
  token: string;
  owner: string;
}

export interface DumpedFence {
  name: string;
  /** The last fencing token issued for this lock name. */
  fence: number;
}

/** The embedded store's side: read everything it holds (synchronous, one snapshot per kind). */
export interface StateDumpSource {
  dumpCollections(): string[];
  dumpRecords(collection: string): DumpedRecord[];
  dumpContexts(): DumpedContext[];
  dumpCounters(): DumpedCounter[];
  dumpClaims(): DumpedClaim[];
  dumpFences(): DumpedFence[];
}

/** Single-entry reads of the embedded store, for the dual-read backfill. */
export interface StateEntrySource {
  readContextEntry(key: string): DumpedContext | undefined;
  readCounterEntry(key: string): DumpedCounter | undefined;
  readClaim(namespace: string, token: string): DumpedClaim | undefined;
  readFence(name: string): DumpedFence | undefined;
}

export type RestoreOutcome = 'created' | 'exists';

/** The Redis side: write only what is absent, so a rerun (or a concurrent writer) never loses newer data. */
export interface StateRestoreTarget {
  /** Write when Redis lacks the record or holds an older version. */
  restoreRecord(record: DumpedRecord): Promise<RestoreOutcome>;
  restoreContext(context: DumpedContext): Promise<RestoreOutcome>;
  restoreCounter(counter: DumpedCounter): Promise<RestoreOutcome>;
  restoreClaim(claim: DumpedClaim): Promise<RestoreOutcome>;
  /** Raise the fencing counter to at least `fence` ('exists' when it already was). */
  restoreFence(fence: DumpedFence): Promise<RestoreOutcome>;
  hasRecord(collection: string, id: string): Promise<boolean>;
  hasClaim(namespace: string, token: string): Promise<boolean>;
  claimOwner(namespace: string, token: string): Promise<string | undefined>;
  hasContext(key: string): Promise<boolean>;
  /** The last fencing token issued in Redis for a lock name (0 when none). */
  getFence(name: string): Promise<number>;
  hasCounter(key: string): Promise<boolean>;
}
