/**
 * Tables of the embedded state store (created on construction, idempotent) and the zod shapes of the
 * rows read back. Times are epoch milliseconds.
 */
import { z } from 'zod';

/** rate-limiter-flexible's RateLimiterSQLite table (its own schema; created here so it exists synchronously). */
export const RATE_LIMIT_TABLE = 'state_rate_limits';

export const STATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS state_records (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_context (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_context_expiry ON state_context (expires_at);
CREATE TABLE IF NOT EXISTS state_locks (
  name TEXT PRIMARY KEY,
  owner TEXT,
  fence INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_claims (
  namespace TEXT NOT NULL,
  token TEXT NOT NULL,
  owner TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  PRIMARY KEY (namespace, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_counters (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${RATE_LIMIT_TABLE} (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire INTEGER
);
`;

export const recordRow = z.object({ id: z.string(), value: z.string(), version: z.number().int().min(1) });
export const collectionRecordRow = recordRow.extend({ collection: z.string() });
export const valueRow = z.object({ value: z.string() });
export const contextRow = z.object({ key: z.string(), value: z.string(), expires_at: z.number().int() });
export const lockRow = z.object({
  owner: z.string().nullable(),
  fence: z.number().int(),
  expires_at: z.number().int(),
});
export const claimRow = z.object({ namespace: z.string(), token: z.string(), owner: z.string() });
export const ownerRow = z.object({ owner: z.string() });
export const counterRow = z.object({
  key: z.string(),
  value: z.number().int(),
  expires_at: z.number().int().nullable(),
});
export const fenceRow = z.object({ name: z.string(), fence: z.number().int() });
export const countRow = z.object({ n: z.number().int() });
export const collectionRow = z.object({ collection: z.string() });
