import { Text } from 'ink';
import type { Column } from '../components/table-layout.js';
import { ListLayout, listLayout } from './ListLayout.js';
import type { ScreenProps } from './screen-props.js';
import type { TraceView } from './services.js';
import { useTracesScreen } from './use-traces-screen.js';

const COLUMNS: Column<TraceView>[] = [
  { header: 'TIME', value: (t) => t.ts.slice(11, 19), width: 8 },
  { header: 'STATUS', value: (t) => t.status, max: 8 },
  { header: 'TOOL', value: (t) => t.tool, max: 24 },
  { header: 'CORRELATION', value: (t) => t.correlationId, flex: true, min: 8 },
  {
    header: 'MS',
    value: (t) => (t.durationMs === undefined ? '' : String(Math.round(t.durationMs))),
    width: 6,
    align: 'right',
  },
];

export function TracesScreen({ width, height, focused, keys }: ScreenProps) {
  const { state } = useTracesScreen({ tableHeight: listLayout(height).tableHeight, keys });
  if (!state.available) return <Text>Trace envelopes are not available in this build.</Text>;
  if (state.loading) return <Text>Loading traces…</Text>;
  const t = state.current;
  return (
    <ListLayout
      width={width}
      height={height}
      focused={focused}
      columns={COLUMNS}
      rowKey={state.rowKey}
      rows={state.rows}
      shown={state.shown}
      list={state.list}
      tone={(row) => (row.status === 'ok' ? undefined : 'red')}
      detail={
        t
          ? [
              { text: `${t.ts}  ${t.tool}  (${t.agent || 'no agent'})`, bold: true },
              {
                text: `correlation ${t.correlationId}  status ${t.status}${t.caseId ? `  case ${t.caseId}` : ''}`,
              },
              {
                text: state.story
                  ? `Story of ${state.story}: ${state.rows.length} envelopes, oldest first (c: all traces)`
                  : "c: this request's whole story",
              },
              ...(t.error ? [{ text: `error: ${t.error}`, tone: 'red' as const }] : []),
            ]
          : [
              {
                text: state.error
                  ? `Cannot read traces: ${state.error}`
                  : 'No trace envelopes yet (filter with /error or /<correlation id>).',
              },
            ]
      }
    />
  );
}
