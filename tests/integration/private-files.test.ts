/**
 * Files (SPEC 5): a new HIVE_DIR is 0700; the database (and its WAL), the traces and their lock,
 * and exported reports are 0600 — whatever the umask would have given.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, traceFilePath } from '../../src/runtime/config.js';
import { ensurePrivateFile, writePrivateFile } from '../../src/runtime/private-files.js';
import { createRuntime } from '../../src/runtime/services/runtime.js';
import { traceLockPath } from '../../src/runtime/services/traces.js';
import { useTempDir } from '../helpers/temp.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('private files', () => {
  const tempDir = useTempDir();

  it('creates HIVE_DIR 0700 and the database and traces 0600', async () => {
    const hive = join(tempDir(), 'deep', 'hive');
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: hive }));
    try {
      await runtime.audit.append({ actor: 'ann', action: 'queue.approve', subject: 'd-1' });
      runtime.traces.record({ tool_name: 'queue.approve', status: 'success' });
      runtime.traces.flush();
      expect(mode(hive)).toBe(0o700);
      expect(mode(join(hive, 'caio.db'))).toBe(0o600);
      if (existsSync(join(hive, 'caio.db-wal'))) expect(mode(join(hive, 'caio.db-wal'))).toBe(0o600);
      const traces = traceFilePath(runtime.config);
      expect(mode(traces)).toBe(0o600);
      expect(mode(traceLockPath(traces))).toBe(0o600);
      expect(mode(join(hive, 'traces'))).toBe(0o700);
    } finally {
      await runtime.close();
    }
  });

  it('tightens an existing database file and writes reports 0600', () => {
    const dir = tempDir();
    const path = join(dir, 'loose.db');
    writeFileSync(path, '', { mode: 0o644 });
    expect(mode(path)).toBe(0o644);
    ensurePrivateFile(path);
    expect(mode(path)).toBe(0o600);
    const report = join(dir, 'reports', 'completion-r1-staging.md');
    writePrivateFile(report, '# report\n');
    expect(mode(report)).toBe(0o600);
    expect(mode(join(dir, 'reports'))).toBe(0o700);
  });
});
