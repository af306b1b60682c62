/**
 * The shapes every route shares. A route is data: method, path pattern, how it is authenticated and
 * a handler. The router, the auth tests and `caio smoke` all read the same table.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestIdentity } from './auth.js';
import type { HttpServices } from './ports.js';

/** The least role a `token` route needs beyond reading (SPEC 12): reviewer decides drafts, approver dispatches, pto signs off, admin manages. */
export type RouteRole = 'reviewer' | 'approver' | 'pto' | 'admin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `open`: anyone (health probes).
 * - `token`: the dashboard token (SPEC 6.1), checked by the router before the handler runs.
 * - `signature`: the handler verifies its own credential (a webhook source secret, an Inngest
 *   request signature); the dashboard token is not asked for.
 */
export type RouteAuth = 'open' | 'token' | 'signature';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters (`:id`), already URI-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  services: HttpServices;
  correlationId: string;
  /** Who is asking (token routes); `open` for open and signature routes. */
  identity: RequestIdentity;
  /** Re-checks this request's token now (a stream outlives its first check: revocation ends it). */
  stillAuthorized(): Promise<boolean>;
  /** The request body as bytes (bounded by the body limit: 413 beyond it). */
  rawBody(): Promise<Buffer>;
  /** The request body parsed as JSON (400 `invalid_json` when malformed; `undefined` when empty). */
  jsonBody(): Promise<unknown>;
}

/** What a handler returns: a JSON answer, or `undefined` when it wrote the response itself. */
export interface JsonReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: HttpMethod;
  /** `/api/queue/:id/approve`: static segments and `:name` parameters. */
  path: string;
  auth: RouteAuth;
  /** For `token` routes that change something: the role needed (403 `forbidden` otherwise). */
  role?: RouteRole;
  /** One line for the route listing and `caio smoke`. */
  summary: string;
  /** The handler hands the request on (the Inngest SDK), after reading the body through `rawBody`. */
  rawStream?: boolean;
  /** Leave one trace envelope per request under this tool name (webhook intake). */
  trace?: string;
  /** This route's body limit, if not the app's (413 beyond, checked before buffering). */
  bodyLimitBytes?: number;
  handler(ctx: RouteContext): Promise<JsonReply | undefined>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): JsonReply =>
  headers ? { status, body, headers } : { status, body };
