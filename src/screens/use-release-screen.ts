import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from './console-context.js';
import { errorText } from './format.js';
import type { ReleaseStepView, StepProgress } from './services.js';
import type { ScreenKeys } from './screen-props.js';
import { useListScreen } from './use-list-screen.js';
import { usePoll } from './use-poll.js';

const NO_STEPS: readonly ReleaseStepView[] = [];
const stepKey = (s: ReleaseStepView) => s.id;
const stepText = (s: ReleaseStepView) => `${s.id} ${s.title} ${s.status} ${s.kind} ${s.by ?? ''}`;

export function useReleaseScreen({ tableHeight, keys }: { tableHeight: number; keys: ScreenKeys }) {
  const { services, intervals, refreshToken, notify } = useConsole();
  const port = services.release;
  const load = useCallback(
    () => (port ? port.checklist() : Promise.reject(new Error('unavailable'))),
    [port],
  );
  const poll = usePoll(port ? load : undefined, intervals.data, services.now, refreshToken);
  // Steps in flight show RUNNING, then their outcome as each check finishes (before the reload).
  const [live, setLive] = useState<ReadonlyMap<string, { status: string; evidence?: string }>>(new Map());
  const steps = poll.data?.steps ?? NO_STEPS;
  const rows = useMemo(
    () => (live.size === 0 ? steps : steps.map((s) => ({ ...s, ...live.get(s.id) }))),
    [steps, live],
  );
  const inFlight = useRef(0);
  const onStep: StepProgress = (step) =>
    setLive((m) => new Map(m).set(step.id, { status: step.status, evidence: step.evidence }));

  const run = async (ids: readonly string[], fn: () => Promise<string>) => {
    setLive((m) => {
      const next = new Map(m);
      for (const id of ids) next.set(id, { status: 'RUNNING' });
      return next;
    });
    inFlight.current += 1;
    try {
      notify(await fn(), 'green');
    } catch (error) {
      notify(errorText(error), 'red');
    }
    inFlight.current -= 1;
    poll.reload();
  };
  // The stored checklist replaces the live overlay once no run is in flight.
  useEffect(() => {
    if (inFlight.current === 0) setLive((m) => (m.size === 0 ? m : new Map()));
  }, [poll.data]);

  const list = useListScreen<ReleaseStepView>({
    rows,
    rowKey: stepKey,
    text: stepText,
    height: tableHeight,
    scopes: ['release'],
    memoryKey: 'release',
    loaded: poll.data !== undefined,
    keys,
    onCommand: (command, { current }) => {
      if (!port) return notify('The release service is not available in this build.', 'yellow');
      switch (command) {
        case 'release.rerun':
          if (!current) return;
          if (current.kind === 'manual')
            return notify(`${current.id} is a manual step: press t to tick it.`, 'yellow');
          return void run([current.id], async () => {
            await port.rerun(current.id, onStep);
            return `Re-ran ${current.id}`;
          });
        case 'release.runAll':
          return void run(steps.filter((s) => s.kind === 'auto').map(stepKey), async () => {
            await port.runAll(onStep);
            return 'Ran every auto check';
          });
        case 'release.tick':
          if (!current) return;
          if (current.kind !== 'manual')
            return notify(`${current.id} is an automatic check: press c to re-run it.`, 'yellow');
          return void run([current.id], async () => {
            await port.tick(current.id);
            return `Ticked ${current.id} as ${services.actor}`;
          });
        case 'release.export':
          return void run([], async () => `Report written to ${(await port.exportReport()).file}`);
      }
    },
  });

  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      view: poll.data,
      rows,
      shown: list.shown,
      list: list.list,
      current: list.current,
    },
  };
}
