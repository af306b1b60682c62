/**
 * Approval queue routes (SPEC 7). The queue service owns the behaviour; these translate. The actor of
 * a decision is the `X-Caio-Operator` header (or `by` in the body), else `api`. Refusals arrive as
 * UserErrors and are answered by the app: not found 404, refused 409, bad input 400.
 */
import { z } from 'zod';
import { DRAFT_STATUSES, MOTIONS } from '../../runtime/domain/queue/draft.js';
import { QUEUE_PAGE_MAX_LIMIT, QUEUE_SORTS, type QueuePageQuery } from '../../runtime/domain/queue/page.js';
import { UserError } from '../../runtime/errors.js';
import { SERVICE_TOKEN_SUFFIX } from '../../runtime/domain/operators.js';
import { HttpError } from '../http.js';
import { json, type Route, type RouteContext } from '../types.js';
import { requireService } from './unavailable.js';

const by = z.string().trim().min(1).max(100).optional();
const rejectBody = z.object({
  category: z.string().min(1).max(100),
  note: z.string().max(2000).optional(),
  by,
});
const decisionBody = z.object({ by }).optional();
const bulkBody = z.object({ ids: z.array(z.string().min(1).max(200)).min(1).max(500), by });
const PAGE_PARAMS = ['status', 'motion', 'q', 'pattern', 'invert', 'sort', 'limit', 'cursor'] as const;
const listQuery = z
  .object({
    status: z
      .enum(DRAFT_STATUSES, { message: `status must be one of ${DRAFT_STATUSES.join(', ')}` })
      .optional(),
    motion: z.enum(MOTIONS, { message: `motion must be one of ${MOTIONS.join(', ')}` }).optional(),
    q: z.string().max(200, 'q must be at most 200 characters').optional(),
    pattern: z.string().max(200, 'pattern must be at most 200 characters').optional(),
    invert: z.enum(['true', 'false'], { message: 'invert must be true or false' }).optional(),
    sort: z.enum(QUEUE_SORTS, { message: `sort must be one of ${QUEUE_SORTS.join(', ')}` }).optional(),
    limit: z
      .string()
      .regex(/^\d{1,4}$/, `limit must be a whole number from 1 to ${QUEUE_PAGE_MAX_LIMIT}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= QUEUE_PAGE_MAX_LIMIT, {
        message: `limit must be a whole number from 1 to ${QUEUE_PAGE_MAX_LIMIT}`,
      })
      .optional(),
    cursor: z.string().max(500, 'cursor is too long: pass the `next` of the previous page').optional(),
  })
  .strict();

/** `?status=&motion=&q=&pattern=&invert=&sort=&limit=&cursor=` as a page query, or a 400 naming the problem. */
export function parseQueueQuery(query: URLSearchParams): QueuePageQuery {
  const raw: Record<string, string> = {};
  for (const [key, value] of query) {
    // Unknown parameters are ignored (liberal in what is harmless); known ones are validated.
    if ((PAGE_PARAMS as readonly string[]).includes(key) && value !== '') raw[key] = value;
  }
  const parsed = listQuery.safeParse(raw);
  if (!parsed.success) throw bad(parsed.error.issues.map((issue) => issue.message).join('; '));
  const { invert, ...rest } = parsed.data;
  return { ...rest, ...(invert ? { invert: invert === 'true' } : {}) } as QueuePageQuery;
}

const queueOf = (ctx: Pick<RouteContext, 'services'>, what: string) =>
  requireService(ctx.services.queue, what);

function bad(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}

/**
 * The acting person (SPEC 12). An operator's token acts as that operator, whatever the request says.
 * The service token may name someone (`X-Caio-Operator`, else the body's `by`): audited as
 * `NAME (service token)`. Development without a token: the named person, else `api`.
 */
export function actorOf(ctx: Pick<RouteContext, 'req' | 'identity'>, bodyBy?: string): string {
  if (ctx.identity.via === 'operator') return ctx.identity.name;
  const header = ctx.req.headers['x-caio-operator'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  const named = value && /^[\w .@+-]{1,100}$/.test(value) ? value : bodyBy;
  if (ctx.identity.via === 'service') return named ? `${named}${SERVICE_TOKEN_SUFFIX}` : ctx.identity.name;
  return named ?? 'api';
}

async function parseBody<S extends z.ZodType>(
  ctx: RouteContext,
  schema: S,
  shape: string,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await ctx.jsonBody());
  if (!parsed.success) throw bad(`a body ${shape} is required`);
  return parsed.data;
}

export const queueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/queue',
    auth: 'token',
    summary:
      'a page of drafts {items, next, total} (?status=&motion=&q=&pattern=&invert=&sort=age|-age&limit=&cursor=)',
    async handler({ services, query }) {
      const queue = queueOf({ services }, 'the approval queue');
      const parsed = parseQueueQuery(query);
      try {
        return json(200, await queue.page(parsed));
      } catch (error) {
        if (
          error instanceof UserError &&
          ['invalid_cursor', 'invalid_pattern', 'invalid_query'].includes(error.code)
        )
          throw bad(`${error.message}. ${error.nextStep ?? ''}`.trim());
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/api/queue',
    auth: 'token',
    role: 'reviewer',
    summary: 'add a draft (the import line format)',
    async handler({ services, jsonBody }) {
      const queue = queueOf({ services }, 'adding drafts');
      const body = await jsonBody();
      if (body === undefined) throw bad('a draft JSON body is required');
      try {
        const result = (await queue.add(body, 'api')) as
          { kind: 'added'; draft: unknown } | { kind: 'exists'; id: string };
        return result.kind === 'added'
          ? json(201, result.draft)
          : json(200, { id: result.id, existing: true });
      } catch (error) {
        if (error instanceof UserError && error.code === 'invalid_draft') throw bad(error.message);
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/api/queue/approve',
    auth: 'token',
    role: 'reviewer',
    summary: 'bulk approve {ids: [...]}',
    async handler(ctx) {
      const queue = queueOf(ctx, 'bulk approval');
      const body = await parseBody(ctx, bulkBody, '{"ids": [string], "by"?: string}');
      const results = await queue.approveMany(body.ids, actorOf(ctx, body.by));
      return json(results.every((r) => r.ok) ? 200 : 207, { results });
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/approve',
    auth: 'token',
    role: 'reviewer',
    summary: 'approve a draft',
    async handler(ctx) {
      const queue = queueOf(ctx, 'approving drafts');
      const body = await parseBody(ctx, decisionBody, '{"by"?: string}');
      return json(200, await queue.approve(ctx.params.id as string, actorOf(ctx, body?.by)));
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/reject',
    auth: 'token',
    role: 'reviewer',
    summary: 'reject a draft with a category',
    async handler(ctx) {
      const queue = queueOf(ctx, 'rejecting drafts');
      const body = await parseBody(ctx, rejectBody, '{"category": string, "note"?: string, "by"?: string}');
      return json(
        200,
        await queue.reject(ctx.params.id as string, actorOf(ctx, body.by), body.category, body.note ?? null),
      );
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/undo',
    auth: 'token',
    role: 'reviewer',
    summary: 'undo your own decision within the grace period',
    async handler(ctx) {
      const queue = queueOf(ctx, 'undoing decisions');
      const body = await parseBody(ctx, decisionBody, '{"by"?: string}');
      return json(200, await queue.undo(ctx.params.id as string, actorOf(ctx, body?.by)));
    },
  },
];
