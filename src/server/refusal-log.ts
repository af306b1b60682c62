/**
 * One JSON log line per refused request (401, 403, 429): who (client address), where (method and
 * path, never the query: it may hold a token or secret), why (the refusal code). Never the token.
 * Rate-limited so a flood cannot amplify the log: at most `perWindow` lines per `windowMs`, then one
 * line counting what was left out.
 */
import type { Logger } from 'pino';

export interface Refusal {
  client: string;
  method: string;
  route: string;
  status: number;
  reason: string;
}

export interface RefusalLog {
  refused(refusal: Refusal): void;
}

export function createRefusalLog(
  logger: Logger | undefined,
  options: { perWindow?: number; windowMs?: number; now?: () => number } = {},
): RefusalLog {
  const perWindow = options.perWindow ?? 20;
  const windowMs = options.windowMs ?? 10_000;
  const now = options.now ?? Date.now;
  let windowStart = now();
  let logged = 0;
  let suppressed = 0;
  return {
    refused(refusal) {
      if (!logger) return;
      const at = now();
      if (at - windowStart >= windowMs) {
        if (suppressed > 0) {
          logger.warn(
            { event: 'auth_refused_suppressed', count: suppressed, window_ms: windowMs },
            'refused requests not logged one by one (rate limit)',
          );
        }
        windowStart = at;
        logged = 0;
        suppressed = 0;
      }
      if (logged >= perWindow) {
        suppressed += 1;
        return;
      }
      logged += 1;
      logger.warn({ event: 'auth_refused', ...refusal }, 'request refused');
    },
  };
}
