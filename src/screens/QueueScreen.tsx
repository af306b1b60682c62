import { Box, Text } from 'ink';
import { useMemo } from 'react';
import { DetailPane } from '../components/DetailPane.js';
import { Table } from '../components/Table.js';
import { fit } from '../components/table-layout.js';
import { useTheme } from '../components/theme.js';
import { listLayout } from './ListLayout.js';
import { promptText } from './queue-prompt.js';
import { draftDetailLines, draftTone, firstRunLines, placeholderDraft, queueColumns } from './queue-view.js';
import { rowAt } from './queue-window.js';
import type { ScreenProps } from './screen-props.js';
import type { DraftView } from './services.js';
import { useQueueScreen } from './use-queue-screen.js';

const draftKey = (d: DraftView) => d.id;
/** The operator header above the filter line. */
const HEADER_LINES = 1;

export function QueueScreen({ width, height, focused, keys }: ScreenProps) {
  const theme = useTheme();
  const { tableHeight, detailHeight } = listLayout(height, HEADER_LINES);
  // The draft view: everything but the header and the prompt line.
  const readHeight = Math.max(3, height - HEADER_LINES - 2);
  const { state } = useQueueScreen({ tableHeight, detailHeight: readHeight, width, keys });
  // Keyed on the screen's clock (a tick a minute): a key press or a re-read does not rebuild them.
  const columns = useMemo(() => queueColumns(state.now, state.slaMinutes), [state.now, state.slaMinutes]);
  const { list } = state;
  const rows = useMemo(() => {
    const end = Math.min(state.total, list.offset + tableHeight);
    const out: DraftView[] = [];
    for (let i = list.offset; i < end; i += 1) out.push(rowAt(state.window, i) ?? placeholderDraft(i));
    return out;
  }, [state.window, state.total, list.offset, tableHeight]);

  if (!state.available) return <Text>The queue service is not available in this build.</Text>;
  if (state.loading) return <Text>Loading the queue…</Text>;
  if (state.error && state.total === 0) return <Text>{`Cannot read the queue: ${state.error}`}</Text>;
  if (state.total === 0 && list.filter === '' && !list.editing) {
    return (
      <DetailPane
        lines={firstRunLines(state.serverUrl, state.canLoadSamples)}
        width={width}
        height={height}
      />
    );
  }
  const h = state.header;
  const header = [
    `operator ${state.operator}`,
    h ? `approvals ${h.approvalsUsed}/${h.approvalsCapacity} today` : 'approvals …',
    h ? `SLA breaches ${h.slaBreaches}` : 'SLA …',
    list.marked.size > 0 ? `${list.marked.size} marked` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const count =
    list.filter === ''
      ? `${state.total} rows`
      : `${state.total} ${list.filter.startsWith('!') ? 'not matching' : 'matching'}${state.filterLiteral ? ' (literal: not a valid regex)' : ''}`;
  const filterLine = `${list.editing ? `/${list.filter}█` : list.filter ? `filter: ${list.filter}` : ''}${list.editing || list.filter ? '  ' : ''}${count} · sort ${state.sort === 'age' ? 'oldest first' : 'newest first'}`;
  const promptLine = state.prompt ? promptText(state.prompt, state.taxonomy, width) : undefined;
  const promptView = promptLine ? (
    <Text color={theme.color('yellow')} bold wrap="truncate">
      {fit(promptLine, width)}
    </Text>
  ) : (
    <Text dimColor>{'─'.repeat(Math.max(0, width))}</Text>
  );

  if (state.detailMissing) {
    return (
      <Box flexDirection="column" width={width}>
        <Text bold wrap="truncate">
          {fit(header, width)}
        </Text>
        <Text>
          {fit('The draft is being read again (or left this filter). Esc goes back to the list.', width)}
        </Text>
      </Box>
    );
  }
  if (state.detail) {
    const { lines, scroll } = state.detail;
    const shown = lines.slice(scroll, scroll + readHeight);
    const end = Math.min(lines.length, scroll + readHeight);
    return (
      <Box flexDirection="column" width={width}>
        <Text bold wrap="truncate">
          {fit(
            `${header}   lines ${scroll + 1}-${end} of ${lines.length} (j/k PgUp/PgDn g/G, Esc back)`,
            width,
          )}
        </Text>
        <DetailPane lines={shown} width={width} height={readHeight} />
        {promptView}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {fit(header, width)}
      </Text>
      <Text dimColor={!list.editing} wrap="truncate">
        {fit(filterLine, width)}
      </Text>
      <Table
        columns={columns}
        rows={rows}
        rowKey={draftKey}
        cursor={list.cursor - list.offset}
        offset={0}
        height={tableHeight}
        width={width}
        marked={list.marked}
        focused={focused}
        tone={draftTone}
      />
      {promptView}
      <DetailPane
        lines={
          state.current
            ? draftDetailLines(state.current, width)
            : [{ text: state.total === 0 ? 'No draft matches the filter (Esc clears it).' : 'Loading…' }]
        }
        width={width}
        height={detailHeight}
      />
    </Box>
  );
}
