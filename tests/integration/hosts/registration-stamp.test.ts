/**
 * The confirmation stamp of the record registration (services/hosts.ts) over a real embedded
 * coordination store: a host that shares the record stamps `confirmed_at`, keeps fields it does not
 * know, and when a takeover wins the race against its stamp it reports the split brain at once.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createHostRegistry } from '../../../src/runtime/services/hosts.js';
import { openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { createSqliteStateStore } from '../../../src/runtime/stores/sqlite/sqlite-state-store.js';
import type { StateStore } from '../../../src/runtime/stores/state-store.js';
import { useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();
const COLLECTION = 'record-registration';
const ID = 'record_id';

function store(): StateStore {
  const db = openDatabase(join(tempDir(), 'coordination.db'));
  return createSqliteStateStore(db, { CONTEXT_STATE_TTL_SECONDS: 7200 });
}

const registry = (state: StateStore, now: () => number) =>
  createHostRegistry({
    state,
    record: { id: 'rec-a', location: '/srv/a/caio.db', dialect: 'sqlite' },
    role: 'serve',
    version: 'test',
    now,
    intervalMs: 1_000,
    ttlMs: 4_000,
  });

it('stamps confirmed_at on its own registration and keeps fields it does not know', async () => {
  const state = store();
  let clock = Date.parse('2026-11-30T06:00:00Z');
  await state.putRecord(COLLECTION, ID, {
    record_id: 'rec-a',
    registered_at: '2026-11-30T05:00:00.000Z',
    by: 'caio migrate',
    dialect: 'sqlite',
    from_a_newer_caio: 'kept',
  });
  const hosts = registry(state, () => clock);
  expect(await hosts.check()).toMatchObject({ shared: true });
  const stamped = await state.getRecord<Record<string, unknown>>(COLLECTION, ID);
  expect(stamped?.value).toMatchObject({
    record_id: 'rec-a',
    confirmed_at: '2026-11-30T06:00:00.000Z',
    from_a_newer_caio: 'kept',
  });
  // Within the interval: no second write.
  clock += 500;
  await hosts.check();
  expect((await state.getRecord(COLLECTION, ID))?.version).toBe(stamped?.version);
});

it('reports the split brain at once when a takeover wins the race against its stamp', async () => {
  const real = store();
  await real.putRecord(COLLECTION, ID, {
    record_id: 'rec-a',
    registered_at: '2026-11-30T05:00:00.000Z',
    by: 'host-a',
    dialect: 'sqlite',
  });
  // Between this host's read and its stamp, another host takes the registration over.
  let raced = false;
  const state: StateStore = Object.create(real) as StateStore;
  state.compareAndSet = async (collection, id, version, value) => {
    if (!raced && collection === COLLECTION) {
      raced = true;
      await real.putRecord(COLLECTION, ID, {
        record_id: 'rec-b',
        registered_at: '2026-11-30T06:00:00.000Z',
        by: 'host-b',
        dialect: 'sqlite',
      });
    }
    return real.compareAndSet(collection, id, version, value);
  };
  const hosts = registry(state, () => Date.parse('2026-11-30T06:00:00Z'));
  expect(await hosts.check()).toMatchObject({ shared: false, registered_record_id: 'rec-b' });
});
