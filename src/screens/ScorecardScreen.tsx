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
      <Panel title={`Scorecard ${state.data.week}`} rows={state.data.rows} labelWidth={28} />
    </Box>
  );
}
