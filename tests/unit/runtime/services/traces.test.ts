import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../../../src/runtime/errors.js';
import { createTraceWriter } from '../../../../src/runtime/services/traces.js';
import type { TraceEnvelope } from '../../../../src/runtime/domain/trace-envelope.js';
import { useTempDir } from '../../../helpers/temp.js';

const read = (file: string): TraceEnvelope[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TraceEnvelope);

describe('trace writer', () => {
  const tempDir = useTempDir();

  it('writes nothing, not even a folder, when disabled', async () => {
    const dir = tempDir();
    const file = join(dir, 'traces', 't.jsonl');
    const writer = createTraceWriter({ file, enabled: false });
    expect(writer.record({ tool_name: 't', status: 'success' })).toBeUndefined();
    expect(await writer.span('t', async () => 7)).toBe(7);
    writer.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('appends one JSON line per record, creating the folder', () => {
    const file = join(tempDir(), 'deep', 'traces', 't.jsonl');
    const writer = createTraceWriter({
      file,
      enabled: true,
      now: () => Date.parse('2026-01-02T03:04:05.000Z'),
    });
    writer.record({ tool_name: 'a', status: 'success', correlation_id: 'c1', case_id: 'case-9' });
    writer.record({ tool_name: 'b', status: 'skipped' });
    writer.close();
    const lines = read(file);
    expect(lines.map((e) => [e.tool_name, e.status, e.correlation_id, e.case_id, e.ts])).toEqual([
      ['a', 'success', 'c1', 'case-9', '2026-01-02T03:04:05.000Z'],
      ['b', 'skipped', expect.stringMatching(/^[0-9a-f-]{36}$/), null, '2026-01-02T03:04:05.000Z'],
    ]);
    expect(existsSync(`${file}.lock`)).toBe(true);
  });

  it('propagates the correlation id through async work, and keeps concurrent ones apart', async () => {
    const file = join(tempDir(), 't.jsonl');
    const writer = createTraceWriter({ file, enabled: true });
    const job = (id: string, delay: number) =>
      writer.withCorrelationId(id, async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        expect(writer.currentCorrelationId()).toBe(id);
        await writer.span(`tool-${id}`, async () => {
          await Promise.resolve();
          writer.record({ tool_name: `inner-${id}`, status: 'success' });
        });
      });
    await Promise.all([job('A', 5), job('B', 0)]);
    expect(writer.currentCorrelationId()).toBeUndefined();
    writer.close();
    const byTool = Object.fromEntries(read(file).map((e) => [e.tool_name, e.correlation_id]));
    expect(byTool).toEqual({ 'inner-A': 'A', 'tool-A': 'A', 'inner-B': 'B', 'tool-B': 'B' });
  });

  it('span records success with output, failure with code and message, and rethrows', async () => {
    const file = join(tempDir(), 't.jsonl');
    const writer = createTraceWriter({ file, enabled: true, secrets: ['hidden-secret-1'] });
    const ok = await writer.span('lookup', async () => ({ rows: 2 }), {
      input: { q: 'x', token: 'tok' },
      contextRefs: ['crm:1'],
      caseId: 'case-1',
      agent: 'enricher',
    });
    expect(ok).toEqual({ rows: 2 });
    await expect(
      writer.span('send', async () => {
        throw Object.assign(new Error('upstream said hidden-secret-1'), { code: 'upstream_500' });
      }),
    ).rejects.toThrow('upstream said');
    await expect(
      writer.span('approve', () => {
        throw new RefusedError('capacity reached', 'capacity_reached');
      }),
    ).rejects.toThrow('capacity reached');
    writer.close();
    const [success, failure, blocked] = read(file);
    expect(success).toMatchObject({
      tool_name: 'lookup',
      status: 'success',
      tool_input_summary: '{"q":"x","token":"***"}',
      tool_output_summary: '{"rows":2}',
      retrieved_context_refs: ['crm:1'],
      case_id: 'case-1',
      agent: 'enricher',
      error_code: null,
    });
    expect(success?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(failure).toMatchObject({ tool_name: 'send', status: 'error', error_code: 'upstream_500' });
    expect(failure?.error_message).not.toContain('hidden-secret-1');
    expect(blocked).toMatchObject({ status: 'blocked', error_code: 'capacity_reached' });
  });

  it('reports a write it cannot make and retries it on the next record', () => {
    const dir = tempDir();
    // The traces folder is taken by a plain file: writes fail until it is moved away.
    const folder = join(dir, 'traces');
    writeFileSync(folder, 'in the way');
    const file = join(folder, 't.jsonl');
    const errors: unknown[] = [];
    const writer = createTraceWriter({ file, enabled: true, onError: (e) => errors.push(e) });
    writer.record({ tool_name: 'first', status: 'success' });
    expect(errors).toHaveLength(1);
    rmSync(folder);
    writer.record({ tool_name: 'second', status: 'success' });
    writer.close();
    expect(errors).toHaveLength(1);
    expect(read(file).map((e) => e.tool_name)).toEqual(['first', 'second']);
  });
});
