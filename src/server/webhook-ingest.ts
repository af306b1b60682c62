/**
 * One webhook delivery (SPEC 6.2): verify the source secret, derive the idempotency key, validate the
 * payload, store it durably (group commit), answer, then hand it to processing. Invalid payloads are
 * stored as `quarantined` and answered 400 (202 for RB2B, which disconnects on any 4xx).
 */
import type { Config } from '../runtime/config.js';
import { idempotencyKey, quarantineKey } from '../runtime/domain/webhooks/idempotency.js';
import {
  checkStandardWebhookHeaders,
  constantTimeEqual,
  isStandardWebhooksSecret,
  verifyStandardWebhook,
} from '../runtime/domain/webhooks/signatures.js';
import {
  SECRET_VARIABLE,
  parseWebhookPayload,
  quarantineStatus,
  type WebhookSource,
} from '../runtime/domain/webhooks/sources.js';
import { DependencyUnavailableError, errorMessage } from '../runtime/errors.js';
import { HttpError, header } from './http.js';
import { json, type JsonReply, type RouteContext } from './types.js';

function presentedSecret(ctx: RouteContext, source: WebhookSource): string | undefined {
  const { req, query } = ctx;
  const direct =
    header(req, `x-${source}-webhook-secret`) ??
    header(req, `x-${source}-webhook-auth`) ??
    header(req, 'x-webhook-secret');
  if (direct) return direct;
  const authorization = header(req, 'authorization');
  const bearer = authorization ? /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1] : undefined;
  return bearer ?? query.get('secret') ?? undefined;
}

/**
 * Before the body is read: throws 401/503 unless the delivery carries the source's shared secret
 * (header or query), or, for a Standard Webhooks source, well-formed signature headers with a fresh
 * timestamp. Returns a check to run on the body when the signature covers it.
 */
function authenticate(
  ctx: RouteContext,
  config: Config,
  source: WebhookSource,
  nowMs: number,
): ((body: Buffer) => string | undefined) | undefined {
  const variable = SECRET_VARIABLE[source];
  const secret = config[variable];
  if (!secret) {
    if (config.mode === 'development' && !config.DASHBOARD_AUTH_STRICT) return undefined;
    throw new HttpError(
      503,
      'webhook_not_configured',
      `${variable} is not set: deliveries are refused until it is`,
    );
  }
  // A whsec_ key too short to sign with (or a placeholder) would let anyone forge deliveries.
  const unfit = ctx.services.webhookSecretProblems[source];
  if (unfit) {
    throw new HttpError(503, 'webhook_not_configured', `${unfit}: deliveries are refused until it is fixed`);
  }
  if (isStandardWebhooksSecret(secret)) {
    const signed = {
      id: header(ctx.req, 'webhook-id'),
      timestamp: header(ctx.req, 'webhook-timestamp'),
      signature: header(ctx.req, 'webhook-signature'),
    };
    const nowSeconds = Math.floor(nowMs / 1000);
    const early = checkStandardWebhookHeaders(signed, nowSeconds);
    if (!early.ok) throw new HttpError(401, 'invalid_signature', early.reason);
    return (body) => {
      const verdict = verifyStandardWebhook(secret, signed, body, nowSeconds);
      if (!verdict.ok) throw new HttpError(401, 'invalid_signature', verdict.reason);
      return signed.id;
    };
  }
  const given = presentedSecret(ctx, source);
  const matches =
    ctx.services.webhookSecrets[source] ?? ((value: string) => constantTimeEqual(value, secret));
  if (given === undefined || !matches(given)) {
    throw new HttpError(401, 'invalid_secret', `missing or wrong ${source} webhook secret`);
  }
  return undefined;
}

export async function ingestWebhook(ctx: RouteContext, source: WebhookSource): Promise<JsonReply> {
  const { services } = ctx;
  const verifyBody = authenticate(ctx, services.config, source, services.now());
  const body = await ctx.rawBody();
  const webhookId = verifyBody?.(body);

  let payload: unknown;
  let parseError: string | undefined;
  try {
    payload = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    if (payload === undefined) parseError = 'the body is empty; a JSON object is expected';
  } catch {
    parseError = 'the body is not valid JSON';
  }
  const verdict = parseError === undefined ? parseWebhookPayload(source, payload) : undefined;
  const error = parseError ?? (verdict && !verdict.ok ? verdict.message : undefined);
  const delivery = idempotencyKey({ webhookId, payload, body });
  const key = error === undefined ? delivery : quarantineKey(delivery, body);

  let stored;
  try {
    stored = await services.webhooks.insert({
      source,
      idempotencyKey: key,
      payload: body,
      status: error === undefined ? 'stored' : 'quarantined',
      error,
      effects: verdict?.ok ? verdict.effects : undefined,
    });
  } catch (storeError) {
    // Nothing acknowledged: the source retries. The cause is logged, not answered.
    throw new DependencyUnavailableError(
      'record',
      `the delivery could not be stored durably: ${errorMessage(storeError)}`,
      storeError,
    );
  }

  if (stored.status === 'quarantined') {
    const message = error ?? 'this delivery was quarantined earlier';
    if (quarantineStatus(source) === 202) {
      return json(202, {
        received: true,
        id: stored.id,
        status: 'quarantined',
        duplicate: stored.duplicate,
        message,
      });
    }
    return json(400, { code: 'invalid_payload', message, id: stored.id, status: 'quarantined' });
  }
  if (!stored.duplicate && verdict?.ok)
    services.processor.enqueue(stored.id, { source, effects: verdict.effects });
  return json(200, { received: true, id: stored.id, status: stored.status, duplicate: stored.duplicate });
}
