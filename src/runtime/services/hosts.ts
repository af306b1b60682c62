/**
 * Hosts of one deployment (SPEC 5): processes that share a Redis must share one record.
 *
 * - The record's id (created with it) is registered in the coordination store by the first process
 *   that uses it (compare-and-set on an absent entry: SET NX). A process whose record id differs is
 *   a split brain: `assertShared()` throws `records_not_shared`, the state store is fenced
 *   (fenced-state-store.ts), readiness is 503 and nothing is dispatched.
 * - The record is the truth and Redis may be flushed: a host that shares the record re-registers its
 *   id on its next check. A split-brain host never registers an absent id (after a flush it would
 *   race the real deployment); it takes over a registration only when no live host runs with the
 *   registered id (the mismatched process is gone) and no host has confirmed the registration for
 *   longer than the heartbeat TTL (hosts that share the record stamp `confirmed_at` every interval,
 *   so a restart of the deployment, with no host beating for a moment, is no opening), so fixing
 *   that process and restarting heals; a process on SQLite never takes over from a PostgreSQL record
 *   (the registration names its dialect), however long that record's hosts are down.
 * - `serve` and the console keep a heartbeat (`hosts` collection, one entry per `<hostname>:<pid>:<x>`,
 *   every 5 s); entries older than the TTL (20 s) are not listed and are pruned by any host's beat.
 */
import {
  RECORD_REGISTRATION_COLLECTION,
  RECORD_REGISTRATION_ID,
  registerRecordId,
} from '../stores/redis/record-registration.js';
import { randomBytes } from 'node:crypto';
import type { BatcherHealth } from './inngest/event-batcher.js';
import { hostname } from 'node:os';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import type { StateStore } from '../stores/state-store.js';

export type HostRole = 'serve' | 'console' | 'cli';

export interface HostBeat {
  /** `<hostname>:<pid>:<4 hex>`. */
  id: string;
  host: string;
  pid: number;
  role: HostRole;
  version: string;
  record_id: string;
  /** The record this host uses, without secrets (a file path or postgres://host:port/db). */
  record_location: string;
  started_at: string;
  last_seen: string;
  /** A `serve` host that sends events to Inngest: its backlog, and since when sending fails. */
  inngest_events?: HostEvents | undefined;
}

export interface HostEvents {
  pending: number;
  failing_since: string | null;
  last_error: string | null;
}

export interface RecordSharing {
  /** False only when another record's id is registered: a split brain. */
  shared: boolean;
  record_id: string;
  /** What the coordination store holds (null before the first check or when it could not be read). */
  registered_record_id: string | null;
  checked_at: string | null;
  /** The last check failed (Redis down): the previous verdict stands. */
  error: string | null;
}

/** Heartbeats, one state record per process; host-local (`caio migrate` never copies them). */
export const HOSTS_COLLECTION = 'hosts';

const registrationSchema = z
  .object({
    record_id: z.string().min(1),
    registered_at: z.string(),
    by: z.string(),
    /** The registered record's dialect (absent when written by an older caio or `caio migrate`). */
    dialect: z.enum(['postgres', 'sqlite']).optional(),
    /** Last stamped by a host that shares the record (absent: never since `registered_at`). */
    confirmed_at: z.string().optional(),
  })
  // Fields a newer caio adds survive this one's stamps.
  .passthrough();
const beatSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  role: z.enum(['serve', 'console', 'cli']),
  version: z.string(),
  record_id: z.string(),
  record_location: z.string().default(''),
  started_at: z.string(),
  last_seen: z.string(),
  inngest_events: z
    .object({ pending: z.number(), failing_since: z.string().nullable(), last_error: z.string().nullable() })
    .optional(),
});

export function recordsNotSharedMessage(recordId: string, registered: string | null): string {
  return `This process's record (${recordId}) is not the one registered in Redis (${registered ?? 'unknown'}): every process on this REDIS_URL must use the same record (DATABASE_URL) (records_not_shared)`;
}

export const RECORDS_NOT_SHARED_FIX =
  'Point DATABASE_URL at the PostgreSQL record the other hosts on this Redis use (or give this process its own REDIS_URL or STATE_REDIS_PREFIX), then restart it';

