/**
 * The runtime container: builds every service once, with its stores injected, for `caio serve`, the
 * console and one-shot commands alike. No module-level state: tests build their own runtime over a
 * temp HIVE_DIR and a private Redis.
 *
 * Each subsystem adds its service here (field + one construction line) and registers its cleanup.
 */
import { VERSION } from '../../cli/version.js';
import { secretValues, traceFilePath, type Config } from '../config.js';
import { fencedStateStore } from '../stores/fenced-state-store.js';
import { createRecordStore, type RecordStore } from '../stores/record/record.js';
import { createStateStore } from '../stores/select-store.js';
import {
  coordinationPath,
  databasePath,
  openDatabase,
  type SqliteDatabase,
} from '../stores/sqlite/database.js';
import type { StateStore } from '../stores/state-store.js';
import { createAuditService, type AuditService } from './audit.js';
import type { Gatekeeper } from './gatekeeper.js';
import { createHostRegistry, type HostRegistry, type HostRole } from './hosts.js';
import { createLeadService, type LeadService } from './leads.js';
import type { PipelineService } from './pipeline.js';
import { createCampaignService, type CampaignService } from './campaigns.js';
import type { Notifier } from './notifier.js';
import type { MeetingPrep } from './meeting-prep.js';
import { createMeetingPrepService } from './meeting-prep-wiring.js';
import { createStateNotifier } from './notifier-wiring.js';
import { createPipeline } from './pipeline-wiring.js';
import { createOutboundServices, type RampService } from './outbound-wiring.js';
import type { QueueService } from './queue.js';
import { createOperatorsService, type OperatorsService } from './operators.js';
import { createReplayService, type ReplayService } from './replay.js';
import { createReplayStore, type ReplayStore } from '../stores/replay-store.js';
import { defaultGoldenSetDir } from './rubric-config.js';
import { createScorecardService, type ScorecardService } from './scorecard.js';
import { createTraceWriter, type TraceWriter } from './traces.js';
import { withChangeEvents } from './change-events.js';
import { createEventBus, type EventBus } from './events.js';
import { replaySummary, tracedOutbound } from './traced-services.js';
import { traceMethods } from './traced.js';
import { createWebhookStore, type WebhookStore } from '../stores/webhook-store.js';

export interface Runtime {
  config: Config;
  /** The record (SPEC 5): SQLite in HIVE_DIR/caio.db, or PostgreSQL at DATABASE_URL. Everything durable. */
  record: RecordStore;
  /** Legacy: the record's SQLite connection, or with PostgreSQL a local HIVE_DIR/caio.db (release, replay runs). */
  db: SqliteDatabase;
  /** The hash-chained audit trail in the record (one chain for every host); prefer `tx.audit.append` inside the change's transaction. */
  audit: AuditService;
  /**
   * Queue/batch/dedup state, locks, claims, limits: Redis or embedded per REDIS_URL (health() says
   * which). Fenced: while this process is a split brain (`hosts`), every shared write is refused.
   */
  state: StateStore;
  /** This process among the hosts sharing the record and Redis: record-id check, heartbeats, list. */
  hosts: HostRegistry;
  /** Webhook events in the record (group commit: durable, with their suppressions, before the 2xx). */
  webhooks: WebhookStore;
  /** Trace envelopes (TRACE_ENVELOPE_FILE): record/span, withCorrelationId/currentCorrelationId. */
  traces: TraceWriter;
  /** Approval queue (SPEC 7): intake, decisions, dedup/suppression, metrics. */
  queue: QueueService;
  /** Leads from RB2B/Clay: `upsertLead(lead, source)`. */
  leads: LeadService;
  /** Gatekeeper batches, dispatch and ramp (SPEC 8). */
  gatekeeper: Gatekeeper;
  /** Send ramp: `status()`, `graduate(actor, confirmed)`, `recordIncident(actor, note)`. */
  ramp: RampService;
  /** Replay gate (SPEC 9): `runGate()` runs and stores a run in the record; `last()`, `history({since, until})`. */
  replay: ReplayService;
  /** Stored replay runs and baselines in the record: `latest()`, `list({limit, since, until})`, `baseline(set)`. */
  replays: ReplayStore;
  /** Leads -> drafts (SPEC 13): `run({mode, source, limit, actor})`, `checkTemplates()`. */
  pipeline: PipelineService;
  /** Instantly campaign pause/resume (SPEC 13), audited. */
  campaigns: CampaignService;
  /** Incidents posted to NOTIFY_WEBHOOK_URL once each (SPEC 13): `raise`, `open()`, `resolve(kind)`. */
  notifier: Notifier;
  /** Call briefs for interested/booked leads (SPEC 13): `prepare(email, trigger)`, `publishApproved()`. */
  meetingPrep: MeetingPrep;
  /** Weekly scorecard (SPEC 9): `weekly(week?)`, `signOff({week, by, role?, note, force})` (pto/admin, once a week, audited). */
  scorecard: ScorecardService;
  /** Operators and roles (SPEC 12): add/list/revoke/rotate, and the token resolver of the HTTP layer. */
  operators: OperatorsService;
  /** Change events for live consoles (`/api/events`): Redis pub/sub with REDIS_URL, else in-process. */
  events: EventBus;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /**
   * Who this process is (default `cli`). `serve` and `console` keep a heartbeat; `serve` stays up as a
   * split brain (fenced, readiness 503 `records_not_shared`); the others refuse to start as one.
   */
  role?: HostRole;
  /**
   * Start even as a split brain, fenced, and never register the record id nor take a registration
   * over (`caio status`: it only reports). Default: only `serve` starts as a split brain.
   */
  allowSplitBrain?: boolean;
  /** Heartbeat and record-id re-check period (default 5000 ms). */
  heartbeatIntervalMs?: number;
  /** A heartbeat older than this is not live (default 20 000 ms). */
  heartbeatTtlMs?: number;
  /** Clock for services that need one (tests pass a fixed one). */
  now?: () => number;
  /** Overrides GATEKEEPER_TWO_PERSON_RULE (whoever triggers an outbound --live run may not execute its batch). */
  twoPersonRule?: boolean;
  /** Where an undelivered notification is logged once (default: one JSON line on stderr). */
  notifyLogger?: { warn(details: Record<string, unknown>, message: string): void };
  /** Notification retry timing (tests). */
  notifyRetry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
}

