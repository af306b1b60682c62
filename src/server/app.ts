/**
 * The HTTP app: one request listener over the route table, plus the background services it owns
 * (readiness loop, webhook processor, Inngest functions, in-process scheduler). `startServer` binds
 * it to a port; the console and `caio serve` both go through that.
 *
 * Order for every request: route match (404/405) -> CORS headers -> OPTIONS preflight (204, before
 * auth) -> dashboard token for `token` routes (401/429) -> handler -> JSON answer. Every failure is
 * `{code, message}`; a bug is a 500 with the correlation id, never a stack trace.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { VERSION } from '../cli/version.js';
import { traceArchivePath, traceFilePath } from '../runtime/config.js';
import { credentialProblem } from '../runtime/domain/env-rules.js';
import { isStandardWebhooksSecret, secretMatcher } from '../runtime/domain/webhooks/signatures.js';
import { SECRET_VARIABLE, WEBHOOK_SOURCES } from '../runtime/domain/webhooks/sources.js';
import { pruneTraces } from '../runtime/services/traces.js';
import { canSendEvents, createInngestRuntime } from '../runtime/services/inngest/client.js';
import {
  cronJobs,
  createScheduler,
  type ScheduledJob,
  type Scheduler,
} from '../runtime/services/inngest/scheduler.js';
import { createReadiness, type DependencySnapshot } from '../runtime/services/readiness.js';
import { RECORDS_NOT_SHARED_FIX, recordsNotSharedMessage } from '../runtime/services/hosts.js';
import { dependencyIncident } from '../runtime/domain/notifications/incident.js';
import { createWebhookProcessor } from '../runtime/services/webhook-processor.js';
import { createWebhookStore } from '../runtime/stores/webhook-store.js';
import { clientAddress, createAuthGuard, type RequestIdentity } from './auth.js';
import type { Notifier } from '../runtime/services/notifier.js';
import { apiForbiddenMessage, roleAllows, rolesFor, type Capability } from '../runtime/domain/operators.js';
import type { RouteRole } from './types.js';

const UNAUTHENTICATED: RequestIdentity = { via: 'open', name: 'api', role: 'viewer' };
const ROLE_CAPABILITY: Record<RouteRole, Capability> = {
  reviewer: 'decide',
  approver: 'dispatch',
  pto: 'release',
  admin: 'admin',
};
import type { ReleasePort } from '../screens/services.js';
import { createEventBus } from '../runtime/services/events.js';
import { createEventStreams, type EventStreamOptions } from './event-stream.js';
import { createBodyGate, type BodyGateOptions } from './body-gate.js';
import { createCors } from './cors.js';
import { errorReply } from './error-reply.js';
import { createRefusalLog } from './refusal-log.js';
import { DEFAULT_BODY_LIMIT_BYTES, HttpError, header, parseJson, readBody, sendJson } from './http.js';
import type { HttpRuntime, HttpServices, TracesPort } from './ports.js';
import { createRouter } from './router.js';
import { ROUTES } from './routes/index.js';
import type { JsonReply, Route, RouteContext } from './types.js';

export interface HttpAppOptions {
  logger?: Logger | undefined;
  now?: () => number;
  version?: string;
  /** Largest accepted request body (default 1 MiB; a route may set its own): 413 beyond. */
  bodyLimitBytes?: number;
  /** Request bodies read at the same time, and the bytes they may hold together: 503 beyond. */
  bodyGate?: BodyGateOptions;
  /** Failed-auth rate limit per client address. */
  authFailureLimit?: number;
  authFailureWindowSeconds?: number;
  readinessIntervalMs?: number;
  /** Run the in-process scheduler and the stored-webhook sweep (default true). */
  background?: boolean;
  /** How accepted webhooks are batched to Inngest's event API (tests shorten the backoff). */
  inngestBatching?: Parameters<typeof createInngestRuntime>[3];
  /** Refused-request log lines per window (default 20 per 10 s). */
  refusalLog?: { perWindow?: number; windowMs?: number };
  /** `/api/events` keep-alive and per-client buffer bound (tests shorten them). */
  events?: Pick<EventStreamOptions, 'keepAliveMs' | 'maxBufferedBytes' | 'watchMs'>;
  /** The release ritual per acting operator (`/api/release*`); the host wires it (serve, console). */
  releaseFor?: (actor: string) => ReleasePort;
  /** Replace the route table (tests). */
  routes?: readonly Route[];
}

