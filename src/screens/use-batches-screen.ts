import { useCallback, useRef, useState } from 'react';
import { useConsole } from './console-context.js';
import { shortHash } from './format.js';
import type { BatchView } from './services.js';
import type { ScreenKeys } from './screen-props.js';
import { editText } from './text-input.js';
import { reportAction } from './report-action.js';
import { useListScreen } from './use-list-screen.js';
import { useNow, usePoll } from './use-poll.js';

const NONE: readonly BatchView[] = [];
const batchKey = (b: BatchView) => b.id;
const batchText = (b: BatchView) => `${b.id} ${b.hash} ${b.status} ${b.mode} ${b.previewedBy}`;
/** How many hash characters the operator types to confirm an execution. */
export const CONFIRM_CHARS = 6;

interface Confirming {
  batch: BatchView;
  typed: string;
}

export function useBatchesScreen({ tableHeight, keys }: { tableHeight: number; keys: ScreenKeys }) {
  const { services, intervals, refreshToken, notify } = useConsole();
  const port = services.batches;
  const load = useCallback(() => (port ? port.list() : Promise.resolve(NONE)), [port]);
  const poll = usePoll(port ? load : undefined, intervals.data, services.now, refreshToken);
  const now = useNow(services.now, intervals.clock);
  // The batch being confirmed and the hash typed so far; a ref so fast keys see the latest text.
  const confirmRef = useRef<Confirming | undefined>(undefined);
  const [confirming, setConfirmingState] = useState<Confirming | undefined>();
  const setConfirming = (next: Confirming | undefined) => {
    confirmRef.current = next;
    setConfirmingState(next);
  };
  const rows = poll.data ?? NONE;

  const act = (fn: () => Promise<string>) => reportAction(fn, notify, poll.reload);

  const list = useListScreen<BatchView>({
    rows,
    rowKey: batchKey,
    text: batchText,
    height: tableHeight,
    scopes: ['batches'],
    memoryKey: 'batches',
    loaded: poll.data !== undefined,
    keys,
    intercept: (input, key) => {
      const c = confirmRef.current;
      if (!c || !port) return false;
      confirmKey(c, input, key);
      return true;
    },
    onCommand: (command, { current }) => {
      if (!port) return notify('The Gatekeeper is not available in this build.', 'yellow');
      if (command === 'batches.preview') {
        return void act(async () => {
          const b = await port.preview();
          return `Previewed ${b.id}: ${b.items.length} items, ${b.excluded.length} excluded, hash ${shortHash(b.hash)}`;
        });
      }
      if (command === 'batches.execute') {
        if (!current) return notify('No batch selected: press p to preview one.', 'yellow');
        if (current.status !== 'previewed')
          return notify(`Batch ${current.id} is ${current.status}.`, 'yellow');
        if (current.expiresAt <= services.now()) {
          return notify(`Batch ${current.id} has expired: press p to preview again.`, 'yellow');
        }
        setConfirming({ batch: current, typed: '' });
      }
    },
  });

  function confirmKey(c: Confirming, input: string, key: Parameters<typeof editText>[2]) {
    if (!port) return;
    const edit = editText(c.typed, input, key);
    if (edit.done === 'cancel') {
      setConfirming(undefined);
      return notify('Execution cancelled.');
    }
    if (edit.done !== 'accept') return setConfirming({ ...c, typed: edit.value });
    const { batch, typed } = c;
    setConfirming(undefined);
    if (typed.length < CONFIRM_CHARS || !batch.hash.startsWith(typed)) {
      return notify(
        `Hash does not match: nothing executed (type the first ${CONFIRM_CHARS} characters).`,
        'red',
      );
    }
    void act(async () => {
      const r = await port.execute(batch.id, batch.hash);
      return `Executed ${batch.id} (${batch.mode}): ${r.sent} sent, ${r.failed} failed`;
    });
  }

  return {
    state: {
      available: port !== undefined,
      loading: poll.loading && poll.data === undefined,
      error: poll.error,
      rows,
      shown: list.shown,
      list: list.list,
      current: list.current,
      confirming,
      now,
    },
  };
}
