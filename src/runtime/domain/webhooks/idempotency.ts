/**
 * The idempotency key of a delivery: the source's own event id when it has one (the Standard
 * Webhooks `webhook-id`, or an event-id field of the payload), else the SHA-256 of the raw body. A
 * retried delivery carries the same key, so it is acknowledged and not stored twice.
 *
 * A plain `id` is NOT an event id: in Clay and RB2B rows it names the record, and an enrichment
 * update of the same row (same `id`, new data) is a new delivery that must not be dropped as a
 * duplicate. Such deliveries are keyed by their body.
 */
import { sha256Hex } from '../sha256.js';

const ID_FIELDS = ['event_id', 'eventId', 'webhook_id'] as const;
const MAX_KEY_LENGTH = 200;

export function bodyDigest(body: Buffer | string): string {
  return sha256Hex(body);
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

/**
 * The key under which a delivery that failed validation is quarantined: its body is part of it, so a
 * corrected redelivery under the same event id is a new delivery (stored and processed), while an
 * identical retry of the bad one is still acknowledged once.
 */
export function quarantineKey(key: string, body: Buffer | string): string {
  return key.startsWith('sha256:') ? key : `${key}#sha256:${bodyDigest(body)}`;
}
