/**
 * The record id registered in the coordination store (SPEC 5, "Hosts"): processes that share a Redis
 * must share one record. The registration is one state record, collection `record-registration`, id
 * `record_id`, value `{record_id, registered_at, by}` (the record's `record_meta.record_id`, see
 * `stores/record/tables/meta.ts` RECORD_ID_KEY), written compare-and-set on an absent entry; in Redis
 * it lives in the hash `<STATE_REDIS_PREFIX>:rec:record-registration`. The hosts service
 * (`services/hosts.ts`) reads and writes the same entry; `caio migrate` seeds it from the record.
 * Host-local collections (heartbeats, the registration) are never copied from an embedded
 * coordination store into a shared Redis.
 */
import { z } from 'zod';
import type { StateStore } from '../state-store.js';

export const RECORD_REGISTRATION_COLLECTION = 'record-registration';
export const RECORD_REGISTRATION_ID = 'record_id';
/** Facts of one machine's processes: heartbeats (`hosts`) and the registration itself. */
export const HOST_LOCAL_COLLECTIONS: readonly string[] = ['hosts', RECORD_REGISTRATION_COLLECTION];

const registrationSchema = z.object({ record_id: z.string().min(1) }).passthrough();

export type RegistrationOutcome =
  /** No record id was registered: this one is registered now. */
  | { outcome: 'registered'; registered: string }
  /** This record id is registered already. */
  | { outcome: 'same'; registered: string }
  /** Another record's id is registered: the processes on this Redis do not share this record. */
  | { outcome: 'different'; registered: string };

type RegistrationStore = Pick<StateStore, 'getRecord' | 'compareAndSet'>;

/** The record id the store holds (undefined when none, or unreadable). */
export async function registeredRecordId(store: RegistrationStore): Promise<string | undefined> {
  const stored = await store.getRecord(RECORD_REGISTRATION_COLLECTION, RECORD_REGISTRATION_ID);
  const parsed = registrationSchema.safeParse(stored?.value);
  return parsed.success ? parsed.data.record_id : undefined;
}

/**
 * Register `recordId` unless one is registered (compare-and-set on an absent entry). `extra` joins
 * the value (the hosts service names the record's dialect).
 */
export async function registerRecordId(
  store: RegistrationStore,
  recordId: string,
  by: string,
  now: () => number = Date.now,
  extra: Record<string, unknown> = {},
): Promise<RegistrationOutcome> {
  const value = { ...extra, record_id: recordId, registered_at: new Date(now()).toISOString(), by };
  const cas = await store.compareAndSet(RECORD_REGISTRATION_COLLECTION, RECORD_REGISTRATION_ID, 0, value);
  if (cas.ok) return { outcome: 'registered', registered: recordId };
  const parsed = registrationSchema.safeParse(cas.current?.value);
  const registered = parsed.success ? parsed.data.record_id : '';
  return registered === recordId ? { outcome: 'same', registered } : { outcome: 'different', registered };
}
