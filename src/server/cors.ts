/**
 * CORS (SPEC 6.1): only explicitly configured origins are echoed; `*` is honoured in development
 * only; `Origin: null` (sandboxed frames, file://) is never allowed. Preflights are answered 204
 * before auth, with CORS headers only for an allowed origin; every answer carries `Vary: Origin`.
 */
import type { Config } from '../runtime/config.js';

export const ALLOWED_METHODS = 'GET, POST, OPTIONS';
export const ALLOWED_HEADERS = 'authorization, content-type, x-dashboard-token, x-correlation-id';

export interface Cors {
  isAllowed(origin: string | undefined): origin is string;
  /** Headers for an ordinary answer. */
  headers(origin: string | undefined): Record<string, string>;
  /** Headers for a preflight answer (204). */
  preflight(origin: string | undefined): Record<string, string>;
}

export function createCors(config: Config): Cors {
  const origins = new Set(
    config.CORS_ALLOWED_ORIGINS.filter((origin) => origin !== '*' && origin !== 'null'),
  );
  const wildcard = config.mode === 'development' && config.CORS_ALLOWED_ORIGINS.includes('*');
  const isAllowed = (origin: string | undefined): origin is string =>
    origin !== undefined && origin !== 'null' && (origins.has(origin) || (wildcard && origin.length > 0));
  return {
    isAllowed,
    headers(origin): Record<string, string> {
      if (!isAllowed(origin)) return { vary: 'Origin' };
      return {
        vary: 'Origin',
        'access-control-allow-origin': origin,
        'access-control-expose-headers': 'x-correlation-id',
      };
    },
    preflight(origin): Record<string, string> {
      if (!isAllowed(origin)) return { vary: 'Origin' };
      return {
        vary: 'Origin',
        'access-control-allow-origin': origin,
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      };
    },
  };
}
