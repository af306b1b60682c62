/** `caio operators` as a user runs it: a token printed once, never listed; clear refusals with SPEC 3 exit codes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('caio operators', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'caio-operators-'));
  const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'pat' };
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const caio = (...args: string[]) => runCli(['operators', ...args], { cwd, env });

  it('adds, lists without tokens, rotates and revokes, audited', async () => {
    const added = await caio('add', 'maria', '--role', 'reviewer', '--json');
    expect(added.code).toBe(0);
    const issued = JSON.parse(added.stdout) as { name: string; role: string; token: string };
    expect(issued).toMatchObject({ name: 'maria', role: 'reviewer' });
    expect(issued.token).toMatch(/^caio_op_[\w-]{43}$/);

    const text = await caio('add', 'pat', '--role', 'pto');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/shown this once/);

    const list = await caio('list', '--json');
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(issued.token);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { name: 'maria', role: 'reviewer', revoked_at: null },
      { name: 'pat', role: 'pto' },
    ]);

    const rotated = await caio('rotate', 'maria', '--json');
    expect(rotated.code).toBe(0);
    expect((JSON.parse(rotated.stdout) as { token: string }).token).not.toBe(issued.token);
    expect((await caio('revoke', 'maria')).code).toBe(0);
    expect((await caio('list')).stdout).toMatch(/maria\s+reviewer.*revoked/);

    const audit = await runCli(['audit', 'tail', '-n', '10'], { cwd, env });
    expect(audit.stdout).toMatch(/operator\.add/);
    expect(audit.stdout).toMatch(/operator\.revoke/);
    expect(audit.stdout).not.toContain(issued.token);
  });

  it('refuses bad input with one clear line', async () => {
    const role = await caio('add', 'sam', '--role', 'boss');
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/Unknown role "boss"/);
    expect(role.stderr).toMatch(/viewer, reviewer, approver, pto, admin/);
    expect(role.stderr).not.toMatch(/\n\s+at /);

    const duplicate = await caio('add', 'PAT', '--role', 'viewer');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);

    const unknown = await caio('revoke', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No active operator named "nobody"/);

    expect((await caio('add', 'x')).code).toBe(2);
    expect((await caio('frobnicate')).code).toBe(2);
  });
});
