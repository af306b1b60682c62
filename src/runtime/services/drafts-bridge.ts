/**
 * Transition bridge: code that still reads and writes drafts as the `drafts` collection of the state
 * store (the Gatekeeper, until it calls the record's drafts repository) gets a state store whose
 * `drafts` collection IS the record. Every other collection and primitive passes through unchanged.
 * Remove once nothing reads `DRAFTS` from the state store.
 */
import type { DraftSchema } from '../domain/queue/draft.js';
import type { RecordStore } from '../stores/record/record.js';
import type { StoredDraft } from '../stores/record/tables/drafts.js';
import type { CasResult, StateStore, StoredRecord } from '../stores/state-store.js';
import { DRAFTS } from './queue.js';

type Draft = ReturnType<typeof DraftSchema.parse>;

const asRecord = (stored: StoredDraft): StoredRecord => ({
  id: stored.draft.id,
  value: stored.draft,
  version: stored.version,
});

export function draftsFromRecord(state: StateStore, record: RecordStore): StateStore {
  const routed: Partial<StateStore> = {
    async getRecord<T>(collection: string, id: string) {
      if (collection !== DRAFTS) return state.getRecord<T>(collection, id);
      const stored = await record.drafts.get(id);
      return stored ? (asRecord(stored) as StoredRecord<T>) : undefined;
    },
    async getRecords<T>(collection: string, ids: readonly string[]) {
      if (collection !== DRAFTS) return state.getRecords<T>(collection, ids);
      const found = new Map<string, StoredRecord<T>>();
      for (const [id, stored] of await record.drafts.getMany(ids))
        found.set(id, asRecord(stored) as StoredRecord<T>);
      return found;
    },
    async listRecords<T>(collection: string) {
      if (collection !== DRAFTS) return state.listRecords<T>(collection);
      // The Gatekeeper lists drafts only to preview the approved ones.
      const rows = await record.drafts.forPreview({});
      return rows.map(
        (row) => ({ id: row.draft.id, value: row.draft, version: row.version }) as StoredRecord<T>,
      );
    },
    async compareAndSet<T>(
      collection: string,
      id: string,
      expected: number,
      value: T,
    ): Promise<CasResult<T>> {
      if (collection !== DRAFTS) return state.compareAndSet(collection, id, expected, value);
      const result = await record.transaction(async (tx) => {
        const current = await tx.drafts.get(id);
        if (!current || current.version !== expected) return { ok: false as const, current };
        const cas = await tx.drafts.compareAndSet(current, value as Draft);
        return cas.ok
          ? { ok: true as const, stored: { draft: cas.draft, version: cas.version } }
          : { ok: false as const, current: cas.reason === 'conflict' ? cas.current : current };
      });
      if (result.ok) return { ok: true, record: asRecord(result.stored) as StoredRecord<T> };
      return {
        ok: false,
        current: result.current ? (asRecord(result.current) as StoredRecord<T>) : undefined,
      };
    },
  };
  return new Proxy(state, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in routed) return routed[prop as keyof StateStore];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
