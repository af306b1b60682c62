import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** A titled block of label/value rows (Overview, Scorecard). */
export function Panel({
  title,
  rows,
  labelWidth = 18,
  width,
}: {
  title?: string;
  rows: readonly { label: string; value: ReactNode }[];
  labelWidth?: number;
  width?: number;
}) {
  return (
    <Box flexDirection="column" width={width}>
      {title ? <Text bold>{title}</Text> : null}
      {rows.map((row) => (
        <Box key={row.label}>
          <Text dimColor>{row.label.padEnd(labelWidth)}</Text>
          <Box flexShrink={1}>
            {typeof row.value === 'string' ? <Text wrap="truncate">{row.value}</Text> : row.value}
          </Box>
        </Box>
      ))}
    </Box>
  );
}