export interface HttpApp {
  /** The node:http request listener. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  routes: readonly Route[];
  services: HttpServices;
  scheduler: Scheduler;
  /** First readiness probe, scheduler, sweep of events left `stored` by a previous process. */
  start(): Promise<void>;
  /** End every `/api/events` stream (before the server drains its connections). */
  endStreams(): void;
  /** Stop background work, commit pending webhook rows. Does not close the runtime. */
  close(): Promise<void>;
}

const CORRELATION_ID = /^[\w.:-]{1,128}$/;
/** What a split-brain host still answers: its health, so the operator and the balancer can see why. */
const SPLIT_BRAIN_ANSWERS = new Set(['/api/health', '/api/health/ready', '/api/runtime/dependencies']);

/** A required dependency that is unhealthy raises an incident; all healthy again closes them. */
function notifyDependencies(notifier: Notifier, snapshot: DependencySnapshot, now: number): void {
  const down = [
    ...(!snapshot.record || snapshot.record.healthy ? [] : [['record', snapshot.record.error] as const]),
    ...(snapshot.redis.required && !snapshot.redis.healthy ? [['redis', snapshot.redis.error] as const] : []),
    ...(snapshot.inngest.required && !snapshot.inngest.healthy
      ? [['inngest', snapshot.inngest.error] as const]
      : []),
  ];
  for (const [name, error] of down) notifier.raise(dependencyIncident(name, error, now));
  if (down.length === 0) void notifier.resolve('dependency_unhealthy').catch(() => undefined);
}

