/**
 * Change events for live consoles (`GET /api/events`): a draft was decided, a batch previewed or
 * executed, a release step checked or confirmed, a dependency's health changed.
 *
 * Services publish where their change commits. With REDIS_URL every host publishes on one channel
 * and every host subscribed to it hears every change (several `caio serve` over one record); without
 * it the bus is in-process. Each process numbers what it hears itself (ids are monotonic per server,
 * not global) and keeps the last `capacity` events in a ring, so a client that reconnects with
 * `Last-Event-ID` gets what it missed, or `resync` when that is older than the ring.
 *
 * Nothing here is durable: Redis may be flushed and a server restarted; a console then reloads its
 * page (the record holds the facts, events only say "look again").
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../stores/redis/redis-client.js';

export const CHANGE_KINDS = ['draft', 'batch', 'release', 'health'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ChangeEvent {
  /** Monotonic in this process (1, 2, …). */
  id: number;
  type: ChangeKind;
  /** ISO time the publishing process saw the change. */
  at: string;
  data: Readonly<Record<string, unknown>>;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface EventBus {
  /** Never throws and never waits: a Redis outage degrades to this process only. */
  publish(type: ChangeKind, data?: Record<string, unknown>, options?: { localOnly?: boolean }): void;
  /** Hear every change from now on; returns the unsubscribe. Subscribing first opens the Redis subscription. */
  subscribe(listener: ChangeListener): () => void;
  /** Events after `id`, oldest first, or `undefined` when some of them already left the ring. */
  since(id: number): readonly ChangeEvent[] | undefined;
  lastId(): number;
  close(): Promise<void>;
}

export interface EventBusOptions {
  /** With a URL, changes travel over Redis pub/sub on `channel`. */
  redisUrl?: string | undefined;
  channel?: string;
  /** Recent events kept for `Last-Event-ID` (default 1024). */
  capacity?: number;
  now?: () => number;
}

interface Wire {
  origin: string;
  type: ChangeKind;
  at: string;
  data: Record<string, unknown>;
}

const isKind = (value: unknown): value is ChangeKind =>
  typeof value === 'string' && (CHANGE_KINDS as readonly string[]).includes(value);

export function createEventBus(options: EventBusOptions = {}): EventBus {
  const now = options.now ?? Date.now;
  const capacity = Math.max(1, options.capacity ?? 1024);
  const channel = options.channel ?? 'caio:events';
  const origin = randomUUID();
  const ring: ChangeEvent[] = [];
  const listeners = new Set<ChangeListener>();
  let last = 0;
  let publisher: { client: Redis; ready: Promise<unknown> } | undefined;
  let subscriber: Redis | undefined;
  let closed = false;

  function deliver(type: ChangeKind, at: string, data: Record<string, unknown>): void {
    const event: ChangeEvent = { id: ++last, type, at, data };
    ring.push(event);
    if (ring.length > capacity) ring.shift();
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own (a closed stream): the others still hear the change.
      }
    }
  }

  function subscribeRedis(url: string): void {
    subscriber = createRedisClient({ url });
    subscriber.on('message', (_channel: string, raw: string) => {
      let wire: Partial<Wire>;
      try {
        wire = JSON.parse(raw) as Partial<Wire>;
      } catch {
        return;
      }
      if (!isKind(wire.type)) return;
      // Our own changes were delivered when published (no wait on the round trip).
      if (wire.origin === origin) return;
      deliver(
        wire.type,
        typeof wire.at === 'string' ? wire.at : new Date(now()).toISOString(),
        wire.data && typeof wire.data === 'object' ? wire.data : {},
      );
    });
    // Subscribe whenever the connection is (again) ready: also when Redis was down at the start and
    // came back later (ioredis re-subscribes by itself only what it had subscribed before).
    const client = subscriber;
    client.on('ready', () => void client.subscribe(channel).catch(() => undefined));
    client.connect().catch(() => undefined);
  }

  return {
    publish(type, data = {}, publishOptions = {}) {
      if (closed) return;
      const at = new Date(now()).toISOString();
      deliver(type, at, data);
      if (!options.redisUrl || publishOptions.localOnly) return;
      if (!publisher) {
        const client = createRedisClient({ url: options.redisUrl });
        publisher = { client, ready: client.connect().catch(() => undefined) };
      }
      const { client, ready } = publisher;
      const line = JSON.stringify({ origin, type, at, data } satisfies Wire);
      void ready.then(() => client.publish(channel, line)).catch(() => undefined);
    },
    subscribe(listener) {
      listeners.add(listener);
      if (options.redisUrl && !subscriber && !closed) subscribeRedis(options.redisUrl);
      return () => {
        listeners.delete(listener);
      };
    },
    since(id) {
      if (id >= last) return [];
      const first = ring[0];
      if (!first || id < first.id - 1) return undefined;
      return ring.filter((e) => e.id > id);
    },
    lastId: () => last,
    async close() {
      closed = true;
      listeners.clear();
      await Promise.all(
        [publisher?.client, subscriber].map((client) => client?.quit().catch(() => client.disconnect())),
      );
    },
  };
}