/** A split brain: configuration (exit 2), and 503 over HTTP (this host cannot serve; another can). */
export class RecordsNotSharedError extends UserError {
  constructor(recordId: string, registered: string | null) {
    super(recordsNotSharedMessage(recordId, registered), {
      kind: 'unavailable',
      exitCode: 2,
      code: 'records_not_shared',
      nextStep: RECORDS_NOT_SHARED_FIX,
    });
    this.name = 'RecordsNotSharedError';
  }
}

export interface HostRegistryDeps {
  /** The unfenced coordination store. */
  state: StateStore;
  record: { id: string; location: string; dialect?: 'postgres' | 'sqlite' };
  role: HostRole;
  version: string;
  now?: () => number;
  /** Heartbeat and re-check period (default 5000 ms). */
  intervalMs?: number;
  /** A heartbeat older than this is not live (default 20 000 ms). */
  ttlMs?: number;
  hostName?: string;
  pid?: number;
  /** false: only look (never register nor take over): `caio status`. Default true. */
  register?: boolean;
}

export interface HostRegistry {
  readonly recordId: string;
  /** The latest verdict (never waits). */
  sharing(): RecordSharing;
  /** Register or verify the record id now. */
  check(): Promise<RecordSharing>;
  /** Throws RecordsNotSharedError while this process is a split brain. */
  assertShared(): void;
  /** Write this process's heartbeat now. */
  beat(): Promise<void>;
  /** From now on each heartbeat carries what `events()` says of sending events to Inngest (serve). */
  reportEvents(events: () => BatcherHealth | undefined): void;
  /** Live hosts (heartbeat within the TTL), by id. */
  list(): Promise<HostBeat[]>;
  /** First beat and check, then both every interval (serve, console). */
  start(): Promise<void>;
  /** Stop beating and remove this host from the list. */
  stop(): Promise<void>;
}