export function createHttpApp(runtime: HttpRuntime, options: HttpAppOptions = {}): HttpApp {
  const { config } = runtime;
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const bodyGate = createBodyGate(options.bodyGate);
  const ownStore = runtime.webhooks === undefined;
  const webhooks = runtime.webhooks ?? createWebhookStore(runtime.record, { now });

  const { state, queue, leads, replay, notifier, meetingPrep } = runtime;
  const traceWriter = runtime.traces;
  // Retention prunes the trace file itself (services/traces.ts), with or without a trace writer.
  const traces: TracesPort = {
    ...(traceWriter ? { withCorrelationId: traceWriter.withCorrelationId.bind(traceWriter) } : {}),
    prune: (days?: number) =>
      pruneTraces(traceFilePath(config), days ?? config.TRACE_RETENTION_DAYS, now(), {
        archiveDir: traceArchivePath(config),
      }),
  };

  // Deliveries go to Inngest when events can be sent, else to the processor's in-process worker.
  // (The processor needs the Inngest sender, the Inngest functions need the processor.)
  const sender: { send?: ((id: number, correlationId?: string) => Promise<void>) | undefined } = {};
  const processor = createWebhookProcessor({
    store: webhooks,
    queue,
    leads,
    prep: meetingPrep,
    logger,
    traces: traceWriter,
    dispatch: canSendEvents(config)
      ? (id, correlationId) =>
          sender.send?.(id, correlationId) ?? Promise.reject(new Error('Inngest is not ready'))
      : undefined,
  });
  const jobDeps = { config, processor, queue, traces, replay, notifier, meetingPrep, now };
  const inngest = createInngestRuntime(config, jobDeps, logger, options.inngestBatching);
  sender.send = inngest.sendWebhookReceived;

  const hosts = runtime.hosts;
  // `caio status` on any host names a host whose events to Inngest are failing (its heartbeat says so).
  hosts?.reportEvents(inngest.delivery);
  const sharedBus = runtime.events;
  const events = sharedBus ?? createEventBus({ now });
  const streams = createEventStreams(events, {
    ...options.events,
    // Without Redis, another process on the same record (the CLI) is heard through the change token.
    changeToken: config.REDIS_URL || !queue?.changeToken ? undefined : queue.changeToken.bind(queue),
  });
  let lastHealth: string | undefined;
  const onHealth = (snapshot: DependencySnapshot) => {
    const health = {
      ready: snapshot.ready,
      redis: snapshot.redis.healthy,
      inngest: snapshot.inngest.healthy,
      webhooks: snapshot.webhooks.healthy,
    };
    const key = JSON.stringify(health);
    if (lastHealth !== undefined && key !== lastHealth) events.publish('health', health, { localOnly: true });
    lastHealth = key;
  };

  const readiness = createReadiness({
    config,
    state,
    record: runtime.record,
    hosts,
    inngest: { mode: inngest.mode, functionCount: inngest.functionCount, delivery: inngest.delivery },
    now,
    onSnapshot: (snapshot) => {
      onHealth(snapshot);
      if (notifier) notifyDependencies(notifier, snapshot, now());
    },
    ...(options.readinessIntervalMs ? { intervalMs: options.readinessIntervalMs } : {}),
  });

  const services: HttpServices = {
    config,
    version: options.version ?? VERSION,
    startedAt: now(),
    now,
    readiness,
    webhookSecretProblems: Object.fromEntries(
      WEBHOOK_SOURCES.flatMap((source) => {
        const secret = config[SECRET_VARIABLE[source]];
        const problem = secret ? credentialProblem(SECRET_VARIABLE[source], secret) : undefined;
        return problem ? [[source, problem]] : [];
      }),
    ),
    webhookSecrets: Object.fromEntries(
      WEBHOOK_SOURCES.flatMap((source) => {
        const secret = config[SECRET_VARIABLE[source]];
        return secret && !isStandardWebhooksSecret(secret) ? [[source, secretMatcher(secret)]] : [];
      }),
    ),
    webhooks,
    processor,
    inngest,
    state,
    queue,
    leads,
    gatekeeper: runtime.gatekeeper,
    scorecard: runtime.scorecard,
    traces,
    replay,
    campaigns: runtime.campaigns,
    pipeline: runtime.pipeline,
    meetingPrep,
    notifier,
    hosts,
    events,
    streams,
    releaseFor: options.releaseFor,
  };

  const sweep: ScheduledJob = {
    name: 'webhook-sweep',
    cron: '* * * * *',
    quiet: true,
    run: () => processor.processPending(),
  };
  const scheduler = createScheduler({
    jobs: inngest.mode === 'embedded' ? [...cronJobs(jobDeps), sweep] : [sweep],
    logger,
    now,
  });

  const routes = options.routes ?? ROUTES;
  const router = createRouter(routes);
  const cors = createCors(config);
  const guard = createAuthGuard({
    config,
    state,
    operators: runtime.operators,
    now,
    ...(options.authFailureLimit ? { failureLimit: options.authFailureLimit } : {}),
    ...(options.authFailureWindowSeconds ? { windowSeconds: options.authFailureWindowSeconds } : {}),
  });

  const refusals = createRefusalLog(logger, options.refusalLog);
  const logRefusal = (
    req: IncomingMessage,
    method: string,
    pathname: string,
    status: number,
    reason: string,
  ) => {
    if (status !== 401 && status !== 403 && status !== 429) return;
    refusals.refused({
      client: clientAddress(req, config.TRUST_PROXY_HOPS),
      method,
      route: pathname.slice(0, 200),
      status,
      reason,
    });
  };

  /** One envelope for a traced route (webhook intake): the answer's status decides success/blocked/error. */
  const traceRoute = (
    traced: { tool: string; method: string; started: number },
    pathname: string,
    correlationId: string,
    reply: JsonReply,
  ) => {
    const body = (reply.body ?? {}) as { id?: unknown; code?: unknown; message?: unknown };
    const failed = reply.status >= 400;
    traceWriter?.record?.({
      tool_name: traced.tool,
      correlation_id: correlationId,
      case_id: typeof body.id === 'number' || typeof body.id === 'string' ? String(body.id) : null,
      status: reply.status >= 500 ? 'error' : failed ? 'blocked' : 'success',
      // Plain strings: cheap to summarise on the intake hot path (no object walk).
      input: `${traced.method} ${pathname}`,
      output: `HTTP ${reply.status}${body.id === undefined ? '' : ` id=${String(body.id)}`}${typeof body.code === 'string' ? ` ${body.code}` : ''}`,
      duration_ms: performance.now() - traced.started,
      ...(failed
        ? { error_code: String(body.code ?? reply.status), error_message: String(body.message ?? '') }
        : {}),
    });
  };

  const dispatch = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const pathname = mark === -1 ? url : url.slice(0, mark);
    const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
    const given = header(req, 'x-correlation-id');
    const correlationId = given && CORRELATION_ID.test(given) ? given : randomUUID();
    res.setHeader('x-correlation-id', correlationId);
    const origin = header(req, 'origin');
    const method = req.method ?? 'GET';
    let traced: { tool: string; method: string; started: number } | undefined;
    try {
      // OPTIONS is answered for any route; HEAD is GET without the body (node drops it for HEAD).
      const match = router.match(method === 'OPTIONS' || method === 'HEAD' ? 'GET' : method, pathname);
      if (match.kind === 'none')
        throw new HttpError(404, 'not_found', `no route for ${method} ${pathname.slice(0, 200)}`);
      if (method === 'OPTIONS') {
        res.writeHead(204, cors.preflight(origin));
        res.end();
        return;
      }
      for (const [name, value] of Object.entries(cors.headers(origin))) res.setHeader(name, value);
      if (match.kind === 'method') {
        const allowed = match.allowed.includes('GET') ? [...match.allowed, 'HEAD'] : match.allowed;
        throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}`, {
          allow: allowed.join(', '),
        });
      }
      const { route } = match;
      // A split brain (its record is not the deployment's) serves nothing but its health.
      const sharing = hosts?.sharing();
      if (sharing && !sharing.shared && !SPLIT_BRAIN_ANSWERS.has(route.path)) {
        throw new HttpError(
          503,
          'records_not_shared',
          `${recordsNotSharedMessage(sharing.record_id, sharing.registered_record_id)}. ${RECORDS_NOT_SHARED_FIX}`,
          { 'retry-after': '30' },
        );
      }
      const params: Record<string, string> = {};
      for (const [name, raw] of Object.entries(match.params)) {
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          throw new HttpError(400, 'invalid_request', `the path parameter ${name} is not valid URL encoding`);
        }
      }
      let identity: RequestIdentity = UNAUTHENTICATED;
      if (route.auth === 'token') {
        const checked = guard.check(req, query);
        const decision = checked instanceof Promise ? await checked : checked;
        if (!decision.ok) {
          const headers: Record<string, string> = {};
          if (decision.retryAfterSeconds) headers['retry-after'] = String(decision.retryAfterSeconds);
          if (decision.status === 401) headers['www-authenticate'] = 'Bearer';
          throw new HttpError(decision.status, decision.code, decision.message, headers);
        }
        identity = decision.identity;
        if (route.role) {
          const need = ROLE_CAPABILITY[route.role];
          if (!roleAllows(identity.role, need))
            throw new HttpError(
              403,
              'forbidden',
              apiForbiddenMessage(`${method} ${pathname.slice(0, 200)}`, identity.name, identity.role, need),
              {},
              { operator: identity.name, role: identity.role, roles: rolesFor(need) },
            );
        }
      }
      if (route.trace) traced = { tool: route.trace, method, started: performance.now() };
      let body: Promise<Buffer> | undefined;
      const rawBody = () => (body ??= readBody(req, route.bodyLimitBytes ?? bodyLimit, bodyGate));
      const ctx: RouteContext = {
        req,
        res,
        params,
        query,
        services,
        correlationId,
        identity,
        stillAuthorized: async () => {
          if (route.auth !== 'token') return true;
          const again = guard.check(req, query);
          return (again instanceof Promise ? await again : again).ok;
        },
        rawBody,
        jsonBody: async () => parseJson(await rawBody()),
      };
      const run = () => route.handler(ctx);
      const reply = await (traces?.withCorrelationId ? traces.withCorrelationId(correlationId, run) : run());
      if (reply) sendJson(res, reply.status, reply.body, reply.headers);
      if (traced && reply) traceRoute(traced, pathname, correlationId, reply);
      // A handler that answered itself (the Inngest SDK refusing a signature) is logged the same way.
      else if (!reply) logRefusal(req, method, pathname, res.statusCode, 'invalid_signature');
    } catch (error) {
      const reply = errorReply(error, correlationId, logger);
      logRefusal(
        req,
        method,
        pathname,
        reply.status,
        String((reply.body as { code?: unknown })?.code ?? reply.status),
      );
      if (traced) traceRoute(traced, pathname, correlationId, reply);
      // Refused before its body was read: close rather than drain what the client is still sending.
      const unread = !req.complete && method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
      sendJson(
        res,
        reply.status,
        reply.body,
        unread ? { ...reply.headers, connection: 'close' } : reply.headers,
      );
    }
  };

  let started = false;
  return {
    handle(req, res) {
      void dispatch(req, res);
    },
    routes,
    services,
    scheduler,
    async start() {
      if (started) return;
      started = true;
      await readiness.start();
      if (options.background !== false) {
        scheduler.start();
        void scheduler.runNow('webhook-sweep');
      }
    },
    endStreams: () => streams.close(),
    async close() {
      streams.close();
      if (events !== sharedBus) await events.close();
      readiness.stop();
      await scheduler.stop();
      await webhooks.flush();
      await processor.close();
      // Events still unsent stay `stored`: the sweep of the next start processes them.
      const unsent = await inngest.close(3000);
      if (unsent > 0)
        logger?.warn(
          { events: unsent },
          'Inngest events not sent before shutdown; the next start processes them',
        );
      if (ownStore) await webhooks.close();
    },
  };
}
