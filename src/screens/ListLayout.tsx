import { Box, Text } from 'ink';
import { DetailPane, type DetailLine } from '../components/DetailPane.js';
import { FilterBar } from '../components/FilterBar.js';
import { Table } from '../components/Table.js';
import type { Column } from '../components/table-layout.js';
import { useTheme } from '../components/theme.js';
import type { ListState } from './list-state.js';

/** Lines of a list screen: filter bar, table header + rows, one prompt/separator line, detail. */
export function listLayout(height: number, headerLines = 0) {
  const room = height - headerLines - 3;
  const tableHeight = Math.max(3, Math.floor(room / 2));
  return { tableHeight, detailHeight: Math.max(1, room - tableHeight) };
}

export interface ListLayoutProps<T> {
  width: number;
  height: number;
  focused: boolean;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  rows: readonly T[];
  shown: readonly T[];
  list: ListState;
  detail: readonly DetailLine[];
  /** Replaces the separator line (a question, a confirmation input). */
  prompt?: string | undefined;
  tone?: (row: T) => 'green' | 'red' | 'yellow' | 'gray' | undefined;
  headerLines?: number;
}

export function ListLayout<T>(props: ListLayoutProps<T>) {
  const theme = useTheme();
  const { tableHeight, detailHeight } = listLayout(props.height, props.headerLines ?? 0);
  return (
    <Box flexDirection="column" width={props.width}>
      <FilterBar
        filter={props.list.filter}
        editing={props.list.editing}
        shown={props.shown.length}
        total={props.rows.length}
        width={props.width}
      />
      <Table
        columns={props.columns}
        rows={props.shown}
        rowKey={props.rowKey}
        cursor={props.list.cursor}
        offset={props.list.offset}
        height={tableHeight}
        width={props.width}
        marked={props.list.marked}
        focused={props.focused}
        tone={props.tone}
      />
      {props.prompt ? (
        <Text color={theme.color('yellow')} bold wrap="truncate">
          {props.prompt}
        </Text>
      ) : (
        <Text dimColor>{'─'.repeat(Math.max(0, props.width))}</Text>
      )}
      <DetailPane lines={props.detail} width={props.width} height={detailHeight} />
    </Box>
  );
}
