import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import { wrapText, type DetailLine } from '../components/DetailPane.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { useTheme } from '../components/theme.js';
import type { Column } from '../components/table-layout.js';
import { ListLayout, listLayout } from './ListLayout.js';
import type { ScreenProps } from './screen-props.js';
import type { ReleaseStepView } from './services.js';
import { useReleaseScreen } from './use-release-screen.js';

const COLUMNS: Column<ReleaseStepView>[] = [
  { header: 'STATUS', value: (s) => s.status, width: 12 },
  { header: 'STEP', value: (s) => s.id, max: 24 },
  { header: 'KIND', value: (s) => `${s.kind}${s.required ? '' : ' (adv)'}`, max: 13 },
  { header: 'TITLE', value: (s) => s.title, flex: true, min: 10 },
  { header: 'BY', value: (s) => s.by ?? '', max: 12 },
];

function stepTone(s: ReleaseStepView): 'green' | 'red' | 'yellow' | undefined {
  if (s.status === 'PASS') return 'green';
  if (s.status === 'FAIL') return 'red';
  return s.status === 'RUNNING' ? 'yellow' : undefined;
}

export function stepDetailLines(s: ReleaseStepView, width: number): DetailLine[] {
  return [
    ...wrapText(`${s.id}: ${s.title}`, width).map((text) => ({ text, bold: true })),
    {
      text: `${s.kind}, ${s.required ? 'required' : 'advisory'}; ${s.status}${s.by ? ` by ${s.by}` : ''}${s.at ? ` at ${s.at}` : ''}`,
    },
    ...wrapText(s.evidence ? `Evidence: ${s.evidence}` : 'No evidence yet.', width).map((text) => ({ text })),
    ...(s.target ? wrapText(`Target: ${s.target}`, width).map((text) => ({ text })) : []),
    ...(s.help ? wrapText(`Help: ${s.help}`, width).map((text) => ({ text })) : []),
    ...(s.history && s.history.length > 0
      ? [
          { text: 'Sign-offs:' },
          ...s.history.flatMap((line) => wrapText(`- ${line}`, width).map((text) => ({ text }))),
        ]
      : []),
  ];
}

export function ReleaseScreen({ width, height, focused, keys }: ScreenProps) {
  // The no-go line (e.g. production: staging not passed) takes a second header line when present.
  const theme = useTheme();
  const [headerLines, setHeaderLines] = useState(1);
  const { tableHeight } = listLayout(height, headerLines);
  const { state } = useReleaseScreen({ tableHeight, keys });
  const noGo = state.view?.noGo ?? [];
  const wanted = noGo.length > 0 ? 2 : 1;
  useEffect(() => {
    if (wanted !== headerLines) setHeaderLines(wanted);
  }, [wanted, headerLines]);
  if (!state.available) return <Text>The release service is not available in this build.</Text>;
  if (state.loading) return <Text>Loading the release checklist…</Text>;
  if (!state.view) return <Text>{`Cannot read the checklist: ${state.error ?? 'unknown error'}`}</Text>;
  const v = state.view;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>Release Decision: </Text>
        <StatusBadge status={v.decision} />
        {`  (${v.environment})${v.pending.length > 0 ? `  pending: ${v.pending.join(', ')}` : ''}`}
      </Text>
      {noGo.length > 0 ? (
        <Text wrap="truncate" color={theme.color('red')}>
          {`No-go: ${noGo[0]}${noGo.length > 1 ? ` (+${noGo.length - 1} more)` : ''}`}
        </Text>
      ) : null}
      <ListLayout
        width={width}
        height={height}
        headerLines={headerLines}
        focused={focused}
        columns={COLUMNS}
        rowKey={(s) => s.id}
        rows={state.rows}
        shown={state.shown}
        list={state.list}
        tone={stepTone}
        prompt={state.asking?.question}
        detail={
          state.current ? stepDetailLines(state.current, width) : [{ text: 'No step matches the filter.' }]
        }
      />
    </Box>
  );
}
