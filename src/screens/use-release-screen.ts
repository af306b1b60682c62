import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useConsole } from './console-context.js';
import { errorText } from './format.js';
import type { ReleaseStepView, StepProgress } from './services.js';
import type { ScreenKeys } from './screen-props.js';
import { useListScreen } from './use-list-screen.js';
import { usePoll } from './use-poll.js';

const NO_STEPS: readonly ReleaseStepView[] = [];

interface Asking {
  stepId: string;
  kind: 'force' | 'untick';
  question: string;
}
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
  // A y/n question in flight (re-confirm over someone else's sign-off, or withdraw one); a ref so
  // the key handler sees it at once.
  const askingRef = useRef<Asking | undefined>(undefined);
  const [asking, setAskingState] = useState<Asking | undefined>();
  const setAsking = (next: Asking | undefined) => {
    askingRef.current = next;
    setAskingState(next);
  };
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
    intercept: (input, key) => {
      const a = askingRef.current;
      if (!a || !port) return false;
      if (input === 'y' || input === 'Y') {
        setAsking(undefined);
        if (a.kind === 'force') {
          void run([a.stepId], async () => (await port.tick(a.stepId, { force: true })).message);
        } else {
          void run([a.stepId], () => port.untick(a.stepId));
        }
      } else if (input === 'n' || input === 'N' || key.escape) {
        setAsking(undefined);
        notify(`Nothing changed: ${a.stepId} keeps its sign-off state.`);
      }
      return true;
    },
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
            const result = await port.tick(current.id);
            if (result.status === 'needs-force') {
              setAsking({ stepId: current.id, kind: 'force', question: `${result.message} (y/n)` });
              return 'Answer y to re-confirm (the earlier sign-off stays in the history), n to leave it.';
            }
            return result.message;
          });
        case 'release.untick':
          if (!current) return;
          if (current.kind !== 'manual')
            return notify(`${current.id} is an automatic check: it has no sign-off.`, 'yellow');
          if (current.status !== 'PASS') return notify(`${current.id} is not signed off.`, 'yellow');
          return setAsking({
            stepId: current.id,
            kind: 'untick',
            question: `Withdraw the sign-off of ${current.id}${current.by ? ` by ${current.by}` : ''}? (y/n)`,
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
      asking,
    },
  };
}
