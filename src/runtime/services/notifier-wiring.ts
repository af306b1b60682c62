/**
 * The notifier's storage over today's StateStore: incident records in the `incidents` collection
 * (compare-and-set updates), the once-per-incident claim from `claimOnce`. Re-pointed at the record
 * layer later; the notifier itself does not change.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { INCIDENT_KINDS, noGoIncident } from '../domain/notifications/incident.js';
import type { StateStore } from '../stores/state-store.js';
import {
  createNotifier,
  type IncidentRecord,
  type IncidentStore,
  type Notifier,
  type NotifierDeps,
} from './notifier.js';

export const INCIDENTS = 'incidents';

const IncidentRecordSchema = z.object({
  key: z.string(),
  kind: z.enum(INCIDENT_KINDS),
  title: z.string(),
  text: z.string(),
  opened_at: z.string(),
  delivery: z.enum(['sending', 'sent', 'failed', 'not_configured']),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  notified_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
});

export function incidentStoreOver(state: StateStore): IncidentStore {
  return {
    async create(record) {
      return (await state.compareAndSet(INCIDENTS, record.key, 0, record)).ok;
    },
    async update(key, patch) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await state.getRecord(INCIDENTS, key);
        const parsed = current ? IncidentRecordSchema.safeParse(current.value) : undefined;
        if (!current || !parsed?.success) return;
        const cas = await state.compareAndSet(INCIDENTS, key, current.version, { ...parsed.data, ...patch });
        if (cas.ok) return;
      }
    },
    async list() {
      const records = await state.listRecords(INCIDENTS);
      return records.flatMap((record): IncidentRecord[] => {
        const parsed = IncidentRecordSchema.safeParse(record.value);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}

export function createStateNotifier(
  state: StateStore,
  options: Omit<NotifierDeps, 'store' | 'claim' | 'owner'> & { owner?: string },
): Notifier {
  return createNotifier({
    ...options,
    store: incidentStoreOver(state),
    claim: state,
    owner: options.owner ?? `${hostname()}:${process.pid}`,
  });
}

/** The release service's `onDecision`: a NO-GO raises an incident, a GO closes the open ones. */
export function onReleaseDecision(
  notifier: Pick<Notifier, 'raise' | 'resolve'>,
  now: () => number = Date.now,
): (run: {
  id: number;
  release_id: string;
  env: string;
  decision: string;
  reasons: readonly string[];
}) => void {
  return (run) => {
    if (run.decision === 'NO-GO')
      notifier.raise(
        noGoIncident({ runId: run.id, releaseId: run.release_id, env: run.env, reasons: run.reasons }, now()),
      );
    else void notifier.resolve('release_no_go').catch(() => undefined);
  };
}
