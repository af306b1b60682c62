import { useCallback } from 'react';
import { useConsole } from './console-context.js';
import type { ScorecardView } from './services.js';
import { usePoll } from './use-poll.js';

export function useScorecardScreen() {
  const { services, intervals, refreshToken } = useConsole();
  const port = services.scorecard;
  const load = useCallback(
    (): Promise<ScorecardView> => (port ? port.current() : Promise.reject(new Error('unavailable'))),
    [port],
  );
  const poll = usePoll(port ? load : undefined, intervals.data * 5, services.now, refreshToken);
  return { state: { available: port !== undefined, ...poll } };
}
