/**
 * The record id registered in Redis (SPEC 5, "Hosts"): processes that share a Redis must share one
 * record. The first to connect registers its record's id (`record_meta.record_id`, see
 * `stores/record/tables/meta.ts` RECORD_ID_KEY) under this key; one whose record has another id is a
 * split brain. The key lives under STATE_REDIS_PREFIX (one registration per mode's state), has no TTL,
 * and after FLUSHALL the next process (or `caio migrate`) registers the id again from the record.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';

/** The suffix under STATE_REDIS_PREFIX: `caio:<mode>:state:record-id`. */
export const RECORD_ID_REDIS_SUFFIX = 'record-id';

export function recordIdRedisKey(config: Pick<Config, 'STATE_REDIS_PREFIX'>): string {
  return `${config.STATE_REDIS_PREFIX}:${RECORD_ID_REDIS_SUFFIX}`;
}

export type RegistrationOutcome =
  /** Redis had no record id: this one is registered now. */
  | { outcome: 'registered'; registered: string }
  /** Redis already holds this record id. */
  | { outcome: 'same'; registered: string }
  /** Redis holds another record's id: the processes on this Redis do not share this record. */
  | { outcome: 'different'; registered: string };

/** Register `recordId` unless one is registered (SET NX); says what Redis holds afterwards. */
export async function registerRecordId(
  client: Redis,
  key: string,
  recordId: string,
): Promise<RegistrationOutcome> {
  const set = await client.set(key, recordId, 'NX');
  if (set === 'OK') return { outcome: 'registered', registered: recordId };
  const registered = (await client.get(key)) ?? '';
  if (registered === recordId) return { outcome: 'same', registered };
  if (registered === '') {
    // Deleted between the two calls: try once more.
    return (await client.set(key, recordId, 'NX')) === 'OK'
      ? { outcome: 'registered', registered: recordId }
      : { outcome: 'different', registered: (await client.get(key)) ?? '' };
  }
  return { outcome: 'different', registered };
}

/** The record id Redis holds (undefined when none is registered). */
export async function registeredRecordId(client: Redis, key: string): Promise<string | undefined> {
  return (await client.get(key)) ?? undefined;
}
