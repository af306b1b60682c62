import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { fit } from './table-layout.js';

/**
 * A titled block of label/value rows (Overview, Scorecard). Values start in one column: a label
 * longer than the column is cut ("…"), never run into its value.
 */
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
          <Text dimColor>{`${fit(row.label, Math.max(1, labelWidth - 2))
            .trimEnd()
            .padEnd(labelWidth - 2)}  `}</Text>
          <Box flexShrink={1}>
            {typeof row.value === 'string' ? <Text wrap="truncate">{row.value}</Text> : row.value}
          </Box>
        </Box>
      ))}
    </Box>
  );
}
