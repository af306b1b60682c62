import { describe, expect, it } from 'vitest';
import {
  BINDINGS,
  SCREENS,
  barHints,
  helpEntries,
  keyLabel,
  paletteMatches,
  parsePalette,
  readonlyReason,
  resolveCommand,
  type Binding,
} from '../../../src/screens/keymap.js';

const label = (b: Binding) => b.keys.map(keyLabel);

describe('keymap', () => {
  it('binds each key at most once per scope, and never both globally and in a screen scope', () => {
    const seen = new Map<string, string>();
    for (const b of BINDINGS) {
      for (const key of label(b)) {
        const slot = `${b.scope}:${key}`;
        expect(seen.get(slot), `${key} bound twice in ${b.scope}`).toBeUndefined();
        seen.set(slot, b.command);
      }
    }
    const globalKeys = new Set(BINDINGS.filter((b) => b.scope === 'global').flatMap(label));
    for (const b of BINDINGS.filter((b) => b.scope !== 'global')) {
      for (const key of label(b))
        expect(globalKeys.has(key), `${key} of ${b.command} is also global`).toBe(false);
    }
  });

  it('resolves keys to commands in the first scope that binds them', () => {
    expect(resolveCommand('a', {}, ['list', 'queue', 'global'])?.command).toBe('queue.approve');
    expect(resolveCommand('A', {}, ['list', 'queue', 'global'])?.command).toBe('queue.approveMarked');
    expect(resolveCommand('j', {}, ['list'])?.command).toBe('list.down');
    expect(resolveCommand('', { downArrow: true }, ['list'])?.command).toBe('list.down');
    expect(resolveCommand('', { tab: true }, ['global'])?.command).toBe('app.nextScreen');
    expect(resolveCommand('', { tab: true, shift: true }, ['global'])?.command).toBe('app.prevScreen');
    expect(resolveCommand('c', { ctrl: true }, ['global'])?.command).toBe('app.quit');
    expect(resolveCommand('2', {}, ['global'])?.command).toBe('screen.queue');
    expect(resolveCommand('a', {}, ['global'])).toBeUndefined();
    expect(resolveCommand('a', { ctrl: true }, ['queue'])).toBeUndefined();
  });

  it('numbers every screen 1..7 in order', () => {
    SCREENS.forEach((screen, i) => {
      expect(resolveCommand(String(i + 1), {}, ['global'])?.command).toBe(`screen.${screen}`);
    });
  });

  it('generates searchable help from the table, marking mutating keys under --readonly', () => {
    const all = helpEntries('', { readonly: false });
    expect(all).toHaveLength(BINDINGS.length);
    const approve = helpEntries('approve', { readonly: true });
    expect(approve.map((e) => `${e.keys} ${e.description} ${e.disabled}`)).toEqual([
      'a approve draft (asks when critical) true',
      'u undo the last decision (a bulk approve included) true',
      'A approve the marked drafts (shows the count, asks y/n) true',
      'p preview a batch of approved drafts true',
    ]);
    expect(helpEntries('palette', { readonly: true })[0]).toMatchObject({ keys: ':', disabled: false });
  });

  it('says why a key is off under --readonly', () => {
    const approve = BINDINGS.find((b) => b.command === 'queue.approve') as Binding;
    expect(readonlyReason(approve)).toBe(
      'Read-only: a (approve) is disabled; restart without --readonly to act',
    );
  });

  it('builds the help bar hints of a screen', () => {
    expect(barHints(['queue']).map((h) => `${h.keys} ${h.description}`)).toEqual([
      '↵ read',
      'a approve',
      'r reject',
      'u undo',
      'A bulk',
    ]);
  });

  it('matches palette commands by prefix first', () => {
    // `:q` quits (an exact name wins); then the prefix matches.
    expect(paletteMatches(':q').map((p) => p.name)).toEqual(['q', 'queue', 'quit']);
    expect(paletteMatches(':q')[0]?.command).toBe('app.quit');
    expect(paletteMatches('reject tone').map((p) => p.name)).toEqual(['reject']);
    expect(parsePalette(':reject  Tone ')).toEqual({ word: 'reject', arg: 'Tone' });
    expect(paletteMatches('sort').map((p) => p.command)).toEqual(['queue.sort']);
    expect(paletteMatches('batch').map((p) => p.name)).toEqual(['batches']);
    expect(paletteMatches('hook').map((p) => p.name)).toEqual(['webhooks']);
  });
});
