import { Text } from 'ink';
import { useMemo } from 'react';
import { formatRemaining } from '../components/Countdown.js';
import type { DetailLine } from '../components/DetailPane.js';
import type { Column } from '../components/table-layout.js';
import { shortHash } from './format.js';
import { ListLayout, listLayout } from './ListLayout.js';
import type { ScreenProps } from './screen-props.js';
import type { BatchView } from './services.js';
import { CONFIRM_CHARS, useBatchesScreen } from './use-batches-screen.js';

function columns(now: number): Column<BatchView>[] {
  return [
    { header: 'BATCH', value: (b) => b.id, max: 18 },
    { header: 'HASH', value: (b) => shortHash(b.hash), width: 8 },
    { header: 'STATUS', value: (b) => b.status, max: 10 },
    { header: 'ITEMS', value: (b) => String(b.items.length), width: 5, align: 'right' },
    { header: 'EXCL', value: (b) => String(b.excluded.length), width: 4, align: 'right' },
    { header: 'MODE', value: (b) => b.mode, max: 9 },
    {
      header: 'EXPIRES',
      value: (b) => (b.status === 'previewed' ? formatRemaining(b.expiresAt - now) : '—'),
      width: 8,
    },
    { header: 'BY', value: (b) => b.previewedBy, flex: true, min: 4 },
  ];
}

export function batchDetailLines(b: BatchView, now: number): DetailLine[] {
  const expiry = b.status === 'previewed' ? `expires in ${formatRemaining(b.expiresAt - now)}` : b.status;
  return [
    { text: `Batch ${b.id}  hash ${b.hash}`, bold: true },
    {
      text: `${b.items.length} items, ${b.excluded.length} excluded, mode ${b.mode}, ${expiry}, by ${b.previewedBy}`,
    },
    ...b.items.map((i) => ({ text: `  + ${i.email}  ${i.subject}` })),
    ...b.excluded.map((x) => ({ text: `  - ${x.draftId}  ${x.reason}`, tone: 'yellow' as const })),
  ];
}

export function BatchesScreen({ width, height, focused, keys }: ScreenProps) {
  const { tableHeight } = listLayout(height);
  const { state } = useBatchesScreen({ tableHeight, keys });
  const second = Math.floor(state.now / 1000);
  const cols = useMemo(() => columns(second * 1000), [second]);
  if (!state.available) return <Text>The Gatekeeper is not available in this build.</Text>;
  if (state.loading) return <Text>Loading batches…</Text>;
  const c = state.confirming;
  return (
    <ListLayout
      width={width}
      height={height}
      focused={focused}
      columns={cols}
      rowKey={(b) => b.id}
      rows={state.rows}
      shown={state.shown}
      list={state.list}
      tone={(b) => (b.status === 'executed' ? 'green' : b.status === 'previewed' ? undefined : 'gray')}
      detail={
        state.current
          ? batchDetailLines(state.current, state.now)
          : [
              {
                text: state.error
                  ? `Cannot read batches: ${state.error}`
                  : 'No batch yet: press p to preview the approved drafts.',
              },
            ]
      }
      prompt={
        c
          ? `Execute ${c.batch.items.length} (${c.batch.mode})? Type the hash's first ${CONFIRM_CHARS} chars, Enter: ${c.typed}█`
          : undefined
      }
    />
  );
}
