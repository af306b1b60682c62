import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTraceWriter } from '../../src/runtime/services/traces.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const DAY = 86_400_000;

async function seed(file: string): Promise<void> {
  const old = createTraceWriter({ file, enabled: true, now: () => Date.now() - 45 * DAY });
  old.record({ tool_name: 'old.tool', status: 'success' });
  old.close();
  const writer = createTraceWriter({ file, enabled: true, secrets: [] });
  await writer.withCorrelationId('req-42', async () => {
    await writer
      .span('instantly.send', async () => {
        throw Object.assign(new Error('HTTP 500 from upstream'), { code: 'upstream_500' });
      })
      .catch(() => undefined);
    writer.record({ tool_name: 'rubric.score', status: 'success' });
  });
  writer.record({ tool_name: 'rubric.score', status: 'success', correlation_id: 'other' });
  writer.close();
}

describe('caio traces', () => {
  const tempDir = useTempDir();

  it('stats, tail with filters, prune --dry-run then prune', async () => {
    const cwd = tempDir();
    const file = join(cwd, 'hive', 'traces', 'tool_trace_envelopes.jsonl');
    await seed(file);
    const env = { HIVE_DIR: 'hive' };

    const stats = await runCli(['traces', 'stats', '--json'], { cwd, env });
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      file,
      count: 4,
      by_status: { success: 3, error: 1 },
      by_tool: { 'old.tool': 1, 'instantly.send': 1, 'rubric.score': 2 },
    });

    const errors = await runCli(['traces', 'tail', '--status', 'error'], { cwd, env });
    expect(errors.code).toBe(0);
    expect(errors.stdout.trim().split('\n')).toHaveLength(1);
    expect(errors.stdout).toMatch(
      /error +instantly\.send .*cid=req-42 {2}upstream_500: HTTP 500 from upstream/,
    );

    const byId = await runCli(['traces', 'tail', '--correlation-id', 'req-42', '--json'], { cwd, env });
    expect((JSON.parse(byId.stdout) as { tool_name: string }[]).map((e) => e.tool_name)).toEqual([
      'instantly.send',
      'rubric.score',
    ]);
    const last = await runCli(['traces', 'tail', '-n', '1', '--json'], { cwd, env });
    expect(JSON.parse(last.stdout)).toMatchObject([{ correlation_id: 'other' }]);

    const before = readFileSync(file, 'utf8');
    const dry = await runCli(['traces', 'prune', '--dry-run', '--json'], { cwd, env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ days: 30, dry_run: true, dropped: 1, kept: 3 });
    expect(readFileSync(file, 'utf8')).toBe(before);

    const prune = await runCli(['traces', 'prune'], { cwd, env });
    expect(prune.code).toBe(0);
    expect(prune.stdout).toContain('dropped 1 envelopes older than 30 days');
    expect(readFileSync(file, 'utf8')).not.toContain('old.tool');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(prune.stdout).toMatch(/archived 1 to .*\/traces\/archive\/\d{4}-\d{2}-\d{2}\.jsonl\.gz/);

    const listed = await runCli(['traces', 'archive', 'list', '--json'], { cwd, env });
    expect(listed.code).toBe(0);
    const archive = JSON.parse(listed.stdout) as { archive_dir: string; files: { file: string }[] };
    expect(archive.files).toHaveLength(1);
    expect(gunzipSync(readFileSync(archive.files[0]?.file ?? '')).toString('utf8')).toContain('old.tool');
    const text = await runCli(['traces', 'archive', 'list'], { cwd, env });
    expect(text.stdout).toMatch(/^Archived traces in .*archive:\n {2}\d{4}-\d{2}-\d{2}\.jsonl\.gz/);
  });

  it('honours TRACE_ENVELOPE_FILE and TRACE_RETENTION_DAYS, and refuses bad flags', async () => {
    const cwd = tempDir();
    const file = join(cwd, 'elsewhere.jsonl');
    await seed(file);
    const env = { TRACE_ENVELOPE_FILE: file, TRACE_RETENTION_DAYS: '60' };
    const prune = await runCli(['traces', 'prune', '--json'], { cwd, env });
    expect(JSON.parse(prune.stdout)).toMatchObject({ file, days: 60, dropped: 0, kept: 4 });

    const none = await runCli(['traces', 'stats'], { cwd });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No trace file yet');

    const bad = await runCli(['traces', 'prune', '--days', '0'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days must be a positive whole number');
    expect(bad.stderr).toContain('Next: For example `caio traces prune --days 30 --dry-run`');
    const folder = await runCli(['traces', 'stats', '--file', cwd], { cwd });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`Error: Cannot stats ${cwd}: EISDIR`);
    expect(folder.stderr).not.toMatch(/Internal error|at .*\.js/);
    const sub = await runCli(['traces', 'purge'], { cwd, env });
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('Unknown traces command "purge"');
  });
});
