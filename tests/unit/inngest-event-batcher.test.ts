/** The Inngest event batcher: full batches leave at once, partial ones only after the linger. */
import { describe, expect, it } from 'vitest';
import { createEventBatcher } from '../../src/runtime/services/inngest/event-batcher.js';

function recorder() {
  const calls: { events: number[]; done: () => void }[] = [];
  const send = (events: number[]) =>
    new Promise<void>((resolve) => {
      calls.push({ events, done: resolve });
    });
  return { calls, send };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('event batcher', () => {
  it('sends a full batch at once, and a partial one only after its oldest event lingered', async () => {
    const { calls, send } = recorder();
    const batcher = createEventBatcher<number>({ send, maxBatch: 10, lingerMs: 80, concurrency: 4 });
    for (let i = 0; i < 10; i += 1) batcher.enqueue(i);
    expect(calls.map((call) => call.events.length)).toEqual([10]);
    for (let i = 10; i < 13; i += 1) batcher.enqueue(i);
    // The call in flight finishes: the three waiting events do not leave on its heels.
    calls[0]?.done();
    await sleep(10);
    expect(calls).toHaveLength(1);
    expect(batcher.pending).toBe(3);
    await sleep(120);
    expect(calls.map((call) => call.events)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [10, 11, 12],
    ]);
    calls[1]?.done();
  });

  it('drain sends a partial batch without waiting for the linger', async () => {
    const { calls, send } = recorder();
    const batcher = createEventBatcher<number>({ send, maxBatch: 10, lingerMs: 60_000 });
    batcher.enqueue(1);
    batcher.enqueue(2);
    const drained = batcher.drain(5_000);
    expect(calls.map((call) => call.events)).toEqual([[1, 2]]);
    calls[0]?.done();
    expect(await drained).toEqual([]);
    expect(batcher.pending).toBe(0);
  });

  it('keeps a failed batch and retries it with backoff, losing nothing', async () => {
    let fail = true;
    const sent: number[][] = [];
    const batcher = createEventBatcher<number>({
      send: async (events) => {
        if (fail) {
          fail = false;
          throw new Error('event API down');
        }
        sent.push(events);
      },
      maxBatch: 5,
      lingerMs: 5,
      backoffMs: 20,
    });
    for (let i = 0; i < 5; i += 1) batcher.enqueue(i);
    await sleep(100);
    expect(sent).toEqual([[0, 1, 2, 3, 4]]);
    expect(batcher.pending).toBe(0);
  });
});
