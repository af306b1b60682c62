/**
 * Dashboard-token auth (SPEC 6.1). The token comes from `Authorization: Bearer`, `X-Dashboard-Token`
 * or `?token=`, and is compared in constant time (SHA-256 of both sides, so a length mismatch cannot
 * throw or leak). Strict mode, or no token configured outside development, fails closed. Wrong
 * tokens are counted per client address; past the limit the address gets 429 (even with the right
 * token) until the window ends. The counter lives in the state store (`consume`, shared by every
 * runtime process on Redis); if there is none, or it fails, an in-memory window per process is used.
 * The presented token is never logged or echoed.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '../runtime/config.js';
import { credentialProblem } from '../runtime/domain/env-rules.js';
import { tokenDigest, type Role } from '../runtime/domain/operators.js';
import { secretMatcher } from '../runtime/domain/webhooks/signatures.js';
import type { StatePort } from './ports.js';
import { header } from './http.js';

/**
 * Who is asking. `service`: the DASHBOARD_AUTH_TOKEN (admin; may name someone with X-Caio-Operator);
 * `operator`: an operator's own token; `open`: development with no token configured (admin).
 */
export interface RequestIdentity {
  via: 'service' | 'operator' | 'open';
  name: string;
  role: Role;
}

export type AuthDecision =
  | { ok: true; identity: RequestIdentity }
  | { ok: false; status: 401 | 429; code: string; message: string; retryAfterSeconds?: number };

/** Token -> operator, by the token's SHA-256 (the operators service satisfies it). */
export interface OperatorResolver {
  /** A fresh cached answer, or 'miss' (synchronous: keeps the request path free of promises). */
  cached(digest: string): { name: string; role: Role } | undefined | 'miss';
  resolve(digest: string): Promise<{ name: string; role: Role } | undefined>;
}

export interface AuthGuardOptions {
  config: Config;
  state?: StatePort | undefined;
  /** Operators' tokens (SPEC 12); without it only the service token is accepted. */
  operators?: OperatorResolver | undefined;
  now?: () => number;
  /** Wrong tokens allowed per address per window (default 20). */
  failureLimit?: number;
  /** Window in seconds (default 60). */
  windowSeconds?: number;
}

export interface AuthGuard {
  /** Synchronous on the success path (no extra promise per request); a failure may await the store. */
  check(req: IncomingMessage, query: URLSearchParams): AuthDecision | Promise<AuthDecision>;
}

const MAX_TRACKED = 10_000;
const SERVICE: AuthDecision = {
  ok: true,
  identity: { via: 'service', name: 'service token', role: 'admin' },
};
const OPEN: AuthDecision = { ok: true, identity: { via: 'open', name: 'api', role: 'admin' } };

export function presentedToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const authorization = header(req, 'authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const direct = header(req, 'x-dashboard-token');
  if (direct) return direct.trim();
  const fromQuery = query.get('token');
  return fromQuery ? fromQuery : undefined;
}

/**
 * The client's address for the failed-auth limit. Behind `trustedHops` reverse proxies, the client is
 * the entry that many places from the right of X-Forwarded-For (each proxy appends the address it saw;
 * entries further left are whatever the client sent, so they are never trusted). With no proxy, or a
 * header shorter than expected, the socket address is used.
 */
export function clientAddress(req: IncomingMessage, trustedHops = 0): string {
  const socket = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return socket;
  const forwarded = header(req, 'x-forwarded-for');
  if (!forwarded) return socket;
  const hops = forwarded
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return hops[hops.length - trustedHops] ?? socket;
}

