import { Box, Text } from 'ink';
import { Panel } from '../components/Panel.js';
import type { ScreenProps } from './screen-props.js';
import { useScorecardScreen } from './use-scorecard-screen.js';

export function ScorecardScreen({ width, height }: ScreenProps) {
  const { state } = useScorecardScreen();
  if (!state.available) return <Text>The scorecard is not available in this build.</Text>;
  if (!state.data)
    return (
      <Text>{state.error ? `Cannot build the scorecard: ${state.error}` : 'Loading the scorecard…'}</Text>
    );
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Panel
        title={`Scorecard ${state.data.week}`}
        rows={state.data.rows}
        labelWidth={labelColumn(state.data.rows, width)}
      />
    </Box>
  );
}

/** The label column: as wide as the longest label plus a gap, at most 60% of the width. */
export function labelColumn(rows: readonly { label: string }[], width: number): number {
  const longest = Math.max(0, ...rows.map((r) => [...r.label].length));
  return Math.max(8, Math.min(longest + 2, Math.floor(width * 0.6)));
}
