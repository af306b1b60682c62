/**
 * The new-user walk of issue 5 through the built CLI (embedded store): import the sample drafts,
 * approve up to the capacity, reject with a category, preview, execute once with the hash, fail to
 * execute again, watch an expired preview refuse; plus the error paths and their exit codes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { waitUntil } from '../../helpers/store-contract.js';
import { useTempDir } from '../../helpers/temp.js';

const SAMPLES = fileURLToPath(new URL('../../../samples/drafts.jsonl', import.meta.url));

describe('caio queue / batch / outbound (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('walks the approval queue and the Gatekeeper end to end', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'maria', DAILY_APPROVAL_CAPACITY: '3' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });

    const imported = await caio('queue', 'import', SAMPLES);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^Imported 24 draft\(s\) \(pending 23, duplicate 1\); 0 already present; 0 bad line\(s\)/,
    );

    const listed = JSON.parse((await caio('queue', 'list', '--json')).stdout) as {
      id: string;
      status: string;
      canonical_email: string;
      findings: unknown[];
      lead: { email: string };
    }[];
    expect(listed).toHaveLength(24);
    const dup = listed.find((d) => d.status === 'duplicate');
    expect(dup?.canonical_email).toBe(dup?.lead.email.toLowerCase().replace(/\+[^@]*/, ''));
    const pending = listed.filter((d) => d.status === 'pending').map((d) => d.id);

    const approved = await caio('queue', 'approve', pending[0]!, pending[1]!, pending[2]!, pending[3]!);
    expect(approved.code).toBe(1);
    expect(approved.stderr).toContain(
      `Refused ${pending[3]}: Daily approval capacity reached: maria has used 3 of 3 approvals today (DAILY_APPROVAL_CAPACITY=3)`,
    );

    const badCategory = await caio('queue', 'reject', pending[4]!, '--category', 'rude');
    expect(badCategory.code).toBe(2);
    expect(badCategory.stderr).toContain(
      'Next: Use one of: tone, personalization, accuracy, compliance, targeting.',
    );
    const rejected = await caio(
      'queue',
      'reject',
      pending[4]!,
      '--category',
      'tone',
      '--note',
      'too pushy',
      '--by',
      'joe',
    );
    expect(rejected).toMatchObject({ code: 0, stdout: `Rejected ${pending[4]} as tone (by joe)\n` });

    const dry = await caio('outbound', '--motion', 'all', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const dryJson = JSON.parse(dry.stdout) as { dry_run: boolean; counts: { items: number }; hash: string };
    expect(dryJson).toMatchObject({ dry_run: true, counts: { items: 3 } });
    expect(JSON.parse((await caio('batch', 'list', '--json')).stdout)).toEqual([]);

    const preview = await caio('batch', 'preview', '--json');
    expect(preview.code).toBe(0);
    const batch = JSON.parse(preview.stdout) as {
      id: string;
      hash: string;
      expires_at: string;
      mode: string;
      items: { draft_id: string }[];
      excluded: unknown[];
    };
    expect(Object.keys(batch)).toEqual(
      expect.arrayContaining(['id', 'hash', 'expires_at', 'mode', 'items', 'excluded']),
    );
    expect(batch.mode).toBe('log-only');
    expect(batch.items.map((i) => i.draft_id).sort()).toEqual(pending.slice(0, 3).sort());
    expect(batch.hash).toBe(dryJson.hash);

    const wrong = await caio('batch', 'execute', batch.id, '--hash', 'abc123');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Error: Hash does not match batch ${batch.id}`);

    const executed = await caio('batch', 'execute', batch.id, '--hash', batch.hash);
    expect(executed).toMatchObject({
      code: 0,
      stdout: `Executed batch ${batch.id} in log-only mode: 3 sent, 0 failed, 0 skipped, 0 unknown\n`,
    });
    const again = await caio('batch', 'execute', batch.id, '--hash', batch.hash);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Error: Batch ${batch.id} was already executed by maria`);

    const unknown = await caio('batch', 'execute', 'b_nope', '--hash', batch.hash);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No batch with id "b_nope"');

    expect(JSON.parse((await caio('queue', 'list', '--status', 'sent', '--json')).stdout)).toHaveLength(3);
    const audit = await caio('audit', 'verify');
    expect(audit.code).toBe(0);
  }, 180_000);

  it('an expired preview refuses to execute', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'maria', GATEKEEPER_BATCH_TTL_SECONDS: '1' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });
    const file = join(cwd, 'one.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'x1', lead: { email: 'ada@acme.io' }, subject: 'Hi', body: 'Hello Ada' })}\n`,
    );
    expect((await caio('queue', 'import', file)).code).toBe(0);
    expect((await caio('queue', 'approve', 'x1')).code).toBe(0);
    const batch = JSON.parse((await caio('batch', 'preview', '--json')).stdout) as {
      id: string;
      hash: string;
      expires_at: string;
    };
    await waitUntil(() => Date.now() > Date.parse(batch.expires_at), 'the preview to expire', 10_000);
    const late = await caio('batch', 'execute', batch.id, '--hash', batch.hash, '--json');
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({
      ok: false,
      code: 'batch_expired',
      message: `Batch ${batch.id} expired at ${batch.expires_at}`,
    });
    expect((await caio('queue', 'list', '--status', 'approved', '--json')).stdout).toContain('"x1"');
  }, 120_000);

  it('a preview with every draft excluded prints one JSON document and names the right next step', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'maria' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });
    const drafts = join(cwd, 'two.jsonl');
    writeFileSync(
      drafts,
      [
        JSON.stringify({ id: 'x1', lead: { email: 'ada@acme.io' }, subject: 'Hi', body: 'Hello Ada' }),
        JSON.stringify({ id: 'x2', lead: { email: 'bob@acme.io' }, subject: 'Hi', body: 'Hello Bob' }),
      ].join('\n'),
    );
    expect((await caio('queue', 'import', drafts)).code).toBe(0);

    // Nothing approved yet: the JSON says so and points at approving.
    const none = await caio('batch', 'preview', '--json');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({
      ok: false,
      code: 'empty_preview',
      message: 'Nothing to send: no approved drafts in scope; no batch was stored',
      next_step: expect.stringContaining('`caio queue approve <id>`'),
      counts: { items: 0, excluded: 0 },
      excluded: [],
    });

    expect((await caio('queue', 'approve', 'x1', 'x2')).code).toBe(0);
    const sent = join(cwd, 'sent.csv');
    writeFileSync(sent, 'email\nada@acme.io\nbob@acme.io\n');
    expect((await caio('ledger', 'import-sent', sent)).code).toBe(0);

    const json = await caio('batch', 'preview', '--json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { next_step: string };
    expect(doc).toMatchObject({
      ok: false,
      code: 'empty_preview',
      message:
        'Nothing to send: all 2 draft(s) in scope were excluded (2 already_sent_external); no batch was stored',
      mode: 'log-only',
      counts: { items: 0, excluded: 2, excluded_by_reason: { already_sent_external: 2 } },
      excluded: [
        { draft_id: 'x1', reason: 'already_sent_external' },
        { draft_id: 'x2', reason: 'already_sent_external' },
      ],
    });
    expect(doc.next_step).toContain('never e-mailed again');
    expect(doc.next_step).not.toContain('Approve drafts first');

    const human = await caio('batch', 'preview');
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('  - x1  already_sent_external: contacted outside CAIO');
    expect(human.stderr).toContain('Error: Nothing to send: all 2 draft(s) in scope were excluded');
    expect(human.stderr).toMatch(/Next: .*never e-mailed again.*`caio queue list --status pending`/);
    expect(human.stderr).not.toContain('Approve drafts first');

    const live = await caio('outbound', '--motion', 'all', '--live', '--json');
    expect(live.code).toBe(1);
    expect(JSON.parse(live.stdout)).toMatchObject({ ok: false, code: 'empty_preview' });
    expect(JSON.parse((await caio('batch', 'list', '--json')).stdout)).toEqual([]);
  }, 120_000);

  it('reports bad import lines by number, keeps the good ones; unreadable file and bad usage exit 2', async () => {
    const cwd = tempDir();
    const env = { HIVE_DIR: join(cwd, 'hive'), CAIO_OPERATOR: 'maria' };
    const caio = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 60_000 });
    const file = join(cwd, 'mixed.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'ok1', lead: { email: 'a@acme.io' }, subject: 'S', body: 'B' }),
        '{"id": "broken"',
        JSON.stringify({ id: 'bad2', lead: { email: 'not-an-email' }, subject: 'S', body: 'B' }),
        JSON.stringify({ id: 'ok2', lead: { email: 'b@acme.io' }, subject: 'S', body: 'B' }),
      ].join('\n'),
    );
    const result = await caio('queue', 'import', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Imported 2 draft(s) (pending 2); 0 already present; 2 bad line(s)');
    expect(result.stdout).toMatch(/line 2: not valid JSON/);
    expect(result.stdout).toContain('line 3: lead.email is not an email address\n');
    expect(
      JSON.parse((await caio('queue', 'list', '--json')).stdout).map((d: { id: string }) => d.id),
    ).toEqual(['ok1', 'ok2']);

    const missing = await caio('queue', 'import', join(cwd, 'nope.jsonl'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read');
    expect((await caio('queue', 'frobnicate')).code).toBe(2);
    expect((await caio('batch', 'execute', 'b1')).code).toBe(2);
    expect((await caio('outbound', '--motion', 'all')).code).toBe(2);
    expect((await caio('queue', 'approve', 'missing-id')).code).toBe(1);
  }, 120_000);
});
