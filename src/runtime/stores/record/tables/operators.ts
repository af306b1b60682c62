/**
 * Operators (SPEC 12): name, role, and the SHA-256 of their token — the token itself is never stored.
 * `name_key` is the lower-cased name (identities compare case-insensitively); `token_sha256` is unique,
 * so a token resolves with one indexed lookup.
 */
import type { Role } from '../../../domain/operators.js';
import type { Executor, RepoContext } from '../context.js';

export interface OperatorsTables {
  operators: {
    name_key: string;
    name: string;
    role: string;
    token_sha256: string;
    created_at: string;
    created_by: string;
    rotated_at: string | null;
    revoked_at: string | null;
    revoked_by: string | null;
  };
}

export interface OperatorRow {
  name: string;
  role: Role;
  created_at: string;
  created_by: string;
  rotated_at: string | null;
  revoked_at: string | null;
}

const PUBLIC = ['name', 'role', 'created_at', 'created_by', 'rotated_at', 'revoked_at'] as const;

export function createOperatorsRepo(exec: Executor, _ctx: RepoContext) {
  return {
    async get(name: string): Promise<OperatorRow | undefined> {
      const row = await exec
        .selectFrom('operators')
        .select(PUBLIC)
        .where('name_key', '=', name.toLowerCase())
        .executeTakeFirst();
      return row as OperatorRow | undefined;
    },
    /** Active (not revoked) operator holding this token digest. */
    async byTokenDigest(digest: string): Promise<OperatorRow | undefined> {
      const row = await exec
        .selectFrom('operators')
        .select(PUBLIC)
        .where('token_sha256', '=', digest)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row as OperatorRow | undefined;
    },
    async list(): Promise<OperatorRow[]> {
      const rows = await exec.selectFrom('operators').select(PUBLIC).orderBy('name_key').execute();
      return rows as OperatorRow[];
    },
    /** false when the name is taken (case-insensitively), revoked or not. */
    async insert(row: {
      name: string;
      role: Role;
      digest: string;
      at: string;
      by: string;
    }): Promise<boolean> {
      const result = await exec
        .insertInto('operators')
        .values({
          name_key: row.name.toLowerCase(),
          name: row.name,
          role: row.role,
          token_sha256: row.digest,
          created_at: row.at,
          created_by: row.by,
          rotated_at: null,
          revoked_at: null,
          revoked_by: null,
        })
        .onConflict((oc) => oc.column('name_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async revoke(name: string, at: string, by: string): Promise<boolean> {
      const result = await exec
        .updateTable('operators')
        .set({ revoked_at: at, revoked_by: by })
        .where('name_key', '=', name.toLowerCase())
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async rotate(name: string, digest: string, at: string): Promise<boolean> {
      const result = await exec
        .updateTable('operators')
        .set({ token_sha256: digest, rotated_at: at })
        .where('name_key', '=', name.toLowerCase())
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
export type OperatorsRepo = ReturnType<typeof createOperatorsRepo>;
