import { useCallback } from 'react';
import { useConsole } from './console-context.js';
import { usePoll } from './use-poll.js';

/** Health every `intervals.health` (about 2 s) and the operator numbers every `intervals.data`. */
export function useOverviewScreen() {
  const { services, intervals, refreshToken } = useConsole();
  const loadHealth = useCallback(() => services.health(), [services]);
  const loadOverview = useCallback(() => services.overview(), [services]);
  const health = usePoll(loadHealth, intervals.health, services.now, refreshToken);
  const overview = usePoll(loadOverview, intervals.data, services.now, refreshToken);
  return { state: { health, overview, server: services.server } };
}
