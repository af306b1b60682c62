import { Text } from 'ink';
import { useMemo } from 'react';
import { DetailPane } from '../components/DetailPane.js';
import { ListLayout, listLayout } from './ListLayout.js';
import { draftDetailLines, draftTone, firstRunLines, queueColumns } from './queue-view.js';
import type { ScreenProps } from './screen-props.js';
import type { DraftView } from './services.js';
import { useQueueScreen } from './use-queue-screen.js';

const draftKey = (d: DraftView) => d.id;

export function QueueScreen({ width, height, focused, keys }: ScreenProps) {
  const { tableHeight } = listLayout(height);
  const { state } = useQueueScreen({ tableHeight, keys });
  const minute = Math.floor(state.now / 60_000);
  const columns = useMemo(() => queueColumns(minute * 60_000), [minute]);

  if (!state.available) return <Text>The queue service is not available in this build.</Text>;
  if (state.loading) return <Text>Loading the queue…</Text>;
  if (state.error && state.rows.length === 0) return <Text>{`Cannot read the queue: ${state.error}`}</Text>;
  if (state.rows.length === 0 && state.list.filter === '') {
    return (
      <DetailPane
        lines={firstRunLines(state.serverUrl, state.canLoadSamples)}
        width={width}
        height={height}
      />
    );
  }
  return (
    <ListLayout
      width={width}
      height={height}
      focused={focused}
      columns={columns}
      rowKey={draftKey}
      rows={state.rows}
      shown={state.shown}
      list={state.list}
      tone={draftTone}
      detail={
        state.current ? draftDetailLines(state.current, width) : [{ text: 'No draft matches the filter.' }]
      }
      prompt={
        state.rejecting
          ? `Reject as: ${state.taxonomy.map((c, i) => `${i + 1} ${c}`).join('  ')}  (Esc cancels)`
          : undefined
      }
    />
  );
}
