import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/commands/serve.js';
import { installProcessPolicy } from '../../../src/server/process-policy.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger(stream, ['sekrit-value-1234567890']) };
}

describe('serve process policy', () => {
  it('logs an uncaught exception as one line and asks the server to drain', async () => {
    const { lines, logger } = capture();
    const emitter = new EventEmitter();
    const policy = installProcessPolicy(logger, { emitter });
    const error = new Error('boom sekrit-value-1234567890');
    emitter.emit('uncaughtException', error);
    await expect(policy.fatal).resolves.toBe(error);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'fatal', event: 'uncaught_exception' });
    expect(JSON.stringify(lines[0])).not.toContain('sekrit-value-1234567890');
    policy.uninstall();
    expect(emitter.listenerCount('uncaughtException')).toBe(0);
  });

  it('logs unhandled rejections rate-limited and keeps serving', async () => {
    const { lines, logger } = capture();
    const emitter = new EventEmitter();
    let clock = 0;
    const policy = installProcessPolicy(logger, { emitter, maxLogsPerMinute: 3, now: () => clock });
    for (let i = 0; i < 50; i++) emitter.emit('unhandledRejection', new Error(`r${i}`));
    clock = 61_000;
    emitter.emit('unhandledRejection', new Error('later'));
    await new Promise((resolve) => setImmediate(resolve));
    const events = lines.map((line) => line['event'] ?? line['dropped']);
    expect(events).toEqual([
      'unhandled_rejection',
      'unhandled_rejection',
      'unhandled_rejection',
      47,
      'unhandled_rejection',
    ]);
    let settled = false;
    void policy.fatal.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    policy.uninstall();
  });
});
