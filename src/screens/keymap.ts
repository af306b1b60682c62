/**
 * The one keymap of the console. Screens handle commands (`queue.approve`), never raw keys; the help
 * bar and the searchable help overlay are generated from this table, so what the help says is what the
 * keys do. Scopes: `global` listens on every screen; `list` on every list screen; the others on their
 * screen only. A key is bound at most once per scope and never in both `global` and another scope
 * (tested).
 */

export const SCREENS = [
  'overview',
  'queue',
  'batches',
  'release',
  'traces',
  'webhooks',
  'scorecard',
] as const;
export type ScreenId = (typeof SCREENS)[number];

export const SCREEN_TITLES: Record<ScreenId, string> = {
  overview: 'Overview',
  queue: 'Queue',
  batches: 'Batches',
  release: 'Release',
  traces: 'Traces',
  webhooks: 'Webhooks',
  scorecard: 'Scorecard',
};

export type Scope = 'global' | 'list' | 'queue' | 'batches' | 'release' | 'traces' | 'webhooks';

/** A key as Ink reports it: a printable input, or a named special key. */
export type KeyName =
  'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'tab' | 'shiftTab' | 'return' | 'escape' | 'ctrlC';

export type KeySpec = { input: string } | { name: KeyName };

export interface Binding {
  command: string;
  scope: Scope;
  keys: readonly KeySpec[];
  description: string;
  /** Changes state: disabled (and explained) under --readonly. */
  mutating?: boolean;
  /** Shown in the bottom help bar of its scope. */
  bar?: boolean;
  /** Its word in the help bar and in read-only refusals (default: from the command name). */
  label?: string;
}

const k = (input: string): KeySpec => ({ input });
const n = (name: KeyName): KeySpec => ({ name });

const screenBindings: Binding[] = SCREENS.map((screen, index) => ({
  command: `screen.${screen}`,
  scope: 'global',
  keys: [k(String(index + 1))],
  description: `show ${SCREEN_TITLES[screen]}`,
}));

export const BINDINGS: readonly Binding[] = [
  ...screenBindings,
  { command: 'app.nextScreen', scope: 'global', keys: [n('tab')], description: 'next screen' },
  { command: 'app.prevScreen', scope: 'global', keys: [n('shiftTab')], description: 'previous screen' },
  { command: 'app.palette', scope: 'global', keys: [k(':')], description: 'command palette', bar: true },
  { command: 'app.help', scope: 'global', keys: [k('?')], description: 'help (searchable)', bar: true },
  { command: 'app.refresh', scope: 'global', keys: [k('R')], description: 'refresh now' },
  { command: 'app.quit', scope: 'global', keys: [k('q'), n('ctrlC')], description: 'quit', bar: true },

  { command: 'list.down', scope: 'list', keys: [k('j'), n('down')], description: 'move down' },
  { command: 'list.up', scope: 'list', keys: [k('k'), n('up')], description: 'move up' },
  { command: 'list.pageDown', scope: 'list', keys: [n('pageDown'), k('f')], description: 'page down' },
  { command: 'list.pageUp', scope: 'list', keys: [n('pageUp'), k('b')], description: 'page up' },
  { command: 'list.top', scope: 'list', keys: [k('g'), n('home')], description: 'first row' },
  { command: 'list.bottom', scope: 'list', keys: [k('G'), n('end')], description: 'last row' },
  { command: 'list.filter', scope: 'list', keys: [k('/')], description: 'filter (! inverts)', bar: true },
  { command: 'list.mark', scope: 'list', keys: [k(' ')], description: 'mark / unmark row' },

  {
    command: 'queue.approve',
    scope: 'queue',
    keys: [k('a')],
    description: 'approve draft',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.reject',
    scope: 'queue',
    keys: [k('r')],
    description: 'reject draft (then a category key)',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.undo',
    scope: 'queue',
    keys: [k('u')],
    description: 'undo last decision',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.approveMarked',
    scope: 'queue',
    keys: [k('A')],
    description: 'approve marked drafts',
    mutating: true,
    bar: true,
    label: 'bulk approve',
  },
  {
    command: 'queue.loadSamples',
    scope: 'queue',
    keys: [k('L')],
    description: 'load the sample drafts',
    mutating: true,
  },

  {
    command: 'batches.preview',
    scope: 'batches',
    keys: [k('p')],
    description: 'preview a batch of approved drafts',
    mutating: true,
    bar: true,
  },
  {
    command: 'batches.execute',
    scope: 'batches',
    keys: [k('x'), n('return')],
    description: 'execute batch (type the hash to confirm)',
    mutating: true,
    bar: true,
  },

  {
    command: 'release.rerun',
    scope: 'release',
    keys: [k('c'), n('return')],
    description: 're-run the selected check',
    mutating: true,
    bar: true,
  },
  {
    command: 'release.runAll',
    scope: 'release',
    keys: [k('C')],
    description: 'run every auto check',
    mutating: true,
  },
  {
    command: 'release.tick',
    scope: 'release',
    keys: [k('t')],
    description: 'tick the selected manual step',
    mutating: true,
    bar: true,
  },
  {
    command: 'release.export',
    scope: 'release',
    keys: [k('e')],
    description: 'export the completion report',
    bar: true,
  },

  {
    command: 'traces.story',
    scope: 'traces',
    keys: [k('c')],
    description: "this request's whole story (again: all)",
    bar: true,
  },
  {
    command: 'webhooks.toggleQuarantined',
    scope: 'webhooks',
    keys: [k('Q')],
    description: 'all / quarantined only',
    bar: true,
  },
];

