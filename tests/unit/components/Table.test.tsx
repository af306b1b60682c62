import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Table } from '../../../src/components/Table.js';
import {
  columnWidths,
  fit,
  rowLine,
  visibleWindow,
  type Column,
} from '../../../src/components/table-layout.js';

interface Row {
  id: string;
  name: string;
  n: number;
}

const rows: Row[] = Array.from({ length: 1000 }, (_, i) => ({
  id: `r${i}`,
  name: i === 500 ? 'a much longer name here' : `name-${i}`,
  n: i,
}));
const columns: Column<Row>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'NAME', value: (r) => r.name, flex: true },
  { header: 'N', value: (r) => String(r.n), align: 'right' },
];

describe('table layout', () => {
  it('fits text to a width with an ellipsis or padding', () => {
    expect(fit('hello', 8)).toBe('hello   ');
    expect(fit('hello world', 8)).toBe('hello w…');
    expect(fit('42', 4, 'right')).toBe('  42');
    expect(fit('a\nb', 3)).toBe('a b');
  });

  it('measures columns on the visible window only', () => {
    const top = visibleWindow(rows, 0, 5);
    expect(top.map((r) => r.id)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    // ID: max("ID", "r4") = 2; N: max("N", "4") = 1; NAME takes the rest of 40 - gutter 2 - gaps 2.
    expect(columnWidths(columns, top, 40)).toEqual([2, 33, 1]);
    const later = visibleWindow(rows, 995, 5);
    expect(columnWidths(columns, later, 40)).toEqual([4, 29, 3]);
  });

  it('shrinks the widest measured columns when the terminal is too narrow, keeping the last column', () => {
    const wide: Column<Row>[] = [
      { header: 'NAME', value: (r) => r.name, max: 26 },
      { header: 'ID', value: (r) => r.id },
      { header: 'SUBJECT', value: () => 'subject', flex: true, min: 8 },
      { header: 'N', value: (r) => String(r.n), width: 3, align: 'right' },
    ];
    const visible = visibleWindow(rows, 500, 1);
    expect(columnWidths(wide, visible, 80)).toEqual([23, 4, 45, 3]);
    // 2 gutter + 3 gaps + 8 subject + 3 n = 16: 20 left for NAME and ID.
    expect(columnWidths(wide, visible, 36)).toEqual([16, 4, 8, 3]);
    expect(rowLine(wide, columnWidths(wide, visible, 36), rows[500] as Row, false, 36)).toBe(
      '  a much longer n… r500 subject  500',
    );
  });

  it('draws a marked row with a dot in the gutter', () => {
    const widths = columnWidths(columns, rows.slice(0, 2), 30);
    expect(rowLine(columns, widths, rows[1] as Row, true, 30)).toBe('● r1 name-1                  1');
  });
});

describe('<Table>', () => {
  it('renders only the visible window, padded to its height', () => {
    const { lastFrame } = render(
      <Table
        columns={columns}
        rows={rows}
        rowKey={(r) => r.id}
        cursor={998}
        offset={996}
        height={5}
        width={30}
        marked={new Set(['r997'])}
      />,
    );
    expect(lastFrame()).toBe(
      [
        '  ID   NAME                  N',
        '  r996 name-996            996',
        '● r997 name-997            997',
        '  r998 name-998            998',
        '  r999 name-999            999',
        '',
      ].join('\n'),
    );
  });

  it('pads a short list with blank lines so the layout does not jump', () => {
    const { lastFrame } = render(
      <Table
        columns={columns}
        rows={rows.slice(0, 2)}
        rowKey={(r) => r.id}
        cursor={0}
        offset={0}
        height={4}
        width={20}
      />,
    );
    expect(lastFrame()?.split('\n')).toHaveLength(5);
  });
});
