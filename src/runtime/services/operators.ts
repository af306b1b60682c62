/**
 * Operators (SPEC 12): add, list, revoke, rotate — each audited in the same transaction — and the
 * token resolver the HTTP layer asks on every request. A token resolves by its SHA-256 with one
 * indexed lookup (never a scan of every operator); answers are cached for `cacheMs` (1 s), and a revoke
 * or rotate on this host drops the cache at once, so a revoked token stops working here immediately and
 * on every other host within that second.
 */
import { randomBytes } from 'node:crypto';
import {
  OPERATOR_TOKEN_PREFIX,
  ROLES,
  operatorNameProblem,
  tokenDigest,
  type Role,
} from '../domain/operators.js';
import { RefusedError, UserError } from '../errors.js';
import type { RecordStore } from '../stores/record/record.js';
import type { OperatorRow } from '../stores/record/tables/operators.js';

export type { OperatorRow } from '../stores/record/tables/operators.js';

export interface OperatorIdentity {
  name: string;
  role: Role;
}

export interface OperatorsDeps {
  record: RecordStore;
  now?: () => number;
  cacheMs?: number;
  /** Cache size bound (default 10,000 digests). */
  maxCached?: number;
}

export interface IssuedToken {
  name: string;
  role: Role;
  /** Shown once; only its digest is stored. */
  token: string;
}

function newToken(): string {
  return `${OPERATOR_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function parseRole(value: string | undefined): Role {
  const role = value?.trim().toLowerCase();
  if (role && (ROLES as readonly string[]).includes(role)) return role as Role;
  throw new UserError(`Unknown role "${value ?? ''}"`, {
    kind: 'invalid',
    code: 'unknown_role',
    nextStep: `Use one of: ${ROLES.join(', ')}.`,
  });
}

function checkName(name: string): string {
  const trimmed = name.trim();
  const problem = operatorNameProblem(trimmed);
  if (problem)
    throw new UserError(`Invalid operator name "${name}": ${problem}`, {
      kind: 'invalid',
      code: 'invalid_name',
    });
  return trimmed;
}

const notFound = (name: string) =>
  new UserError(`No active operator named "${name}"`, {
    kind: 'not_found',
    code: 'operator_not_found',
    nextStep: 'List operators to see the names (revoked ones cannot be changed).',
  });

export function createOperatorsService(deps: OperatorsDeps) {
  const { record } = deps;
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? 1000;
  const maxCached = deps.maxCached ?? 10_000;
  const cache = new Map<string, { identity: OperatorIdentity | undefined; until: number }>();
  const iso = () => new Date(now()).toISOString();

  return {
    async add(rawName: string, role: Role, by: string): Promise<IssuedToken> {
      const name = checkName(rawName);
      const token = newToken();
      const added = await record.transaction(async (tx) => {
        const inserted = await tx.operators.insert({ name, role, digest: tokenDigest(token), at: iso(), by });
        if (inserted)
          await tx.audit.append({ actor: by, action: 'operator.add', subject: name, details: { role } });
        return inserted;
      });
      if (!added)
        throw new RefusedError(
          `An operator named "${name}" already exists (names compare case-insensitively)`,
          'operator_exists',
          'Choose another name, or rotate that operator’s token.',
        );
      return { name, role, token };
    },

    list(): Promise<OperatorRow[]> {
      return record.operators.list();
    },

    async revoke(rawName: string, by: string): Promise<void> {
      const name = rawName.trim();
      const done = await record.transaction(async (tx) => {
        const revoked = await tx.operators.revoke(name, iso(), by);
        if (revoked) await tx.audit.append({ actor: by, action: 'operator.revoke', subject: name });
        return revoked;
      });
      cache.clear();
      if (!done) throw notFound(name);
    },

    async rotate(rawName: string, by: string): Promise<IssuedToken> {
      const name = rawName.trim();
      const token = newToken();
      const row = await record.transaction(async (tx) => {
        const rotated = await tx.operators.rotate(name, tokenDigest(token), iso());
        if (!rotated) return undefined;
        await tx.audit.append({ actor: by, action: 'operator.rotate', subject: name });
        return tx.operators.get(name);
      });
      cache.clear();
      if (!row) throw notFound(name);
      return { name: row.name, role: row.role, token };
    },

    /** The cached answer for a digest, if fresh (synchronous: the request path's fast case). */
    cached(digest: string): OperatorIdentity | undefined | 'miss' {
      const entry = cache.get(digest);
      if (!entry || entry.until <= now()) return 'miss';
      return entry.identity;
    },

    /** Resolve a token digest to its operator (one indexed lookup), caching the answer briefly. */
    async resolve(digest: string): Promise<OperatorIdentity | undefined> {
      const row = await record.operators.byTokenDigest(digest);
      const identity = row ? { name: row.name, role: row.role } : undefined;
      if (cache.size >= maxCached) cache.clear();
      cache.set(digest, { identity, until: now() + cacheMs });
      return identity;
    },
  };
}

export type OperatorsService = ReturnType<typeof createOperatorsService>;
