/**
 * The Inngest client, its serve handler (mounted at /inngest) and the mode this process runs in:
 * - `cloud`: INNGEST_SIGNING_KEY set; the SDK verifies request signatures (an unsigned GET is 401).
 * - `dev`: INNGEST_DEV set; the SDK talks to a local dev server, no signatures.
 * - `embedded`: neither; the in-process scheduler runs the same job bodies (scheduler.ts).
 * Everything is passed explicitly: the SDK never reads our process environment on its own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inngest } from 'inngest';
import { serve } from 'inngest/node';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { InngestMode } from '../readiness.js';
import { createFunctions } from './functions.js';
import { errorMessage } from '../../errors.js';
import { createEventApi } from './event-api.js';
import { createEventBatcher, type BatcherHealth, type BatcherOptions } from './event-batcher.js';
import { WEBHOOK_EVENT, type JobDeps } from './jobs.js';

interface WebhookEvent {
  name: typeof WEBHOOK_EVENT;
  data: { id: number; correlation_id?: string };
}

export interface InngestRuntime {
  mode: InngestMode;
  functionCount: number;
  client: Inngest;
  functions: ReturnType<typeof createFunctions>;
  /** The SDK's serve handler for /inngest. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Queue `caio/webhook.received` for the batched sender (resolves at once; rejects when the buffer
   * is full, so the caller processes in-process). Undefined when events cannot be sent.
   */
  sendWebhookReceived: ((id: number, correlationId?: string) => Promise<void>) | undefined;
  /** Events queued or in flight to Inngest. */
  pendingEvents(): number;
  /** How sending events goes (readiness shows it); undefined when events cannot be sent. */
  delivery(): BatcherHealth | undefined;
  /** Send what is queued (bounded by `deadlineMs`); returns how many could not be sent. */
  close(deadlineMs?: number): Promise<number>;
}

/** The SDK's placeholder key in dev mode, where the dev server accepts any. */
const DEV_EVENT_KEY = 'NO_EVENT_KEY_SET';

export function inngestMode(config: Config): InngestMode {
  const dev = config.INNGEST_DEV?.trim().toLowerCase();
  if (dev && dev !== '0' && dev !== 'false') return 'dev';
  return config.INNGEST_SIGNING_KEY ? 'cloud' : 'embedded';
}

/** Whether this process can send events to Inngest (dev server, or cloud with an event key). */
export function canSendEvents(config: Config): boolean {
  const mode = inngestMode(config);
  return mode === 'dev' || (mode === 'cloud' && Boolean(config.INNGEST_EVENT_KEY));
}

/**
 * The SDK's logger: its lines, without stack traces (an error is its message), and without the line
 * it writes for every unsigned request: the server logs each refusal once, rate-limited
 * (server/refusal-log.ts), so an unauthenticated caller cannot amplify the log.
 */
function sdkLogger(logger: Logger) {
  const child = logger.child({ component: 'inngest' });
  const flat = (arg: unknown): unknown => {
    if (arg instanceof Error) return arg.message;
    if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
      return Object.fromEntries(
        Object.entries(arg).map(([key, value]) => [key, value instanceof Error ? value.message : value]),
      );
    }
    return arg;
  };
  const level =
    (name: 'info' | 'warn' | 'error' | 'debug') =>
    (...args: unknown[]) => {
      if (args.some((arg) => typeof arg === 'string' && /signature validation failed/i.test(arg))) return;
      (child[name] as (...a: unknown[]) => void)(...args.map(flat));
    };
  return { info: level('info'), warn: level('warn'), error: level('error'), debug: level('debug') };
}

const silent = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

export function createInngestRuntime(
  config: Config,
  deps: JobDeps,
  logger?: Logger,
  batching: Omit<BatcherOptions<WebhookEvent>, 'send' | 'onError'> = {},
): InngestRuntime {
  const mode = inngestMode(config);
  const devUrl =
    mode === 'dev' && /^https?:\/\//.test(config.INNGEST_DEV ?? '') ? config.INNGEST_DEV : undefined;
  const baseUrl = devUrl ?? config.INNGEST_BASE_URL;
  const client = new Inngest({
    id: config.INNGEST_APP_ID,
    isDev: mode === 'dev',
    ...(baseUrl ? { baseUrl } : {}),
    ...(config.INNGEST_EVENT_KEY ? { eventKey: config.INNGEST_EVENT_KEY } : {}),
    ...(config.INNGEST_SIGNING_KEY ? { signingKey: config.INNGEST_SIGNING_KEY } : {}),
    ...(config.INNGEST_SIGNING_KEY_FALLBACK
      ? { signingKeyFallback: config.INNGEST_SIGNING_KEY_FALLBACK }
      : {}),
    logger: logger ? sdkLogger(logger) : silent,
  });
  const functions = createFunctions(client, deps);
  // Unsigned PUTs ("sync yourself") are refused in cloud mode: defence in depth.
  const handler = serve({ client, functions, servePath: '/inngest', enableUnauthedSync: false });

  // Events go to the event API, which may live elsewhere than the API (INNGEST_EVENT_API_BASE_URL):
  // a second client used only to send.
  const eventBaseUrl = devUrl ?? config.INNGEST_EVENT_API_BASE_URL ?? config.INNGEST_BASE_URL;
  const sender =
    eventBaseUrl === baseUrl
      ? client
      : new Inngest({
          id: config.INNGEST_APP_ID,
          isDev: mode === 'dev',
          ...(eventBaseUrl ? { baseUrl: eventBaseUrl } : {}),
          ...(config.INNGEST_EVENT_KEY ? { eventKey: config.INNGEST_EVENT_KEY } : {}),
          logger: silent,
        });
  // The SDK resolves where events go and with which headers; the POST itself is ours (event-api.ts).
  const eventApi = canSendEvents(config)
    ? createEventApi({
        baseUrl: sender.eventBaseUrl,
        eventKey: sender.eventKey ?? DEV_EVENT_KEY,
        headers: sender.headers,
        maxSockets: batching.concurrency ?? 4,
      })
    : undefined;
  const batcher = eventApi
    ? createEventBatcher<WebhookEvent>({
        ...batching,
        send: (events) => eventApi.post(events),
        onError: (error, events, retryInMs) =>
          logger?.warn(
            { err: errorMessage(error), events, retry_in_ms: retryInMs },
            'Inngest event API refused a batch; kept and retrying',
          ),
      })
    : undefined;
  return {
    mode,
    functionCount: functions.length,
    client,
    functions,
    handler,
    sendWebhookReceived: batcher
      ? (id, correlationId) =>
          batcher.enqueue({
            name: WEBHOOK_EVENT,
            data: correlationId ? { id, correlation_id: correlationId } : { id },
          })
            ? Promise.resolve()
            : Promise.reject(new Error('the Inngest event buffer is full'))
      : undefined,
    pendingEvents: () => batcher?.pending ?? 0,
    delivery: () => batcher?.health(),
    async close(deadlineMs) {
      if (!batcher) return 0;
      const left = await batcher.drain(deadlineMs);
      eventApi?.close();
      return left.length;
    },
  };
}
