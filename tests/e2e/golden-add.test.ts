/**
 * `caio golden add --from-queue`: a rejected draft becomes a golden case that the replay gate then
 * judges; refusals exit 1 and write nothing.
 */
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const SAMPLES = fileURLToPath(new URL('../../samples/drafts.jsonl', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../golden-set', import.meta.url));

describe('caio golden add --from-queue (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('turns a rejected draft into a case the replay gate then runs', async () => {
    const cwd = tempDir();
    const golden = join(cwd, 'golden');
    cpSync(GOLDEN, golden, { recursive: true });
    const before = readdirSync(join(golden, 'cases')).length;
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'maria' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });

    expect((await caio('queue', 'import', SAMPLES)).code).toBe(0);
    const drafts = JSON.parse((await caio('queue', 'list', '--status', 'pending', '--json')).stdout) as {
      id: string;
    }[];
    const [rejected, approved] = drafts;
    expect(rejected && approved).toBeTruthy();
    const id = (rejected as { id: string }).id;
    expect((await caio('queue', 'reject', id, '--category', 'tone', '--note', 'too pushy')).code).toBe(0);

    // A draft that is not rejected carries no verdict: refused, nothing written.
    const refused = await caio(
      'golden',
      'add',
      '--from-queue',
      (approved as { id: string }).id,
      '--golden-set',
      golden,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is pending, not rejected/);
    expect((await caio('golden', 'add', '--from-queue', 'no-such-draft', '--golden-set', golden)).code).toBe(
      1,
    );
    expect(readdirSync(join(golden, 'cases'))).toHaveLength(before);

    const added = await caio('golden', 'add', '--from-queue', id, '--golden-set', golden, '--json');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const result = JSON.parse(added.stdout) as {
      path: string;
      golden: { id: string; expected: unknown; notes: string };
    };
    expect(result.golden.expected).toEqual({ verdict: 'fail', categories: ['tone'] });
    expect(result.golden.notes).toContain('rejected by maria: too pushy');
    const onDisk = JSON.parse(readFileSync(result.path, 'utf8')) as { id: string };
    expect(onDisk.id).toBe(`queue-${id}`);

    // Adding it twice is refused.
    expect((await caio('golden', 'add', '--from-queue', id, '--golden-set', golden)).code).toBe(1);

    // The replay gate now runs the new case with the reviewer's expectation.
    const replay = await caio('replay', '--golden-set', golden, '--json', '--no-store');
    const report = JSON.parse(replay.stdout) as { total: number; failures: { id: string }[] };
    expect(report.total).toBe(before + 1);
    const audit = await caio('audit', 'tail', '--json');
    expect(audit.stdout).toContain('golden.add');
    expect(existsSync(join(golden, 'cases', `queue-${id}.json`))).toBe(true);
  });
});
