import { useCallback, useRef, useState } from 'react';
import { useConsole } from './console-context.js';
import { draftText } from './queue-view.js';
import type { ScreenKeys } from './screen-props.js';
import type { DraftView } from './services.js';
import { reportAction } from './report-action.js';
import { useListScreen } from './use-list-screen.js';
import { usePoll } from './use-poll.js';

const NO_DRAFTS: readonly DraftView[] = [];
const draftKey = (d: DraftView) => d.id;

/** The Queue screen's state and actions; the screen only lays them out. */
export function useQueueScreen({ tableHeight, keys }: { tableHeight: number; keys: ScreenKeys }) {
  const { services, intervals, refreshToken, notify } = useConsole();
  const port = services.queue;
  const load = useCallback(() => (port ? port.list() : Promise.resolve(NO_DRAFTS)), [port]);
  const poll = usePoll(port ? load : undefined, intervals.data, services.now, refreshToken);
  // The draft waiting for a category key (`r` pressed); a ref so the next key sees it at once.
  const rejecting = useRef<DraftView | undefined>(undefined);
  const [rejectTarget, setRejectTarget] = useState<DraftView | undefined>();
  const lastDecided = useRef<string | undefined>(undefined);
  const rows = poll.data ?? NO_DRAFTS;

  const setRejecting = (draft: DraftView | undefined) => {
    rejecting.current = draft;
    setRejectTarget(draft);
  };

  const act = (fn: () => Promise<string>) => reportAction(fn, notify, poll.reload);

  const list = useListScreen<DraftView>({
    rows,
    rowKey: draftKey,
    text: draftText,
    height: tableHeight,
    scopes: ['queue'],
    keys,
    intercept: (input, key) => {
      const target = rejecting.current;
      if (!target) return false;
      if (key.escape || !port) {
        setRejecting(undefined);
        notify('Reject cancelled.');
        return true;
      }
      const category = /^[1-9]$/.test(input) ? port.taxonomy[Number(input) - 1] : undefined;
      if (!category) {
        notify(`Press 1-${port.taxonomy.length} to pick a category, or Esc.`, 'yellow');
        return true;
      }
      setRejecting(undefined);
      list.move(1);
      void act(async () => {
        await port.reject(target.id, category);
        lastDecided.current = target.id;
        return `Rejected ${target.email} as ${category} (u undoes)`;
      });
      return true;
    },
    onCommand: (command, { current, marked }) => {
      if (!port) return notify('The queue service is not available in this build.', 'yellow');
      switch (command) {
        case 'queue.approve':
          if (!current) return notify('Nothing to approve.', 'yellow');
          list.move(1);
          return void act(async () => {
            await port.approve(current.id);
            lastDecided.current = current.id;
            return `Approved ${current.email} (u undoes)`;
          });
        case 'queue.reject':
          if (!current) return notify('Nothing to reject.', 'yellow');
          return setRejecting(current);
        case 'queue.undo': {
          const id = lastDecided.current;
          if (!id) return notify('Nothing to undo in this session.', 'yellow');
          lastDecided.current = undefined;
          return void act(async () => {
            await port.undo(id);
            return `Undone: ${id} is pending again`;
          });
        }
        case 'queue.approveMarked': {
          if (marked.length === 0) return notify('Mark drafts with space first, then press A.', 'yellow');
          const ids = marked.map(draftKey);
          list.clearMarks(ids);
          return void act(async () => {
            const result = await port.approveMany(ids);
            const refused = result.refused[0];
            return refused
              ? `Approved ${result.approved}; refused ${result.refused.length} (${refused.reason})`
              : `Approved ${result.approved} marked drafts`;
          });
        }
        case 'queue.loadSamples': {
          const loadSamples = port.loadSamples;
          if (!loadSamples) return notify('This build ships no sample drafts.', 'yellow');
          return void act(async () => {
            const r = await loadSamples();
            return `Loaded ${r.imported} sample drafts from ${r.file}${r.rejected ? ` (${r.rejected} lines refused)` : ''}`;
          });
        }
      }
    },
  });

  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      rows,
      shown: list.shown,
      list: list.list,
      current: list.current,
      rejecting: rejectTarget,
      taxonomy: port?.taxonomy ?? [],
      canLoadSamples: port?.loadSamples !== undefined,
      now: services.now(),
      serverUrl: services.server.url,
    },
  };
}
