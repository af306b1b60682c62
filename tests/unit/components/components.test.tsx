import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { CommandPalette } from '../../../src/components/CommandPalette.js';
import { formatRemaining } from '../../../src/components/Countdown.js';
import { DetailPane, wrapText } from '../../../src/components/DetailPane.js';
import { filterBarText } from '../../../src/components/FilterBar.js';
import { HelpBar, helpBarText } from '../../../src/components/HelpBar.js';
import { HelpOverlay } from '../../../src/components/HelpOverlay.js';
import { tabLabels } from '../../../src/components/TabBar.js';

describe('pure components', () => {
  it('formats remaining time', () => {
    expect(formatRemaining(900_000)).toBe('15:00');
    expect(formatRemaining(59_001)).toBe('1:00');
    expect(formatRemaining(59_000)).toBe('0:59');
    expect(formatRemaining(3_723_000)).toBe('1:02:03');
    expect(formatRemaining(0)).toBe('expired');
  });

  it('wraps words and cuts words longer than the width', () => {
    expect(wrapText('the quick brown fox', 9)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('a\n\nb', 5)).toEqual(['a', '', 'b']);
  });

  it('clips a detail pane to its height with an ellipsis line', () => {
    const { lastFrame } = render(
      <DetailPane
        lines={[{ text: 'one' }, { text: 'two' }, { text: 'three' }, { text: 'four' }]}
        width={10}
        height={3}
      />,
    );
    expect(lastFrame()).toBe('one\ntwo\n…');
  });

  it('describes the filter state', () => {
    expect(filterBarText('', false, 40, 40, 30)).toBe('40 rows                       ');
    expect(filterBarText('', false, 1, 1, 10)).toBe('1 row     ');
    expect(filterBarText('acme', true, 3, 40, 30).trimEnd()).toBe('/acme█  3 of 40');
    expect(filterBarText('!acme', false, 37, 40, 30).trimEnd()).toBe('filter: !acme  37 of 40');
  });

  it('builds the help bar, marking keys that --readonly turns off', () => {
    const hints = [
      { keys: 'a', description: 'approve', mutating: true },
      { keys: '?', description: 'help', mutating: false },
    ];
    expect(helpBarText(hints, false, 40).trimEnd()).toBe('a approve  ? help');
    expect(helpBarText(hints, true, 40).trimEnd()).toBe('[read-only] a approve (off)  ? help');
    expect(render(<HelpBar hints={hints} readonly={false} width={12} />).lastFrame()).toBe('a approve  …');
  });

  it('renders the palette with the selected entry and the help overlay rows', () => {
    const palette = render(
      <CommandPalette
        query="q"
        items={[
          { name: 'queue', description: 'show Queue' },
          { name: 'quit', description: 'leave' },
        ]}
        selected={1}
        width={30}
      />,
    ).lastFrame();
    expect(palette?.split('\n').map((l) => l.trimEnd())).toEqual([
      ':q█',
      '  queue      show Queue',
      '  quit       leave',
    ]);
    const help = render(
      <HelpOverlay
        query="ap"
        rows={[{ scope: 'queue', keys: 'a', description: 'approve draft', disabled: true }]}
        notes={['RUB  rubric findings', 'AGE  approval age']}
        scroll={0}
        width={60}
        height={6}
      />,
    ).lastFrame();
    expect(help?.split('\n').map((l) => l.trimEnd())).toEqual([
      'Help — type to search, ↑/↓ PgUp/PgDn scroll, Esc closes',
      'Search: ap█',
      'a            approve draft (disabled: read-only)  [queue]',
      'AGE  approval age',
      '',
      '',
    ]);
  });

  it('shortens tab labels to fit', () => {
    const tabs = [
      { id: 'a', title: 'Overview' },
      { id: 'b', title: 'Queue' },
    ];
    expect(tabLabels(tabs, 80)).toEqual([' 1 Overview ', ' 2 Queue ']);
    expect(tabLabels(tabs, 15)).toEqual([' 1 Ove ', ' 2 Que ']);
    expect(tabLabels(tabs, 8)).toEqual([' 1 ', ' 2 ']);
  });
});
