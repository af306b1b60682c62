import { describe, expect, it } from 'vitest';
import {
  initialShellState,
  shellReducer,
  type ShellAction,
  type ShellState,
} from '../../../src/screens/shell-state.js';
import { editText, splitChunk } from '../../../src/screens/text-input.js';

const run = (state: ShellState, ...actions: ShellAction[]) => actions.reduce(shellReducer, state);

describe('shellReducer', () => {
  it('switches screens by command, Tab and Shift-Tab (wrapping)', () => {
    const s = initialShellState();
    expect(run(s, { type: 'command', command: 'screen.queue' }).screen).toBe('queue');
    expect(run(s, { type: 'command', command: 'app.nextScreen' }).screen).toBe('queue');
    expect(run(s, { type: 'command', command: 'app.prevScreen' }).screen).toBe('scorecard');
    expect(run(s, { type: 'command', command: 'screen.nope' })).toBe(s);
  });

  it('runs the palette: type, move, accept', () => {
    let s = run(initialShellState(), { type: 'command', command: 'app.palette' });
    expect(s.overlay).toBe('palette');
    s = run(s, { type: 'paletteQuery', query: 'q' }, { type: 'paletteMove', delta: 1 });
    expect(s.paletteIndex).toBe(1);
    s = run(s, { type: 'paletteMove', delta: 1 });
    expect(s.paletteIndex).toBe(0);
    s = run(s, { type: 'paletteAccept' });
    expect([s.overlay, s.screen]).toEqual(['none', 'queue']);
  });

  it('explains an unknown palette command', () => {
    const s = run(
      initialShellState(),
      { type: 'command', command: 'app.palette' },
      { type: 'paletteQuery', query: 'zzz' },
      { type: 'paletteAccept' },
    );
    expect(s.overlay).toBe('none');
    expect(s.message?.text).toBe('Unknown command ":zzz" (press : and look at the list)');
  });

  it('bumps the refresh token, opens help, quits', () => {
    const s = initialShellState();
    expect(run(s, { type: 'command', command: 'app.refresh' }).refreshToken).toBe(1);
    expect(run(s, { type: 'command', command: 'app.help' }).overlay).toBe('help');
    expect(run(s, { type: 'command', command: 'app.quit' }).quitting).toBe(true);
    expect(run(s, { type: 'paletteQuery', query: 'quit' }, { type: 'paletteAccept' }).quitting).toBe(true);
  });
});

describe('editText', () => {
  it('appends, deletes, accepts and cancels', () => {
    expect(editText('ab', 'c', {})).toEqual({ value: 'abc' });
    expect(editText('ab', '', { backspace: true } as never)).toEqual({ value: 'a' });
    expect(editText('ab', '', { return: true })).toEqual({ value: 'ab', done: 'accept' });
    expect(editText('ab', '', { escape: true })).toEqual({ value: 'ab', done: 'cancel' });
    expect(editText('ab', 'x', { ctrl: true })).toEqual({ value: 'ab' });
  });
});

describe('splitChunk', () => {
  it('splits typed-ahead text into keystrokes, with Enter, Tab and Backspace inside the chunk', () => {
    expect(splitChunk('r3', {})).toEqual([
      ['r', {}],
      ['3', {}],
    ]);
    expect(splitChunk('ab\r', {})).toEqual([
      ['a', {}],
      ['b', {}],
      ['', { return: true }],
    ]);
    expect(splitChunk('x\u007f\t', {})).toEqual([
      ['x', {}],
      ['', { backspace: true }],
      ['', { tab: true }],
    ]);
    expect(splitChunk('', { return: true })).toEqual([['', { return: true }]]);
    expect(splitChunk('c', { ctrl: true })).toEqual([['c', { ctrl: true }]]);
  });
});
