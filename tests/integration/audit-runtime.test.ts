import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import { createRuntime } from '../../src/runtime/services/runtime.js';
import { useTempDir } from '../helpers/temp.js';

describe('runtime container: audit and traces', () => {
  const tempDir = useTempDir();

  it('wires runtime.audit on the record and runtime.traces on TRACE_ENVELOPE_FILE with secrets redacted', async () => {
    const hive = join(tempDir(), 'hive');
    const token = 'dash_0123456789abcdefghijklmnopqrstuvwxyz';
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: hive, DASHBOARD_AUTH_TOKEN: token }));
    try {
      await runtime.audit.append({ actor: 'ann', action: 'queue.approve', subject: 'd1' });
      expect(await runtime.audit.verify()).toMatchObject({ ok: true, count: 1 });
      await runtime.traces.withCorrelationId('req-1', () =>
        runtime.traces.span('auth.check', async () => 'ok', { input: `Bearer ${token}` }),
      );
    } finally {
      await runtime.close();
    }
    const file = join(hive, 'traces', 'tool_trace_envelopes.jsonl');
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toMatchObject({
      correlation_id: 'req-1',
      tool_name: 'auth.check',
      status: 'success',
    });
    expect(text).not.toContain(token);
  });

  it('writes no trace file when TRACE_ENVELOPE_ENABLED=false', async () => {
    const hive = join(tempDir(), 'hive');
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: hive, TRACE_ENVELOPE_ENABLED: 'false' }));
    try {
      expect(runtime.traces.enabled).toBe(false);
      runtime.traces.record({ tool_name: 't', status: 'success' });
    } finally {
      await runtime.close();
    }
    expect(existsSync(join(hive, 'traces'))).toBe(false);
  });
});