export function createHostRegistry(deps: HostRegistryDeps): HostRegistry {
  const { state, role, version } = deps;
  const now = deps.now ?? Date.now;
  const intervalMs = deps.intervalMs ?? 5_000;
  const ttlMs = deps.ttlMs ?? 20_000;
  const host = deps.hostName ?? hostname();
  const pid = deps.pid ?? process.pid;
  // The suffix tells apart two runtimes of one process (tests, a console started twice).
  const id = `${host}:${pid}:${randomBytes(2).toString('hex')}`;
  const recordId = deps.record.id;
  const dialect =
    deps.record.dialect ?? (/^postgres(ql)?:/.test(deps.record.location) ? 'postgres' : 'sqlite');
  const startedAt = new Date(now()).toISOString();
  let current: RecordSharing = {
    shared: true,
    record_id: recordId,
    registered_record_id: null,
    checked_at: null,
    error: null,
  };
  let timer: NodeJS.Timeout | undefined;
  let beating = false;
  let events: (() => BatcherHealth | undefined) | undefined;
  let inFlight: Promise<RecordSharing> | undefined;
  /** Until the first verdict this process has not been found a split brain: it may register. */
  let verified = false;
  const mayRegister = deps.register ?? true;

  const readBeats = async (): Promise<{ live: HostBeat[]; stale: string[] }> => {
    const live: HostBeat[] = [];
    const stale: string[] = [];
    for (const entry of await state.listRecords(HOSTS_COLLECTION)) {
      const parsed = beatSchema.safeParse(entry.value);
      const seen = parsed.success ? Date.parse(parsed.data.last_seen) : Number.NaN;
      if (parsed.success && now() - seen <= ttlMs) live.push(parsed.data);
      else stale.push(entry.id);
    }
    return { live, stale };
  };

  const register = async (): Promise<string> => {
    const outcome = await registerRecordId(state, recordId, id, now, { dialect });
    // An unreadable entry names no other record.
    return outcome.registered === '' ? recordId : outcome.registered;
  };

  const verify = async (): Promise<RecordSharing> => {
    const stored = await state.getRecord(RECORD_REGISTRATION_COLLECTION, RECORD_REGISTRATION_ID);
    const parsed = registrationSchema.safeParse(stored?.value);
    let registered: string | null = parsed.success ? parsed.data.record_id : null;
    if (registered === null) {
      // Absent (first use, or Redis was flushed): a host that shares the record registers it again;
      // a split brain waits for the deployment to do so.
      if (mayRegister && (current.shared || !verified)) registered = await register();
    } else if (mayRegister && registered === recordId && parsed.success) {
      // Ours: stamp it as confirmed (at most once an interval), and name the dialect when `caio
      // migrate` or an older caio registered it without (the dialect guards the takeover below).
      const confirmed = Date.parse(parsed.data.confirmed_at ?? parsed.data.registered_at);
      if (!parsed.data.dialect || !(now() - confirmed < intervalMs)) {
        const cas = await state.compareAndSet(
          RECORD_REGISTRATION_COLLECTION,
          RECORD_REGISTRATION_ID,
          stored?.version ?? 0,
          {
            ...parsed.data,
            dialect: parsed.data.dialect ?? dialect,
            confirmed_at: new Date(now()).toISOString(),
          },
        );
        // Lost the compare-and-set: another host stamped it (still ours), or a takeover won (not ours
        // any more: say so now rather than at the next check).
        if (!cas.ok) {
          const latest = registrationSchema.safeParse(cas.current?.value);
          registered = latest.success ? latest.data.record_id : null;
        }
      }
    } else if (mayRegister && registered !== recordId && parsed.success) {
      // Another record is registered: take over only when no live host runs with it, and not while
      // a host of it confirmed it within the heartbeat TTL (a restart of that deployment; or
      // re-registered after a flush, its hosts have not beaten again yet).
      // A process on its own SQLite file never takes over a PostgreSQL record's registration: that
      // record's hosts being all down for a moment (a restart, a deploy) does not make the host that
      // forgot DATABASE_URL the deployment.
      const age = now() - Date.parse(parsed.data.confirmed_at ?? parsed.data.registered_at);
      const mayTakeOver = age > ttlMs && !(parsed.data.dialect === 'postgres' && dialect !== 'postgres');
      const { live } = mayTakeOver ? await readBeats() : { live: undefined };
      if (live && !live.some((beat) => beat.record_id === registered && beat.id !== id)) {
        const value = { record_id: recordId, registered_at: new Date(now()).toISOString(), by: id, dialect };
        const cas = await state.compareAndSet(
          RECORD_REGISTRATION_COLLECTION,
          RECORD_REGISTRATION_ID,
          stored?.version ?? 0,
          value,
        );
        if (cas.ok) registered = recordId;
        else {
          const latest = registrationSchema.safeParse(cas.current?.value);
          registered = latest.success ? latest.data.record_id : registered;
        }
      }
    }
    return {
      shared: registered === null ? current.shared : registered === recordId,
      record_id: recordId,
      // Absent (flushed) while refused: the id it was refused for still explains the refusal.
      registered_record_id: registered ?? current.registered_record_id,
      checked_at: new Date(now()).toISOString(),
      error: null,
    };
  };

  const check = () =>
    (inFlight ??= verify()
      .then((next) => {
        verified = true;
        return (current = next);
      })
      .catch((error: unknown) => (current = { ...current, error: errorMessage(error) }))
      .finally(() => {
        inFlight = undefined;
      }));

  const beat = async () => {
    const at = new Date(now()).toISOString();
    const value: HostBeat = {
      id,
      host,
      pid,
      role,
      version,
      record_id: recordId,
      record_location: deps.record.location,
      started_at: startedAt,
      last_seen: at,
    };
    const sending = events?.();
    if (sending)
      value.inngest_events = {
        pending: sending.pending,
        failing_since: sending.failingSince === null ? null : new Date(sending.failingSince).toISOString(),
        last_error: sending.lastError,
      };
    await state.putRecord(HOSTS_COLLECTION, id, value);
  };

  const tick = async () => {
    try {
      // Beat first: a registration is never visible without a live host behind it.
      await beat();
      if (current.shared) {
        const { stale } = await readBeats();
        for (const entry of stale) await state.deleteRecord(HOSTS_COLLECTION, entry);
      }
    } catch {
      // Redis down: readiness reports it; the next tick beats again.
    }
    await check();
  };

  return {
    recordId,
    sharing: () => current,
    check,
    assertShared() {
      if (!current.shared) throw new RecordsNotSharedError(recordId, current.registered_record_id);
    },
    beat,
    reportEvents(provider) {
      events = provider;
    },
    async list() {
      const { live } = await readBeats();
      return live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async start() {
      if (beating) return;
      beating = true;
      await tick();
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (!beating) return;
      beating = false;
      await inFlight?.catch(() => undefined);
      try {
        await state.deleteRecord(HOSTS_COLLECTION, id);
      } catch {
        // Redis down: the entry ages out.
      }
    },
  };
}
