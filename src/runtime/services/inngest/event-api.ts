/**
 * The POST behind a batch of Inngest events: `POST <event API>/e/<event key>` with a JSON array, as
 * the SDK's `send` makes it, to the same URL with the same headers (both read from the SDK client,
 * which resolves INNGEST_EVENT_API_BASE_URL, INNGEST_BASE_URL, dev mode and branch environments).
 *
 * Why not the SDK's `send`: on a busy server it cost ~8 µs of event-loop CPU per event even in
 * batches of ~180 (per-event spreads and meta normalisation, `json-stringify-safe`, a `fetch` built
 * on web streams, headers recomputed from the environment on every call, response validation), the
 * largest cost of the production configuration's intake. This costs ~2.4 µs per event (docs/http.md,
 * "Inngest events without the SDK's `send`"). Retries are the batcher's (event-batcher.ts), not
 * nested here: a failed POST rejects and its events go back to the front of the buffer.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface InngestEventPayload {
  name: string;
  data: Record<string, unknown>;
}

export interface EventApiOptions {
  /** The event API's base URL (the SDK client's `eventBaseUrl`). */
  baseUrl: string;
  /** The event key (the path segment); the SDK's placeholder when none is set (dev mode). */
  eventKey: string;
  /** The SDK client's `headers` (content type, SDK version, environment, platform). */
  headers: Record<string, string>;
  /** Give up on one POST (the whole exchange) after this long (default 30 s); the batcher retries it. */
  timeoutMs?: number;
  /** POSTs in flight at once (default 4, the batcher's concurrency). */
  maxSockets?: number;
}

export interface EventApi {
  /** Resolves when the event API accepted every event; rejects with a message safe to log. */
  post(events: readonly InngestEventPayload[]): Promise<void>;
  close(): void;
}

/** A larger answer is not the event API's (it answers `{ids, status}`). */
const MAX_RESPONSE_BYTES = 1 << 20;

export function createEventApi(options: EventApiOptions): EventApi {
  const url = new URL(`e/${encodeURIComponent(options.eventKey)}`, options.baseUrl);
  const where = `the Inngest event API at ${url.origin}`;
  // Never the key, which is part of the path: a server that echoes the path ("Cannot POST /e/…")
  // would otherwise put it in the logs and in readiness.
  const secrets = [...new Set([options.eventKey, encodeURIComponent(options.eventKey)])].filter(
    (secret) => secret.length >= 4,
  );
  const scrub = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
  const https = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 4 };
  const agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = https ? httpsRequest : httpRequest;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers = Object.fromEntries(
    Object.entries(options.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
  );

  const answer = (response: IncomingMessage): Promise<void> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          response.destroy();
          reject(new Error(`${where} answered more than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error) => reject(new Error(scrub(`${where}: ${error.message}`))));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: { status?: unknown; error?: unknown } | undefined;
        try {
          body = JSON.parse(text) as typeof body;
        } catch {
          body = undefined;
        }
        const status = response.statusCode ?? 0;
        // As the SDK: the body's status decides (a proxy may answer 202 around it).
        if (status >= 200 && status < 300 && body?.status === 200 && !body.error) return resolve();
        const detail = typeof body?.error === 'string' ? body.error : text.slice(0, 200);
        reject(new Error(scrub(`${where} answered ${status}: ${detail || 'no body'}`)));
      });
    });

  return {
    post(events) {
      const ts = Date.now();
      const body = JSON.stringify(events.map((event) => ({ name: event.name, data: event.data, ts })));
      return new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              ...headers,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => answer(response).then(settle(resolve), settle(reject)),
        );
        // The whole exchange, not the socket's idle time: a server trickling its answer is given up too.
        const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        function settle<T>(done: (value: T) => void) {
          return (value: T) => {
            clearTimeout(timer);
            done(value);
          };
        }
        req.on('error', (error) => settle(reject)(new Error(scrub(`${where}: ${error.message}`))));
        req.end(body);
      });
    },
    close() {
      // Idle connections only: a POST still running (past a drain's deadline) finishes on its own.
      for (const sockets of Object.values(agent.freeSockets))
        for (const socket of sockets ?? []) socket.destroy();
    },
  };
}
