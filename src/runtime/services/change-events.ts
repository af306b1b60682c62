/**
 * The queue and the Gatekeeper, publishing a change event after each change they commit (events.ts).
 * A refused decision changed nothing and says nothing; an execution says so however it ended (a
 * partial run changed drafts too). The wrapped services are the ones every caller gets (the HTTP
 * routes, the local console, the CLI, the webhook processor, the pipeline).
 */
import type { EventBus } from './events.js';
import type { OutboundServices } from './outbound-wiring.js';

type AsyncFn = (...args: never[]) => Promise<unknown>;

function after<F extends AsyncFn>(
  fn: F,
  publish: (args: Parameters<F>, ok: boolean) => void,
  always = false,
): F {
  return (async (...args: Parameters<F>) => {
    let ok = false;
    try {
      const result = await fn(...args);
      ok = true;
      return result;
    } finally {
      if (ok || always) publish(args, ok);
    }
  }) as F;
}

export function withChangeEvents<T extends OutboundServices>(services: T, events: EventBus): T {
  const { queue, gatekeeper } = services;
  const draft = (action: string, ids: readonly string[], by?: string) =>
    events.publish('draft', { action, ids: ids.slice(0, 100), count: ids.length, ...(by ? { by } : {}) });
  return {
    ...services,
    queue: {
      ...queue,
      add: after(queue.add, ([, source]) => draft('add', [], source)),
      importLines: after(queue.importLines, () => draft('import', [])),
      importStream: after(queue.importStream, () => draft('import', [])),
      approve: after(queue.approve, ([id, actor]) => draft('approve', [id], actor)),
      reject: after(queue.reject, ([id, actor]) => draft('reject', [id], actor)),
      undo: after(queue.undo, ([id, actor]) => draft('undo', [id], actor)),
      approveMany: after(queue.approveMany, ([ids, actor]) => draft('approve', ids, actor)),
      suppressAddress: after(queue.suppressAddress, () => draft('suppress', [])),
      escalateBreaches: after(queue.escalateBreaches, () => draft('escalate', [])),
    },
    gatekeeper: {
      ...gatekeeper,
      preview: after(gatekeeper.preview, ([, actor, options]) => {
        if (options?.persist !== false) events.publish('batch', { action: 'preview', by: actor });
      }),
      execute: after(
        gatekeeper.execute,
        ([id, , actor], ok) => {
          events.publish('batch', { action: 'execute', id, by: actor, ok });
          draft('dispatch', []);
        },
        true,
      ),
    },
  };
}
