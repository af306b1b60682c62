import { describe, expect, it } from 'vitest';
import {
  buildEnvelope,
  keepLine,
  parseEnvelopeLine,
  retentionCutoff,
  summarize,
  traceEnvelopeSchema,
} from '../../../../src/runtime/domain/trace-envelope.js';

const NOW = Date.parse('2026-11-21T12:00:00.000Z');

describe('summarize', () => {
  it('masks sensitive keys at any depth and configured secrets anywhere', () => {
    const text = summarize(
      { user: 'ann', apiKey: 'k-123456789', nested: { password: 'hunter22', note: 'uses s3cr3t-value-42' } },
      ['s3cr3t-value-42'],
    );
    expect(text).toContain('"apiKey":"***"');
    expect(text).toContain('"password":"***"');
    expect(text).toContain('"user":"ann"');
    expect(text).not.toContain('k-123456789');
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('s3cr3t-value-42');
  });

  it('redacts secret-shaped text even when not configured', () => {
    const text = summarize(
      `Authorization: Bearer abcdefghijklmnop signkey-prod-0123456789abcdef whsec_MfKQ9r8GKYqrTwjU redis://default:pw123456@h:6379 https://x.io/a?token=zzz999&b=1`,
    );
    expect(text).toBe(
      'Authorization: Bearer *** signkey-*** whsec_*** redis://default:***@h:6379 https://x.io/a?token=***&b=1',
    );
  });

  it('cuts long summaries and keeps strings as they are', () => {
    expect(summarize('plain')).toBe('plain');
    expect(summarize(undefined)).toBe('');
    const long = summarize('x'.repeat(600), [], 100);
    expect(long).toBe(`${'x'.repeat(100)}…(600 chars)`);
  });
});

describe('buildEnvelope', () => {
  it('fills every SPEC field with defaults and ISO-8601 UTC ts', () => {
    const envelope = buildEnvelope(
      {
        tool_name: 'queue.approve',
        status: 'success',
        input: { id: 'd1' },
        output: 'ok',
        duration_ms: 12.3456,
      },
      { correlationId: 'c-1', now: NOW },
    );
    expect(envelope).toEqual({
      correlation_id: 'c-1',
      case_id: null,
      agent: 'caio-runtime',
      tool_name: 'queue.approve',
      tool_input_summary: '{"id":"d1"}',
      tool_output_summary: 'ok',
      retrieved_context_refs: [],
      status: 'success',
      duration_ms: 12.35,
      error_code: null,
      error_message: null,
      ts: '2026-11-21T12:00:00.000Z',
    });
    expect(traceEnvelopeSchema.parse(envelope)).toEqual(envelope);
  });

  it('redacts secrets from the error message', () => {
    const envelope = buildEnvelope(
      { tool_name: 't', status: 'error', error_code: 'E', error_message: 'auth failed for token-abcdef123' },
      { correlationId: 'c', now: NOW, secrets: ['token-abcdef123'] },
    );
    expect(envelope.error_message).not.toContain('token-abcdef123');
  });
});

describe('parsing and retention', () => {
  const line = JSON.stringify(
    buildEnvelope({ tool_name: 't', status: 'success' }, { correlationId: 'c', now: NOW }),
  );

  it('parses a written line and rejects others with a reason', () => {
    expect(parseEnvelopeLine(line)).toMatchObject({ ok: true, envelope: { tool_name: 't' } });
    expect(parseEnvelopeLine('{')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseEnvelopeLine('{"tool_name":"t"}')).toMatchObject({ ok: false });
  });

  it('drops only well-formed envelopes older than the cutoff', () => {
    expect(retentionCutoff(30, NOW)).toBe(NOW - 30 * 86_400_000);
    expect(keepLine(line, NOW - 1)).toEqual({ keep: true, malformed: false });
    expect(keepLine(line, NOW)).toEqual({ keep: true, malformed: false });
    expect(keepLine(line, NOW + 1)).toEqual({ keep: false, malformed: false });
    expect(keepLine('garbage', NOW + 1)).toEqual({ keep: true, malformed: true });
  });
});
