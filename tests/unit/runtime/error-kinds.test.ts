/**
 * One surface-neutral error type: the kind decides the HTTP status and the exit code, each mapped
 * once; the next step is worded by the surface (CLI commands, console keys), never by the runtime.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliNextStep } from '../../../src/cli/hints.js';
import {
  DependencyUnavailableError,
  RefusedError,
  UserError,
  asRecordUnavailable,
  exitCodeFor,
  unavailableDependency,
} from '../../../src/runtime/errors.js';
import { errorReply } from '../../../src/server/error-reply.js';
import { checkExecution } from '../../../src/runtime/domain/gatekeeper/batch.js';
import { errorText } from '../../../src/screens/format.js';
import { EmptyPreviewError } from '../../../src/runtime/services/gatekeeper.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('error kinds', () => {
  it('derive from the code when not given, and map once to a status and an exit code', () => {
    const cases: [UserError, string, number, number][] = [
      [new UserError('bad flag', { code: 'usage' }), 'invalid', 400, 2],
      [new UserError('no draft', { code: 'draft_not_found', exitCode: 1 }), 'not_found', 404, 1],
      [new RefusedError('capacity', 'capacity_reached'), 'refused', 409, 1],
      [new RefusedError('changed', 'conflict'), 'conflict', 409, 1],
      [
        new DependencyUnavailableError('redis', 'Redis at redis://:pw@10.0.0.5:6380 is down'),
        'unavailable',
        503,
        1,
      ],
    ];
    for (const [error, kind, status, exit] of cases) {
      expect(error.kind).toBe(kind);
      expect(errorReply(error, 'c-1').status).toBe(status);
      expect(exitCodeFor(error.kind)).toBe(exit);
      expect(error.exitCode).toBe(exit);
    }
  });

  it('answers an outage 503 dependency_unavailable without the store URL', () => {
    const reply = errorReply(
      new DependencyUnavailableError('redis', 'Redis at redis://:pw@10.0.0.5:6380 is down'),
      'c',
    );
    expect(reply).toMatchObject({
      status: 503,
      body: { code: 'dependency_unavailable', dependency: 'redis' },
    });
    expect(JSON.stringify(reply)).not.toMatch(/10\.0\.0\.5|6380|pw/);
    const sqlite = Object.assign(new Error('database is locked'), {
      name: 'SqliteError',
      code: 'SQLITE_BUSY',
    });
    expect(errorReply(sqlite, 'c')).toMatchObject({ status: 503, body: { code: 'dependency_unavailable' } });
    expect(errorReply(new Error('bug'), 'c-9')).toMatchObject({
      status: 500,
      body: { code: 'internal_error' },
    });
  });

  it('maps PostgreSQL connection failures to the record being unavailable, in one place', () => {
    const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
    const outages = [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('the database system is shutting down', '57P03'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
    ];
    for (const error of outages) {
      const mapped = asRecordUnavailable(error);
      expect(mapped, error.message).toBeInstanceOf(DependencyUnavailableError);
      expect(mapped).toMatchObject({ dependency: 'record', kind: 'unavailable', code: 'record_unavailable' });
      expect((mapped as Error).message).not.toContain('5432');
      const reply = errorReply(mapped, 'c1');
      expect(reply).toMatchObject({
        status: 503,
        body: { code: 'dependency_unavailable', dependency: 'record' },
      });
    }
    // Raw pg errors reaching the HTTP layer unwrapped are outages too, not 500s.
    expect(unavailableDependency(withCode('terminating connection', '57P01'))).toBe('record');
    expect(errorReply(new Error('Connection terminated unexpectedly'), 'c1').status).toBe(503);
    // Anything else is not an outage: a unique violation stays what it was.
    const unique = withCode('duplicate key value violates unique constraint', '23505');
    expect(asRecordUnavailable(unique)).toBe(unique);
    expect(unavailableDependency(unique)).toBeUndefined();
    expect(errorReply(unique, 'c1').status).toBe(500);
  });

  it('words the next step per surface: commands in the CLI, keys in the console', () => {
    const refusal = checkExecution({
      batch: {
        id: 'b-1',
        hash: 'h',
        expires_at: '2026-01-01T00:00:00Z',
        triggered_by: null,
      } as never,
      run: undefined,
      hash: 'h',
      actor: 'ann',
      now: Date.parse('2026-02-01T00:00:00Z'),
      resume: false,
      twoPersonRule: false,
    });
    expect(refusal?.code).toBe('batch_expired');
    const error = new RefusedError(refusal!.message, refusal!.code, refusal!.nextStep);
    expect(cliNextStep(error)).toContain('`caio batch preview`');
    const console = errorText(error);
    expect(console).toContain('Press p');
    expect(console).not.toMatch(/caio |`/);
    const resume = new RefusedError(
      'started, not finished',
      'already_executed',
      'If that run crashed, resume it.',
    );
    expect(cliNextStep(resume)).toContain('--resume');
  });

  it('an empty preview names the step for its cause on each surface', () => {
    const ramp = new EmptyPreviewError('live', [
      { draft_id: 'd1', reason: 'ramp_limit', detail: 'over the ramp daily allowance' },
    ]);
    expect(ramp.message).toBe(
      'Nothing to send: all 1 draft(s) in scope were excluded (1 ramp_limit); no batch was stored',
    );
    expect(cliNextStep(ramp)).toContain('`caio batch ramp`');
    expect(cliNextStep(ramp)).not.toContain('Approve drafts first');
    expect(errorText(ramp)).toContain('graduate the ramp');
    expect(errorText(ramp)).not.toMatch(/Queue screen|caio |`/);
    const contacted = new EmptyPreviewError('live', [
      { draft_id: 'd1', reason: 'suppressed', detail: 'address suppressed (bounced)' },
      { draft_id: 'd2', reason: 'already_sent', detail: 'this address was already sent to' },
    ]);
    expect(cliNextStep(contacted)).toContain('never e-mailed again');
    expect(errorText(contacted)).toContain('never e-mailed again');
    // Over HTTP the answer carries the counts and the first exclusions beside the message.
    const many = new EmptyPreviewError(
      'live',
      Array.from({ length: 250 }, (_, i) => ({
        draft_id: `d${i}`,
        reason: 'suppressed' as const,
        detail: 'address suppressed (bounced)',
      })),
    );
    const answer = errorReply(many, 'c1');
    expect(answer).toMatchObject({
      status: 409,
      body: {
        code: 'empty_preview',
        mode: 'live',
        counts: { items: 0, excluded: 250, excluded_by_reason: { suppressed: 250 } },
      },
    });
    expect((answer.body as { excluded: unknown[] }).excluded).toHaveLength(100);
    expect((answer.body as { message: string }).message).toContain('never e-mailed again');
    const none = new EmptyPreviewError('log-only', []);
    expect(cliNextStep(none)).toContain('`caio queue approve <id>`');
    expect(errorText(none)).toContain('Queue screen (a)');
  });

  it('keeps CLI commands out of the next steps the runtime gives', () => {
    // A next step is a `nextStep:` value or the third argument of RefusedError/refuse.
    const hint = /nextStep:[^\n]*`caio |(?:RefusedError|refuse)\((?:[^;]*?,){2}[^;]*?`caio /g;
    const offenders = files('src/runtime').flatMap((path) =>
      [...readFileSync(path, 'utf8').matchAll(hint)].map((match) => `${path}: ${match[0]}`),
    );
    expect(offenders).toEqual([]);
  });
});
