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
    // A misspelt command does not compile (the Command union is derived from the binding table).
    // @ts-expect-error: 'screen.nope' is not a Command
    expect(run(s, { type: 'command', command: 'screen.nope' })).toBe(s);
  });

  it('runs the palette: type, move, accept', () => {
    let s = run(initialShellState(), { type: 'command', command: 'app.palette' });
    expect(s.overlay).toBe('palette');
    s = run(s, { type: 'paletteQuery', query: 'q' }, { type: 'paletteMove', delta: 1 });
    expect(s.paletteIndex).toBe(1);
    s = run(s, { type: 'paletteMove', delta: 2 });
    expect(s.paletteIndex).toBe(0);
    s = run(s, { type: 'paletteMove', delta: 1 }, { type: 'paletteAccept' });
    expect([s.overlay, s.screen, s.quitting]).toEqual(['none', 'queue', false]);
  });

  it(':q quits (it does not open the Queue)', () => {
    const s = run(
      initialShellState(),
      { type: 'command', command: 'app.palette' },
      { type: 'paletteQuery', query: 'q' },
      { type: 'paletteAccept' },
    );
    expect(s.quitting).toBe(true);
  });

  it('runs actions with arguments: :reject tone goes to the Queue and hands it the command', () => {
    const s = run(
      initialShellState('overview'),
      { type: 'command', command: 'app.palette' },
      { type: 'paletteQuery', query: 'reject tone' },
      { type: 'paletteAccept' },
    );
    expect(s.screen).toBe('queue');
    expect(s.pending).toMatchObject({ command: 'queue.reject', arg: 'tone' });
    expect(run(s, { type: 'pendingDone', seq: s.pending!.seq }).pending).toBeUndefined();
    const sorted = run(
      s,
      { type: 'command', command: 'app.palette' },
      { type: 'paletteQuery', query: 'sort -age' },
      { type: 'paletteAccept' },
    );
    expect(sorted.pending).toMatchObject({ command: 'queue.sort', arg: '-age' });
    const help = run(
      s,
      { type: 'command', command: 'app.palette' },
      { type: 'paletteQuery', query: 'help me' },
      { type: 'paletteAccept' },
    );
    expect(help.message?.text).toBe(':help takes no argument (got "me")');
  });

  it('keeps a refusal on the status line until the next key', () => {
    let s = run(initialShellState(), { type: 'notify', text: 'Refused: capacity', tone: 'red' });
    s = run(s, { type: 'notify', text: 'Approved x', tone: 'green' });
    expect(s.message?.text).toBe('Refused: capacity');
    s = run(s, { type: 'keySeen' });
    expect(s.message).toBeUndefined();
    s = run(s, { type: 'notify', text: 'Approved y', tone: 'green' });
    expect(s.message?.text).toBe('Approved y');
  });

  it('scrolls the help with the arrows and PageDown; typing searches from the top', () => {
    let s = run(initialShellState(), { type: 'command', command: 'app.help' });
    s = run(
      s,
      { type: 'key', input: '', key: { pageDown: true } },
      { type: 'key', input: '', key: { downArrow: true } },
    );
    expect(s.helpScroll).toBe(11);
    s = run(s, { type: 'key', input: 'j', key: {} });
    expect([s.helpQuery, s.helpScroll]).toEqual(['j', 0]);
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
