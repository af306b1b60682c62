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
import { WEBHOOK_EVENT, type JobDeps } from './jobs.js';

export interface InngestRuntime {
  mode: InngestMode;
  functionCount: number;
  client: Inngest;
  functions: ReturnType<typeof createFunctions>;
  /** The SDK's serve handler for /inngest. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Send `caio/webhook.received`; undefined when events cannot be sent (no event key, embedded). */
  sendWebhookReceived: ((id: number, correlationId?: string) => Promise<void>) | undefined;
}

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

const silent = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

export function createInngestRuntime(config: Config, deps: JobDeps, logger?: Logger): InngestRuntime {
  const mode = inngestMode(config);
  const devUrl =
    mode === 'dev' && /^https?:\/\//.test(config.INNGEST_DEV ?? '') ? config.INNGEST_DEV : undefined;
  const client = new Inngest({
    id: config.INNGEST_APP_ID,
    isDev: mode === 'dev',
    ...(devUrl ? { baseUrl: devUrl } : {}),
    ...(config.INNGEST_EVENT_KEY ? { eventKey: config.INNGEST_EVENT_KEY } : {}),
    ...(config.INNGEST_SIGNING_KEY ? { signingKey: config.INNGEST_SIGNING_KEY } : {}),
    ...(config.INNGEST_SIGNING_KEY_FALLBACK
      ? { signingKeyFallback: config.INNGEST_SIGNING_KEY_FALLBACK }
      : {}),
    logger: logger ? logger.child({ component: 'inngest' }) : silent,
  });
  const functions = createFunctions(client, deps);
  // Unsigned PUTs ("sync yourself") are refused in cloud mode: defence in depth.
  const handler = serve({ client, functions, servePath: '/inngest', enableUnauthedSync: false });
  return {
    mode,
    functionCount: functions.length,
    client,
    functions,
    handler,
    sendWebhookReceived: canSendEvents(config)
      ? async (id, correlationId) => {
          await client.send({
            name: WEBHOOK_EVENT,
            data: correlationId ? { id, correlation_id: correlationId } : { id },
          });
        }
      : undefined,
  };
}
