import { Box, Text } from 'ink';
import { fit } from './table-layout.js';

export interface HelpRow {
  scope: string;
  keys: string;
  description: string;
  disabled: boolean;
}

/** The searchable help: every binding of the keymap, filtered as the operator types. */
export function HelpOverlay({
  query,
  rows,
  width,
  height,
}: {
  query: string;
  rows: readonly HelpRow[];
  width: number;
  height: number;
}) {
  const room = Math.max(1, height - 3);
  const shown = rows.slice(0, room);
  const more = rows.length - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{fit('Help — type to search, Esc closes', width)}</Text>
      <Text>{fit(`Search: ${query}█`, width)}</Text>
      {shown.length === 0 ? <Text>{fit('No key matches.', width)}</Text> : null}
      {shown.map((row) => (
        <Text key={`${row.scope}:${row.keys}:${row.description}`} dimColor={row.disabled} wrap="truncate">
          {fit(
            `${row.keys.padEnd(12)} ${row.description}${row.disabled ? ' (disabled: read-only)' : ''}`,
            Math.max(0, width - 10),
          )}
          {`  ${row.scope.padEnd(8)}`}
        </Text>
      ))}
      {more > 0 ? <Text dimColor>{fit(`… ${more} more: type to narrow`, width)}</Text> : null}
    </Box>
  );
}
