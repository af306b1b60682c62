/**
 * The idempotency key of a delivery: the source's own event id when it has one (the Standard
 * Webhooks `webhook-id`, or an id field of the payload), else the SHA-256 of the raw body. A retried
 * delivery carries the same key, so it is acknowledged and not stored twice.
 */
import { createHash } from 'node:crypto';

const ID_FIELDS = ['event_id', 'eventId', 'webhook_id', 'id'] as const;
const MAX_KEY_LENGTH = 200;

export function bodyDigest(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function idempotencyKey(options: {
  webhookId?: string | undefined;
  payload?: unknown;
  body: Buffer | string;
}): string {
  const { webhookId, payload } = options;
  if (webhookId && webhookId.length <= MAX_KEY_LENGTH) return `id:${webhookId}`;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const record = payload as Record<string, unknown>;
    for (const field of ID_FIELDS) {
      const value = record[field];
      if (
        (typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH) ||
        typeof value === 'number'
      ) {
        return `id:${String(value)}`;
      }
    }
  }
  return `sha256:${bodyDigest(options.body)}`;
}