export function createAuthGuard(options: AuthGuardOptions): AuthGuard {
  const { config } = options;
  const now = options.now ?? Date.now;
  const limit = options.failureLimit ?? 20;
  const windowSeconds = options.windowSeconds ?? 60;
  const failClosed = config.DASHBOARD_AUTH_STRICT || config.mode !== 'development';
  // Outside development a short or placeholder token counts as no token: closed, never open.
  const unfit =
    config.DASHBOARD_AUTH_TOKEN !== undefined && config.mode !== 'development'
      ? credentialProblem('DASHBOARD_AUTH_TOKEN', config.DASHBOARD_AUTH_TOKEN)
      : undefined;
  const token = unfit ? undefined : config.DASHBOARD_AUTH_TOKEN;
  const matches = token ? secretMatcher(token) : () => false;
  const blockedUntil = new Map<string, number>();
  const memory = new Map<string, { count: number; resetAt: number }>();

  const prune = (map: Map<string, unknown>, expired: (value: never) => boolean) => {
    if (map.size < MAX_TRACKED) return;
    for (const [key, value] of map) if (expired(value as never)) map.delete(key);
    if (map.size >= MAX_TRACKED) map.clear();
  };

  const consumeInMemory = (address: string) => {
    const at = now();
    let entry = memory.get(address);
    if (!entry || entry.resetAt <= at) {
      prune(memory, (value: { resetAt: number }) => value.resetAt <= at);
      entry = { count: 0, resetAt: at + windowSeconds * 1000 };
      memory.set(address, entry);
    }
    entry.count += 1;
    return { allowed: entry.count <= limit, resetMs: entry.resetAt - at };
  };

  const recordFailure = async (address: string): Promise<{ allowed: boolean; resetMs: number }> => {
    if (options.state) {
      try {
        return await options.state.consume(`auth-fail:${address}`, limit, windowSeconds);
      } catch {
        // Store unavailable: fall through to the per-process window.
      }
    }
    return consumeInMemory(address);
  };

  const limited = (resetMs: number): AuthDecision => ({
    ok: false,
    status: 429,
    code: 'rate_limited',
    message: 'too many failed authentication attempts from this address; try again later',
    retryAfterSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
  });

  const refuse = async (address: string): Promise<AuthDecision> => {
    const { allowed, resetMs } = await recordFailure(address);
    if (!allowed) {
      prune(blockedUntil, (value: number) => value <= now());
      blockedUntil.set(address, now() + resetMs);
      return limited(resetMs);
    }
    return { ok: false, status: 401, code: 'unauthorized', message: 'the token is not valid' };
  };

  // The operators' cache answers the same object while its entry is fresh: one decision per entry,
  // not two allocations per request.
  const decisions = new WeakMap<{ name: string; role: Role }, AuthDecision>();
  const asOperator = (found: { name: string; role: Role }): AuthDecision => {
    let decision = decisions.get(found);
    if (!decision) {
      decision = { ok: true, identity: { via: 'operator', name: found.name, role: found.role } };
      decisions.set(found, decision);
    }
    return decision;
  };

  const operatorOrRefuse = (given: string, address: string): AuthDecision | Promise<AuthDecision> => {
    const resolver = options.operators;
    if (!resolver) return refuse(address);
    const digest = tokenDigest(given);
    const cached = resolver.cached(digest);
    if (cached !== 'miss') return cached ? asOperator(cached) : refuse(address);
    return resolver.resolve(digest).then((found) => (found ? asOperator(found) : refuse(address)));
  };

  return {
    check(req, query) {
      const given = presentedToken(req, query);
      if (!token) {
        const closed: AuthDecision = {
          ok: false,
          status: 401,
          code: 'auth_not_configured',
          message: unfit
            ? `${unfit}: protected routes are closed until a real token is set (caio bootstrap --rotate-token)`
            : 'DASHBOARD_AUTH_TOKEN is not configured: protected routes are closed',
        };
        const fallback = failClosed ? closed : OPEN;
        // Operators' tokens work even where the service token is not configured.
        const resolver = options.operators;
        if (given === undefined || !resolver) return fallback;
        const digest = tokenDigest(given);
        const cached = resolver.cached(digest);
        if (cached !== 'miss') return cached ? asOperator(cached) : fallback;
        return resolver.resolve(digest).then((found) => (found ? asOperator(found) : fallback));
      }
      const address = clientAddress(req, config.TRUST_PROXY_HOPS);
      const until = blockedUntil.size > 0 ? blockedUntil.get(address) : undefined;
      if (until !== undefined) {
        if (until > now()) return limited(until - now());
        blockedUntil.delete(address);
      }
      if (given === undefined) {
        return {
          ok: false,
          status: 401,
          code: 'unauthorized',
          message: 'a token is required: Authorization: Bearer <token>, X-Dashboard-Token or ?token=',
        };
      }
      return matches(given) ? SERVICE : operatorOrRefuse(given, address);
    },
  };
}
