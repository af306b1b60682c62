import { useCallback } from 'react';
import { useConsole } from './console-context.js';
import type { TraceView } from './services.js';
import type { ScreenKeys } from './screen-props.js';
import { useListScreen } from './use-list-screen.js';
import { usePoll } from './use-poll.js';

const NONE: readonly TraceView[] = [];
export const TRACE_LIMIT = 500;
const traceKey = (t: TraceView) => `${t.ts}|${t.correlationId}|${t.tool}`;
/** `/` matches status, correlation id, tool and agent (`/error`, `/!ok`, `/req-42`). */
const traceText = (t: TraceView) => `${t.status} ${t.correlationId} ${t.tool} ${t.agent}`;

export function useTracesScreen({ tableHeight, keys }: { tableHeight: number; keys: ScreenKeys }) {
  const { services, intervals, refreshToken } = useConsole();
  const port = services.traces;
  const load = useCallback(() => (port ? port.recent(TRACE_LIMIT) : Promise.resolve(NONE)), [port]);
  const poll = usePoll(port ? load : undefined, intervals.data, services.now, refreshToken);
  const rows = poll.data ?? NONE;
  const list = useListScreen<TraceView>({
    rows,
    rowKey: traceKey,
    text: traceText,
    height: tableHeight,
    scopes: [],
    memoryKey: 'traces',
    loaded: poll.data !== undefined,
    keys,
    onCommand: () => {},
  });
  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      rows,
      rowKey: traceKey,
      shown: list.shown,
      list: list.list,
      current: list.current,
    },
  };
}
