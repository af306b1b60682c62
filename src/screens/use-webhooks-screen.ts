import { useCallback, useState } from 'react';
import { useConsole } from './console-context.js';
import type { WebhookView } from './services.js';
import type { ScreenKeys } from './screen-props.js';
import { useListScreen } from './use-list-screen.js';
import { usePoll } from './use-poll.js';

const NONE: readonly WebhookView[] = [];
export const WEBHOOK_LIMIT = 200;
const hookKey = (w: WebhookView) => w.id;
const hookText = (w: WebhookView) => `${w.source} ${w.status} ${w.idempotencyKey} ${w.error ?? ''}`;

export function useWebhooksScreen({ tableHeight, keys }: { tableHeight: number; keys: ScreenKeys }) {
  const { services, intervals, refreshToken } = useConsole();
  const port = services.webhooks;
  const [quarantinedOnly, setQuarantinedOnly] = useState(false);
  const load = useCallback(
    () =>
      port
        ? port.recent({ limit: WEBHOOK_LIMIT, ...(quarantinedOnly ? { status: 'quarantined' } : {}) })
        : Promise.resolve(NONE),
    [port, quarantinedOnly],
  );
  const poll = usePoll(port ? load : undefined, intervals.data, services.now, refreshToken);
  const rows = poll.data ?? NONE;
  const list = useListScreen<WebhookView>({
    rows,
    rowKey: hookKey,
    text: hookText,
    height: tableHeight,
    scopes: ['webhooks'],
    memoryKey: 'webhooks',
    loaded: poll.data !== undefined,
    keys,
    onCommand: (command) => {
      if (command === 'webhooks.toggleQuarantined') setQuarantinedOnly((q) => !q);
    },
  });
  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      quarantinedOnly,
      rows,
      shown: list.shown,
      list: list.list,
      current: list.current,
    },
  };
}
