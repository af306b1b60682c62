import { Box, Text } from 'ink';
import { fit } from './table-layout.js';

export interface HelpRow {
  scope: string;
  keys: string;
  description: string;
  disabled: boolean;
}

/**
 * The help: every binding of the keymap, then the notes (columns, markers, prompts), filtered as the
 * operator types and scrolled with the arrows and PageUp/PageDown from line `scroll`.
 */
export function HelpOverlay({
  query,
  rows,
  notes,
  scroll,
  width,
  height,
}: {
  query: string;
  rows: readonly HelpRow[];
  notes: readonly string[];
  scroll: number;
  width: number;
  height: number;
}) {
  const q = query.trim().toLowerCase();
  const lines = [
    ...rows.map((row) => ({
      text: `${row.keys.padEnd(12)} ${row.description}${row.disabled ? ' (disabled: read-only)' : ''}  [${row.scope}]`,
      dim: row.disabled,
    })),
    ...notes
      .filter((line) => q === '' || line.toLowerCase().includes(q))
      .map((text) => ({ text, dim: false })),
  ];
  const room = Math.max(1, height - 3);
  const first = Math.min(scroll, Math.max(0, lines.length - room));
  const shown = lines.slice(first, first + room);
  const below = lines.length - first - shown.length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>{fit('Help — type to search, ↑/↓ PgUp/PgDn scroll, Esc closes', width)}</Text>
      <Text>{fit(`Search: ${query}█`, width)}</Text>
      {lines.length === 0 ? <Text>{fit('Nothing matches.', width)}</Text> : null}
      {shown.map((line, i) => (
        <Text key={first + i} dimColor={line.dim} wrap="truncate">
          {fit(line.text, width)}
        </Text>
      ))}
      <Text dimColor>
        {fit(
          below > 0 ? `… ${below} more lines: ↓ or PgDn` : first > 0 ? '(end of help: ↑ or PgUp)' : ' ',
          width,
        )}
      </Text>
    </Box>
  );
}
