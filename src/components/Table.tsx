/**
 * A virtualised table: only the rows in [offset, offset + height) are rendered, each as one memoised
 * line, with column widths from that window. Blank lines pad the window so the layout does not jump.
 */
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { columnWidths, headerLine, rowLine, visibleWindow, type Column } from './table-layout.js';
import { useTheme } from './theme.js';

export interface TableProps<T> {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  cursor: number;
  offset: number;
  /** Body lines (the header is one more). */
  height: number;
  width: number;
  marked?: ReadonlySet<string>;
  /** Focused tables draw the cursor inverted; unfocused ones only bold it. */
  focused?: boolean;
  /** Optional colour per row (e.g. by status). */
  tone?: (row: T) => 'green' | 'red' | 'yellow' | 'gray' | undefined;
}

interface LineProps {
  text: string;
  selected: boolean;
  focused: boolean;
  color: string | undefined;
}

const Line = memo(function Line({ text, selected, focused, color }: LineProps) {
  return (
    <Text inverse={selected && focused} bold={selected && !focused} color={color} wrap="truncate">
      {text}
    </Text>
  );
});

export function Table<T>({
  columns,
  rows,
  rowKey,
  cursor,
  offset,
  height,
  width,
  marked,
  focused = true,
  tone,
}: TableProps<T>) {
  const theme = useTheme();
  const visible = useMemo(() => visibleWindow(rows, offset, height), [rows, offset, height]);
  const widths = useMemo(() => columnWidths(columns, visible, width), [columns, visible, width]);
  const header = headerLine(columns, widths, width);
  const blanks = Math.max(0, height - visible.length);
  return (
    <Box flexDirection="column" width={width}>
      <Text bold wrap="truncate">
        {header}
      </Text>
      {visible.map((row, i) => {
        const id = rowKey(row);
        const t = tone?.(row);
        return (
          <Line
            key={id}
            text={rowLine(columns, widths, row, marked?.has(id) ?? false, width)}
            selected={offset + i === cursor}
            focused={focused}
            color={t ? theme.color(t) : undefined}
          />
        );
      })}
      {blanks > 0 ? <Box height={blanks} /> : null}
    </Box>
  );
}