const stderrLogger = {
  warn(details: Record<string, unknown>, message: string) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...details })}\n`);
  },
};

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const record = await createRecordStore(config, options.now ? { now: options.now } : {});
  cleanups.push(() => record.close());
  // Transition: code not yet on the record shares the record's SQLite connection (or, with
  // PostgreSQL, keeps its legacy tables in HIVE_DIR/caio.db).
  const shared = record.db.sqlite;
  const db = shared ?? openDatabase(databasePath(config.HIVE_DIR));
  if (!shared)
    cleanups.push(() => {
      db.close();
    });
  // Embedded coordination (no REDIS_URL) has its own file: it is never the only copy of anything.
  const coordinationDb = openDatabase(coordinationPath(config.HIVE_DIR));
  cleanups.push(() => {
    coordinationDb.close();
  });
  const audit = createAuditService(record);
  const webhooks = createWebhookStore(record, options.now ? { now: options.now } : {});
  cleanups.push(() => webhooks.close());
  const rawState = await createStateStore(config, { db: coordinationDb }).catch(async (error: unknown) => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw error;
  });
  cleanups.push(() => rawState.close());
  const role = options.role ?? 'cli';
  const hosts = createHostRegistry({
    state: rawState,
    record: { id: record.db.id, location: record.db.location, dialect: record.db.dialect },
    role,
    version: VERSION,
    ...(options.now ? { now: options.now } : {}),
    ...(options.heartbeatIntervalMs ? { intervalMs: options.heartbeatIntervalMs } : {}),
    ...(options.heartbeatTtlMs ? { ttlMs: options.heartbeatTtlMs } : {}),
    ...(options.allowSplitBrain && role !== 'serve' ? { register: false } : {}),
  });
  const state = fencedStateStore(rawState, () => hosts.assertShared());
  try {
    if (role === 'cli') await hosts.check();
    else await hosts.start();
    if (!(options.allowSplitBrain ?? role === 'serve')) hosts.assertShared();
  } catch (error) {
    await hosts.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw error;
  }
  cleanups.push(() => hosts.stop());
  const replays = createReplayStore(record);
  const traces = createTraceWriter({
    file: traceFilePath(config),
    enabled: config.TRACE_ENVELOPE_ENABLED,
    secrets: secretValues(config),
    // Lines within 20 ms share one append: a busy server pays no file write per request.
    flushDelayMs: 20,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => traces.close());
  const replay = traceMethods(
    createReplayService({ store: replays, minPassRate: config.REPLAY_MIN_PASS_RATE, now: options.now }),
    traces,
    { runGate: { tool: 'replay.run', output: replaySummary } },
  );
  const events = createEventBus({
    redisUrl: config.REDIS_URL,
    channel: `${config.STATE_REDIS_PREFIX}:events`,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => events.close());
  const traced = withChangeEvents(
    tracedOutbound(
      createOutboundServices(
        { config, record, state, audit, traces },
        { now: options.now, twoPersonRule: options.twoPersonRule ?? config.GATEKEEPER_TWO_PERSON_RULE },
      ),
      traces,
    ),
    events,
  );
  // A split brain dispatches nothing: execute is refused before it reads or locks anything.
  const outbound = {
    ...traced,
    gatekeeper: {
      ...traced.gatekeeper,
      execute: async (...args: Parameters<Gatekeeper['execute']>) => {
        hosts.assertShared();
        return traced.gatekeeper.execute(...args);
      },
    },
  };

  const leads = createLeadService({ record });
  const notifier = createStateNotifier(state, {
    url: config.NOTIFY_WEBHOOK_URL,
    logger: options.notifyLogger ?? stderrLogger,
    ...(options.now ? { now: options.now } : {}),
    ...options.notifyRetry,
  });
  // Before the stores close: give background notifications a bounded chance to land.
  cleanups.push(() => notifier.drain(5_000));

  let closed = false;
  return {
    config,
    record,
    db,
    audit,
    state,
    hosts,
    webhooks,
    traces,
    replay,
    replays,
    operators: createOperatorsService({ record, ...(options.now ? { now: options.now } : {}) }),
    scorecard: createScorecardService({
      replays,
      goldenSet: defaultGoldenSetDir(),
      queue: outbound.queue,
      sentLog: { rampDays: (sinceDay) => record.ramp.days(sinceDay) },
      record,
      now: options.now,
    }),
    ...outbound,
    pipeline: createPipeline({ ...outbound, leads, record, state, webhooks, audit, traces }),
    campaigns: createCampaignService({ config, audit }),
    notifier,
    meetingPrep: createMeetingPrepService({
      config,
      state,
      webhooks,
      audit,
      now: options.now,
      ...outbound,
      leads,
    }),
    leads,
    events,
    async close() {
      if (closed) return;
      closed = true;
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}
