import { Box, Text } from 'ink';
import { Panel } from '../components/Panel.js';
import type { ScreenProps } from './screen-props.js';
import type { ScorecardView } from './services.js';
import { useScorecardScreen } from './use-scorecard-screen.js';

export function ScorecardScreen({ width, height, keys }: ScreenProps) {
  const { state } = useScorecardScreen({ keys });
  if (!state.available) return <Text>The scorecard is not available in this build.</Text>;
  if (!state.data)
    return (
      <Text>{state.error ? `Cannot build the scorecard: ${state.error}` : 'Loading the scorecard…'}</Text>
    );
  const signed = signOffLines(state.data, state.actor);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Panel
        title={`Scorecard ${state.data.week}`}
        rows={state.data.rows}
        labelWidth={labelColumn(state.data.rows, width)}
      />
      <Box marginTop={1} flexDirection="column">
        {signed.lines.map((line) => (
          <Text key={line} color={signed.color} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
    </Box>
  );
}

/** Who signed the week off and when, beside the week's release decision; or how to sign it off. */
export function signOffLines(
  view: ScorecardView,
  actor: string,
): { lines: string[]; color: 'green' | 'yellow' | undefined } {
  const s = view.signOff;
  if (s === undefined)
    return { lines: ['Sign-off: unknown (the record could not be read)'], color: undefined };
  const decision = view.decision === undefined ? [] : [`Release decision: ${view.decision ?? 'none yet'}`];
  if (s === null)
    return {
      lines: [`Not signed off yet — s signs it off as ${actor} (pto role)`, ...decision],
      color: 'yellow',
    };
  const at = s.at.replace('T', ' ').slice(0, 16);
  const forced = s.forced ? ', forced over an earlier sign-off' : '';
  return {
    lines: [
      `Signed off by ${s.by} (${s.role}) at ${at} UTC`,
      `Release decision then: ${s.decision ?? 'none'}${forced}`,
      ...(s.note ? [`Note: ${s.note}`] : []),
    ],
    color: 'green',
  };
}

/** The label column: as wide as the longest label plus a gap, at most 60% of the width. */
export function labelColumn(rows: readonly { label: string }[], width: number): number {
  const longest = Math.max(0, ...rows.map((r) => [...r.label].length));
  return Math.max(8, Math.min(longest + 2, Math.floor(width * 0.6)));
}
