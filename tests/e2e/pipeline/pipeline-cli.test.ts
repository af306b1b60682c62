/**
 * The runbooks' cutover step through the built CLI: leads stored (as the webhooks store them), then
 * `echo yes | caio pipeline run --mode production` drafts them; a GHL export excludes addresses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { clayRow, openTestRuntime, rb2bVisit } from '../../helpers/pipeline-runtime.js';
import { useTempDir } from '../../helpers/temp.js';

describe('caio pipeline run / caio ledger import-sent (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('drafts stored leads in production only when confirmed, idempotently', async () => {
    const cwd = tempDir();
    const hive = join(cwd, 'hive');
    const env = { HIVE_DIR: hive, CAIO_OPERATOR: 'ops' };
    const runtime = await openTestRuntime(hive);
    await rb2bVisit(runtime, {
      email: 'sam@tiltdesk.io',
      first: 'Sam',
      company: 'Tiltdesk',
      url: 'https://q.ai/pricing',
    });
    await clayRow(runtime, {
      email: 'chris@fleetbase.io',
      first_name: 'Chris',
      company: 'Fleetbase',
      segment: 'smb',
    });
    await clayRow(runtime, { email: 'anon@fleetbase.io', company: 'Fleetbase' });
    await runtime.close();
    const caio = (args: string[], input?: string) =>
      runCli(args, { cwd, env, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });

    const refused = await caio(['pipeline', 'run', '--mode', 'production'], 'no\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not confirmed');
    expect(refused.stderr).toContain('echo yes | caio pipeline run --mode production');

    const ran = await caio(['pipeline', 'run', '--mode', 'production'], 'yes\n');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('Pipeline (production, source all): 2 drafted from 3 lead(s).');
    expect(ran.stdout).toContain('Skipped: unresolved_token 1');
    expect(ran.stdout).toMatch(/anon@fleetbase\.io\s+unresolved_token: .*\{\{first_name\}\}/);

    const again = JSON.parse(
      (await caio(['pipeline', 'run', '--mode', 'production', '--yes', '--json'])).stdout,
    ) as {
      drafted: number;
      skipped: Record<string, number>;
    };
    expect(again).toMatchObject({ drafted: 0, skipped: { already_drafted: 2, unresolved_token: 1 } });

    const listed = JSON.parse((await caio(['queue', 'list', '--json', '--mode', 'production'])).stdout) as {
      status: string;
      lead: { email: string };
    }[];
    expect(listed.map((d) => [d.lead.email, d.status]).sort()).toEqual([
      ['chris@fleetbase.io', 'pending'],
      ['sam@tiltdesk.io', 'pending'],
    ]);
  });

  it('fails before drafting when a template has an unknown token', async () => {
    const cwd = tempDir();
    const golden = join(cwd, 'golden');
    mkdirSync(join(golden, 'templates'), { recursive: true });
    writeFileSync(join(golden, 'templates', 'default.md'), '---\nsubject: Hi\n---\nHi {{frist_name}}\n');
    const result = await runCli(['pipeline', 'run', '--golden-set', golden], {
      cwd,
      env: { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'ops' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('default.md: unknown token {{frist_name}}');
    expect(result.stderr).toContain('nothing was drafted');
  });

  it('imports a GHL export with bad rows reported by line, then again with nothing new', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'ops' };
    writeFileSync(join(cwd, 'ghl.csv'), 'Email,Name\na@x.io,A\nnope,B\n');
    const first = await runCli(['ledger', 'import-sent', 'ghl.csv', '--source', 'ghl'], { cwd, env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('recorded 1 new, 0 already recorded');
    expect(first.stdout).toContain('line 3: "nope" is not an email address');
    const second = JSON.parse(
      (await runCli(['ledger', 'import-sent', 'ghl.csv', '--json'], { cwd, env })).stdout,
    ) as {
      added: number;
      known: number;
    };
    expect(second).toMatchObject({ added: 0, known: 1 });
    const missing = await runCli(['ledger', 'import-sent'], { cwd, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing FILE');
  });

  it('GHL_MODE=live: --fetch imports the tagged contacts from the GHL API (local stub)', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          contacts: [
            { email: 'sent1@x.io', tags: ['contacted'] },
            { email: 'other@x.io', tags: [] },
          ],
          meta: {},
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const cwd = tempDir();
      const env = {
        HIVE_DIR: join(cwd, 'hive'),
        CAIO_OPERATOR: 'ops',
        GHL_MODE: 'live',
        GHL_API_KEY: 'ghl_test_key_0123456789abcdef',
        GHL_LOCATION_ID: 'loc-1',
        GHL_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      };
      const fetched = await runCli(['ledger', 'import-sent', '--fetch', '--tag', 'contacted', '--json'], {
        cwd,
        env,
      });
      expect(fetched.stderr).toBe('');
      expect(JSON.parse(fetched.stdout)).toMatchObject({ format: 'api', rows: 1, added: 1 });
      const sandbox = await runCli(['ledger', 'import-sent', '--fetch', '--tag', 'contacted'], {
        cwd,
        env: { ...env, GHL_MODE: 'sandbox' },
      });
      expect(sandbox.code).toBe(2);
      expect(sandbox.stderr).toContain('--fetch needs GHL_MODE=live');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
