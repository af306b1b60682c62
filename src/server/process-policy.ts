/**
 * What `caio serve` does with an error nothing caught. An `uncaughtException` leaves the process in
 * an unknown state: it is logged as one line and the server drains and stops (exit 1) instead of
 * dying mid-request. An `unhandledRejection` is a promise nobody awaited; the request it belonged
 * to has been answered or timed out, so it is logged (at most `maxLogsPerMinute` lines a minute)
 * and the server keeps serving.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../runtime/errors.js';

export interface ProcessPolicy {
  /** Resolves with the error when an uncaught exception asks the server to drain and stop. */
  fatal: Promise<unknown>;
  uninstall(): void;
}

export function installProcessPolicy(
  logger: Logger,
  options: { maxLogsPerMinute?: number; now?: () => number; emitter?: NodeJS.EventEmitter } = {},
): ProcessPolicy {
  const now = options.now ?? Date.now;
  const max = options.maxLogsPerMinute ?? 10;
  let windowStart = now();
  let logged = 0;
  let dropped = 0;
  let fatalSeen = false;
  let resolveFatal: (error: unknown) => void = () => undefined;
  const fatal = new Promise<unknown>((resolve) => (resolveFatal = resolve));

  const describe = (error: unknown) => ({
    err: errorMessage(error),
    type: error instanceof Error ? error.name : typeof error,
    stack: error instanceof Error ? error.stack?.split('\n').slice(1, 4).join(' | ').trim() : undefined,
  });

  const onException = (error: unknown) => {
    logger.fatal(
      { ...describe(error), event: 'uncaught_exception' },
      'uncaught exception: draining and stopping',
    );
    if (!fatalSeen) {
      fatalSeen = true;
      resolveFatal(error);
    }
  };
  const onRejection = (reason: unknown) => {
    const at = now();
    if (at - windowStart >= 60_000) {
      if (dropped > 0) logger.error({ dropped }, 'unhandled rejections not logged (rate limit)');
      windowStart = at;
      logged = 0;
      dropped = 0;
    }
    if (logged >= max) {
      dropped += 1;
      return;
    }
    logged += 1;
    logger.error(
      { ...describe(reason), event: 'unhandled_rejection' },
      'unhandled promise rejection (still serving)',
    );
  };

  const emitter = options.emitter ?? process;
  emitter.on('uncaughtException', onException);
  emitter.on('unhandledRejection', onRejection);
  return {
    fatal,
    uninstall() {
      emitter.off('uncaughtException', onException);
      emitter.off('unhandledRejection', onRejection);
    },
  };
}