/** The subset of Ink's `Key` we read (so tests and callers need not build a whole Key). */
export interface KeyEvent {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  tab?: boolean;
  shift?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** Ink's (input, key) as a KeySpec. */
export function keyOf(input: string, key: KeyEvent): KeySpec | undefined {
  if (key.ctrl && input === 'c') return { name: 'ctrlC' };
  if (key.upArrow) return { name: 'up' };
  if (key.downArrow) return { name: 'down' };
  if (key.pageUp) return { name: 'pageUp' };
  if (key.pageDown) return { name: 'pageDown' };
  if (key.home) return { name: 'home' };
  if (key.end) return { name: 'end' };
  if (key.tab) return { name: key.shift ? 'shiftTab' : 'tab' };
  if (key.return) return { name: 'return' };
  if (key.escape) return { name: 'escape' };
  if (key.ctrl || key.meta || input === '') return undefined;
  return { input };
}

function sameKey(a: KeySpec, b: KeySpec): boolean {
  if ('input' in a) return 'input' in b && a.input === b.input;
  return 'name' in b && a.name === b.name;
}

/** The command bound to this key in the first of `scopes` that binds it. */
export function resolveCommand(
  input: string,
  key: KeyEvent,
  scopes: readonly Scope[],
  bindings: readonly Binding[] = BINDINGS,
): Binding | undefined {
  const spec = keyOf(input, key);
  if (!spec) return undefined;
  for (const scope of scopes) {
    const found = bindings.find((b) => b.scope === scope && b.keys.some((bk) => sameKey(bk, spec)));
    if (found) return found;
  }
  return undefined;
}

export function bindingFor(command: string, bindings: readonly Binding[] = BINDINGS): Binding | undefined {
  return bindings.find((b) => b.command === command);
}

const KEY_LABELS: Record<KeyName, string> = {
  up: '↑',
  down: '↓',
  pageUp: 'PgUp',
  pageDown: 'PgDn',
  home: 'Home',
  end: 'End',
  tab: 'Tab',
  shiftTab: 'S-Tab',
  return: 'Enter',
  escape: 'Esc',
  ctrlC: 'C-c',
};

export function keyLabel(spec: KeySpec): string {
  if ('name' in spec) return KEY_LABELS[spec.name];
  return spec.input === ' ' ? 'space' : spec.input;
}

export function keysLabel(binding: Binding): string {
  return binding.keys.map(keyLabel).join('/');
}

/** Why a mutating command does nothing under --readonly (the key says why). */
export function readonlyReason(binding: Binding): string {
  return `Read-only: ${keysLabel(binding)} (${shortName(binding)}) is disabled; restart without --readonly to act`;
}

export interface HelpEntry {
  scope: Scope;
  keys: string;
  description: string;
  command: string;
  disabled: boolean;
}

/** The help overlay's rows, filtered by a case-insensitive query over keys, description and command. */
export function helpEntries(
  query: string,
  options: { readonly: boolean },
  bindings: readonly Binding[] = BINDINGS,
): HelpEntry[] {
  const q = query.trim().toLowerCase();
  return bindings
    .map((b) => ({
      scope: b.scope,
      keys: keysLabel(b),
      description: b.description,
      command: b.command,
      disabled: Boolean(b.mutating) && options.readonly,
    }))
    .filter(
      (e) =>
        q === '' ||
        e.keys.toLowerCase().includes(q) ||
        e.description.toLowerCase().includes(q) ||
        e.command.toLowerCase().includes(q),
    );
}

/** The short hints of the bottom bar for these scopes. */
export function barHints(
  scopes: readonly Scope[],
  bindings: readonly Binding[] = BINDINGS,
): { keys: string; description: string; mutating: boolean }[] {
  return scopes.flatMap((scope) =>
    bindings
      .filter((b) => b.scope === scope && b.bar)
      .map((b) => ({
        keys: keyLabel(b.keys[0] ?? { input: '?' }),
        description: shortName(b),
        mutating: Boolean(b.mutating),
      })),
  );
}

function shortName(binding: Binding): string {
  if (binding.label) return binding.label;
  const last = binding.command.split('.').pop() ?? binding.command;
  return last.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/** Palette entries: `:queue`, `:batches`, … plus a few actions. */
export const PALETTE: readonly { name: string; command: string; description: string }[] = [
  ...SCREENS.map((screen) => ({
    name: screen,
    command: `screen.${screen}`,
    description: `show ${SCREEN_TITLES[screen]}`,
  })),
  { name: 'help', command: 'app.help', description: 'show the keys' },
  { name: 'refresh', command: 'app.refresh', description: 'refresh every panel now' },
  { name: 'quit', command: 'app.quit', description: 'leave the console' },
];

/** Palette matches: prefix matches first, then substring matches. */
export function paletteMatches(query: string): typeof PALETTE {
  const q = query.trim().replace(/^:/, '').toLowerCase();
  if (q === '') return PALETTE;
  const prefix = PALETTE.filter((p) => p.name.startsWith(q));
  const rest = PALETTE.filter((p) => !p.name.startsWith(q) && p.name.includes(q));
  return [...prefix, ...rest];
}
