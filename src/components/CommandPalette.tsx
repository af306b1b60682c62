import { Box, Text } from 'ink';
import { fit } from './table-layout.js';

export interface PaletteItem {
  name: string;
  description: string;
}

/** `:` palette: the typed query and the matching commands, the selected one inverted. */
export function CommandPalette({
  query,
  items,
  selected,
  width,
  limit = 8,
}: {
  query: string;
  items: readonly PaletteItem[];
  selected: number;
  width: number;
  limit?: number;
}) {
  const shown = items.slice(0, limit);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>{fit(`:${query}█`, width)}</Text>
      {shown.length === 0 ? <Text>{fit('No command matches (Esc closes).', width)}</Text> : null}
      {shown.map((item, i) => (
        <Text key={item.name} inverse={i === selected}>
          {fit(`  ${item.name.padEnd(10)} ${item.description}`, width)}
        </Text>
      ))}
    </Box>
  );
}
