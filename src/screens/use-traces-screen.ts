import { useCallback, useMemo, useState } from 'react';
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
  const all = poll.data ?? NONE;
  // `c` narrows to one correlation id, oldest first: a request's whole story (intake to processing).
  const [story, setStory] = useState<string | undefined>(undefined);
  const rows = useMemo(
    () =>
      story
        ? all
            .filter((t) => t.correlationId === story)
            .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
        : all,
    [all, story],
  );
  const list = useListScreen<TraceView>({
    rows,
    rowKey: traceKey,
    text: traceText,
    height: tableHeight,
    scopes: ['traces'],
    keys,
    onCommand: (command, target) => {
      if (command === 'traces.story') setStory((was) => (was ? undefined : target.current?.correlationId));
    },
  });
  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      rows,
      story,
      rowKey: traceKey,
      shown: list.shown,
      list: list.list,
      current: list.current,
    },
  };
}
