import { Text } from 'ink';
import { fit } from './table-layout.js';

/** "/ text█  3 of 40" while typing; "filter: text  3 of 40" once applied; "40 rows" without one. */
export function filterBarText(filter: string, editing: boolean, shown: number, total: number, width: number) {
  const count = filter === '' ? `${total} ${total === 1 ? 'row' : 'rows'}` : `${shown} of ${total}`;
  const left = editing ? `/${filter}█` : filter === '' ? '' : `filter: ${filter}`;
  const gap = left === '' ? '' : '  ';
  return fit(`${left}${gap}${count}`, width);
}

export function FilterBar(props: {
  filter: string;
  editing: boolean;
  shown: number;
  total: number;
  width: number;
}) {
  return (
    <Text dimColor={!props.editing} wrap="truncate">
      {filterBarText(props.filter, props.editing, props.shown, props.total, props.width)}
    </Text>
  );
}
