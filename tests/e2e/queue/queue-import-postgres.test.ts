/**
 * `caio queue import` on the shared record (DATABASE_URL): the record opens slower than a small file
 * is read, and the import used to wait forever for lines its reader had already dropped. Now it
 * imports, and a rerun finds every draft already present.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { draftInput, jsonl } from '../../helpers/queue/drafts.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { useTempDir } from '../../helpers/temp.js';

const run = POSTGRES_FOR_TESTS ? describe : describe.skip;

run('caio queue import on PostgreSQL (spawned CLI)', () => {
  const tempDir = useTempDir();
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase('caio_e2e_import');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('imports a small file into the shared record, then finds it already present', async () => {
    const cwd = tempDir();
    const file = join(cwd, 'drafts.jsonl');
    writeFileSync(file, jsonl([1, 2, 3].map((n) => draftInput(n))));
    const env = { HIVE_DIR: join(cwd, 'hive'), DATABASE_URL: database.url, CAIO_OPERATOR: 'maria' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 30_000 });

    const first = await caio('queue', 'import', 'drafts.jsonl');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Imported 3 draft\(s\) \(pending 3\); 0 already present; 0 bad line\(s\)/);

    const again = await caio('queue', 'import', 'drafts.jsonl', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, existing: 3 });

    const missing = await caio('queue', 'import', 'nope.jsonl');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read nope.jsonl');
  });
});
