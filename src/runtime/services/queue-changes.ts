/**
 * The queue's change counter: a store wrapper that bumps one counter after every successful write to
 * the drafts collection, so a reader (the console) can poll one number instead of re-reading pages.
 * Shared by every process on the same store (the CLI's `caio queue undo` shows in an open console).
 */
import type { StateStore } from '../stores/state-store.js';

export const QUEUE_CHANGES = 'queue:changes';

export interface CountedStore {
  state: StateStore;
  /** Run `fn` counting its writes as one change (a batch of an import). */
  asOneChange<T>(fn: () => Promise<T>): Promise<T>;
}

export function countDraftWrites(state: StateStore, collection: string): CountedStore {
  let paused = 0;
  let missed = false;
  const bump = async () => {
    if (paused > 0) missed = true;
    else await state.increment(QUEUE_CHANGES, 1);
  };
  const counted: Partial<StateStore> = {
    async putRecord<T>(c: string, id: string, value: T) {
      const record = await state.putRecord(c, id, value);
      if (c === collection) await bump();
      return record;
    },
    async compareAndSet<T>(c: string, id: string, expected: number, value: T) {
      const result = await state.compareAndSet(c, id, expected, value);
      if (result.ok && c === collection) await bump();
      return result;
    },
    async deleteRecord(c: string, id: string) {
      const deleted = await state.deleteRecord(c, id);
      if (deleted && c === collection) await bump();
      return deleted;
    },
  };
  const proxy = new Proxy(state, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in counted) return counted[prop as keyof StateStore];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    state: proxy,
    async asOneChange(fn) {
      paused += 1;
      try {
        return await fn();
      } finally {
        paused -= 1;
        if (paused === 0 && missed) {
          missed = false;
          await state.increment(QUEUE_CHANGES, 1);
        }
      }
    },
  };
}
