/**
 * `GET /api/events`: the server-sent event streams of live consoles, fed by one subscription to the
 * runtime's change bus (runtime/services/events.ts).
 *
 * - Every event is serialised once and written to each client; a client whose socket does not drain
 *   (more than `maxBufferedBytes` waiting in its buffer) is disconnected, so a slow or dead console
 *   never holds memory or the others up. It reconnects with `Last-Event-ID` and resumes.
 * - A comment line every `keepAliveMs` keeps proxies from closing an idle stream; the same tick
 *   re-checks each client's token (a revoked operator's stream ends within one tick).
 * - Resume: events after `Last-Event-ID` (header, or `?last_event_id=`) come from the bus's ring; an
 *   id older than the ring, or from before a restart, gets one `resync` event (reload your page).
 * - Without Redis, changes committed by another process on the same record (a CLI `caio queue
 *   approve`) are noticed by polling the queue's change token while anyone listens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeEvent, EventBus } from '../runtime/services/events.js';

export interface EventStreamOptions {
  keepAliveMs?: number;
  /** Bytes a client may leave unread before it is disconnected (default 256 KiB). */
  maxBufferedBytes?: number;
  /** Poll this change token (embedded record, no Redis) while clients are connected. */
  changeToken?: (() => Promise<string>) | undefined;
  watchMs?: number;
  /** Tells a browser's EventSource how long to wait before reconnecting. */
  retryMs?: number;
}

export interface EventStreams {
  /** Takes over the response: headers, resume, then live events until either side closes. */
  attach(
    req: IncomingMessage,
    res: ServerResponse,
    options: { lastEventId: string | undefined; stillAuthorized?: () => Promise<boolean> },
  ): void;
  /** Connected clients now. */
  size(): number;
  /** Clients disconnected for not reading (since start). */
  dropped(): number;
  /** End every stream (server shutdown) and stop listening. */
  close(): void;
}

interface Client {
  res: ServerResponse;
  stillAuthorized: (() => Promise<boolean>) | undefined;
}

export function frame(event: ChangeEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ at: event.at, ...event.data })}\n\n`;
}

export function createEventStreams(bus: EventBus, options: EventStreamOptions = {}): EventStreams {
  const maxBuffered = options.maxBufferedBytes ?? 256 * 1024;
  const clients = new Set<Client>();
  let dropped = 0;
  let unsubscribe: (() => void) | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  let lastToken: string | undefined;
  let draftSeen = false;

  const drop = (client: Client) => {
    if (!clients.delete(client)) return;
    if (!client.res.destroyed) client.res.destroy();
    if (clients.size === 0) stop();
  };

  /** Write, or disconnect a client whose buffer is past the limit (it reconnects and resumes). */
  const send = (client: Client, text: string) => {
    if (client.res.destroyed || client.res.writableEnded) return drop(client);
    if (client.res.writableLength > maxBuffered) {
      dropped += 1;
      return drop(client);
    }
    client.res.write(text);
  };

  const broadcast = (event: ChangeEvent) => {
    if (event.type === 'draft') draftSeen = true;
    const text = frame(event);
    for (const client of clients) send(client, text);
  };

  const start = () => {
    unsubscribe = bus.subscribe(broadcast);
    keepAlive = setInterval(() => {
      for (const client of clients) {
        send(client, ': keep-alive\n\n');
        if (client.stillAuthorized)
          void client.stillAuthorized().then(
            (ok) => {
              if (!ok) drop(client);
            },
            () => undefined,
          );
      }
    }, options.keepAliveMs ?? 15_000);
    keepAlive.unref();
    const changeToken = options.changeToken;
    if (changeToken) {
      lastToken = undefined;
      const poll = async () => {
        const token = await changeToken().catch(() => undefined);
        if (token === undefined) return;
        if (lastToken !== undefined && token !== lastToken && !draftSeen)
          bus.publish('draft', { action: 'changed' }, { localOnly: true });
        lastToken = token;
        draftSeen = false;
      };
      void poll();
      watch = setInterval(() => void poll(), options.watchMs ?? 1_000);
      watch.unref();
    }
  };

  function stop() {
    unsubscribe?.();
    unsubscribe = undefined;
    clearInterval(keepAlive);
    clearInterval(watch);
  }

  return {
    attach(req, res, { lastEventId, stillAuthorized }) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.socket?.setNoDelay(true);
      res.socket?.setKeepAlive(true);
      const client: Client = { res, stillAuthorized };
      if (clients.size === 0) start();
      clients.add(client);
      req.on('close', () => drop(client));
      res.on('error', () => drop(client));
      const current = bus.lastId();
      let head = `retry: ${options.retryMs ?? 2_000}\n\n`;
      const since =
        lastEventId !== undefined && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
      if (lastEventId !== undefined) {
        const missed = since !== undefined && since <= current ? bus.since(since) : undefined;
        head += missed
          ? missed.map(frame).join('')
          : `id: ${current}\nevent: resync\ndata: ${JSON.stringify({ last_id: current, reason: 'events since your last id are no longer kept: reload' })}\n\n`;
      } else {
        head += `id: ${current}\nevent: ready\ndata: ${JSON.stringify({ last_id: current })}\n\n`;
      }
      send(client, head);
    },
    size: () => clients.size,
    dropped: () => dropped,
    close() {
      for (const client of [...clients]) {
        clients.delete(client);
        client.res.end();
        client.res.destroy();
      }
      stop();
    },
  };
}
