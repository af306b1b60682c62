/**
 * The one keymap of the console. Screens handle commands (`queue.approve`), never raw keys; the help
 * bar and the searchable help overlay are generated from this table, so what the help says is what the
 * keys do. Scopes: `global` listens on every screen; `list` on every list screen; the others on their
 * screen only. A key is bound at most once per scope and never in both `global` and another scope
 * (tested).
 */
import { aRole, roleAllows, rolesText, type Capability, type Role } from '../runtime/domain/operators.js';

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

export type Scope =
  'global' | 'list' | 'queue' | 'detail' | 'batches' | 'release' | 'traces' | 'webhooks' | 'scorecard';

/** A key as Ink reports it: a printable input, or a named special key. */
export type KeyName =
  'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'tab' | 'shiftTab' | 'return' | 'escape' | 'ctrlC';

export type KeySpec = { readonly input: string } | { readonly name: KeyName };

export interface Binding<C extends string = string> {
  readonly command: C;
  readonly scope: Scope;
  readonly keys: readonly KeySpec[];
  readonly description: string;
  /** Changes state: disabled (and explained) under --readonly. */
  readonly mutating?: boolean;
  /** Shown in the bottom help bar of its scope. */
  readonly bar?: boolean;
  /** Its word in the help bar and in read-only refusals (default: from the command name). */
  readonly label?: string;
}

const k = (input: string) => ({ input }) as const;
const n = (name: KeyName) => ({ name }) as const;

type ScreenCommand = `screen.${ScreenId}`;
const screenBindings = SCREENS.map((screen, index): Binding<ScreenCommand> => ({
  command: `screen.${screen}`,
  scope: 'global',
  keys: [k(String(index + 1))],
  description: `show ${SCREEN_TITLES[screen]}`,
}));

/** Every binding but the screen numbers; `as const` so the command names form a type. */
const COMMAND_BINDINGS = [
  { command: 'app.nextScreen', scope: 'global', keys: [n('tab')], description: 'next screen' },
  { command: 'app.prevScreen', scope: 'global', keys: [n('shiftTab')], description: 'previous screen' },
  { command: 'app.palette', scope: 'global', keys: [k(':')], description: 'command palette', bar: true },
  {
    command: 'app.help',
    scope: 'global',
    keys: [k('?')],
    description: 'help (scrolls, searchable)',
    bar: true,
  },
  { command: 'app.refresh', scope: 'global', keys: [k('R')], description: 'refresh now' },
  { command: 'app.quit', scope: 'global', keys: [k('q'), n('ctrlC')], description: 'quit', bar: true },

  { command: 'list.down', scope: 'list', keys: [k('j'), n('down')], description: 'move down' },
  { command: 'list.up', scope: 'list', keys: [k('k'), n('up')], description: 'move up' },
  { command: 'list.pageDown', scope: 'list', keys: [n('pageDown'), k('f')], description: 'page down' },
  { command: 'list.pageUp', scope: 'list', keys: [n('pageUp'), k('b')], description: 'page up' },
  { command: 'list.top', scope: 'list', keys: [k('g'), n('home')], description: 'first row' },
  { command: 'list.bottom', scope: 'list', keys: [k('G'), n('end')], description: 'last row' },
  {
    command: 'list.filter',
    scope: 'list',
    keys: [k('/')],
    description: 'filter: a regular expression; a leading ! keeps the rows that do not match',
    bar: true,
  },
  { command: 'list.clearFilter', scope: 'list', keys: [n('escape')], description: 'clear the filter' },
  { command: 'list.mark', scope: 'list', keys: [k(' ')], description: 'mark / unmark row' },

  {
    command: 'queue.open',
    scope: 'queue',
    keys: [n('return')],
    description: 'open the whole draft (scrollable)',
    bar: true,
    label: 'read',
  },
  {
    command: 'queue.approve',
    scope: 'queue',
    keys: [k('a')],
    description: 'approve draft (asks when critical)',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.reject',
    scope: 'queue',
    keys: [k('r')],
    description: 'reject draft: a category key, then an optional note',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.undo',
    scope: 'queue',
    keys: [k('u')],
    description: 'undo the last decision (a bulk approve included)',
    mutating: true,
    bar: true,
  },
  {
    command: 'queue.approveMarked',
    scope: 'queue',
    keys: [k('A')],
    description: 'approve the marked drafts (shows the count, asks y/n)',
    mutating: true,
    bar: true,
    label: 'bulk',
  },
  {
    command: 'queue.markAll',
    scope: 'queue',
    keys: [k('*')],
    description: 'mark every row the filter shows (up to 500)',
  },
  { command: 'queue.clearMarks', scope: 'queue', keys: [k('c')], description: 'clear the marks' },
  {
    command: 'queue.sort',
    scope: 'queue',
    keys: [k('s')],
    description: 'sort by age: oldest first / newest first',
  },
  {
    command: 'queue.loadSamples',
    scope: 'queue',
    keys: [k('L')],
    description: 'load the sample drafts',
    mutating: true,
  },

  {
    command: 'detail.down',
    scope: 'detail',
    keys: [k('j'), n('down')],
    description: 'scroll the draft down',
  },
  { command: 'detail.up', scope: 'detail', keys: [k('k'), n('up')], description: 'scroll the draft up' },
  {
    command: 'detail.pageDown',
    scope: 'detail',
    keys: [n('pageDown'), k('f'), k(' ')],
    description: 'a page down',
  },
  { command: 'detail.pageUp', scope: 'detail', keys: [n('pageUp'), k('b')], description: 'a page up' },
  { command: 'detail.top', scope: 'detail', keys: [k('g'), n('home')], description: 'top of the draft' },
  { command: 'detail.bottom', scope: 'detail', keys: [k('G'), n('end')], description: 'end of the draft' },
  {
    command: 'detail.close',
    scope: 'detail',
    keys: [n('escape')],
    description: 'back to the list',
    bar: true,
    label: 'back',
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
    bar: true,
    label: 'run all',
  },
  {
    command: 'release.tick',
    scope: 'release',
    keys: [k('t')],
    description: 'sign off the selected manual step (asks y/n to re-confirm over someone else)',
    mutating: true,
    bar: true,
  },
  {
    command: 'release.untick',
    scope: 'release',
    keys: [k('T')],
    description: "withdraw the selected step's sign-off (asks y/n)",
    mutating: true,
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

  {
    command: 'scorecard.signOff',
    scope: 'scorecard',
    keys: [k('s')],
    description: 'sign this week off (pto role; once per week)',
    mutating: true,
    bar: true,
    label: 'sign off',
  },
  {
    command: 'scorecard.forceSignOff',
    scope: 'scorecard',
    keys: [k('F')],
    description: 'sign off again over an earlier sign-off (kept, audited)',
    mutating: true,
    label: 'force sign-off',
  },
] as const satisfies readonly Binding[];

type CommandBinding = (typeof COMMAND_BINDINGS)[number];
/** Commands with no key, reached from the `:` palette only (`:pipeline`). */
export type PaletteOnlyCommand = 'app.pipeline';
/** Every command of the console: a misspelt command name does not compile. */
export type Command = ScreenCommand | CommandBinding['command'] | PaletteOnlyCommand;
/** The commands of one scope (a screen's handlers are a `Record<CommandOf<scope>, …>`). */
export type CommandOf<S extends Scope> = Extract<CommandBinding, { scope: S }>['command'];

export const BINDINGS: readonly Binding<Command>[] = [...screenBindings, ...COMMAND_BINDINGS];

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
  bindings: readonly Binding<Command>[] = BINDINGS,
): Binding<Command> | undefined {
  const spec = keyOf(input, key);
  if (!spec) return undefined;
  for (const scope of scopes) {
    const found = bindings.find((b) => b.scope === scope && b.keys.some((bk) => sameKey(bk, spec)));
    if (found) return found;
  }
  return undefined;
}

export function bindingFor(
  command: Command,
  bindings: readonly Binding<Command>[] = BINDINGS,
): Binding<Command> | undefined {
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

/** The bar is short of room at 80 columns: Enter shows as ↵ there. */
function barKeyLabel(spec: KeySpec): string {
  return 'name' in spec && spec.name === 'return' ? '↵' : keyLabel(spec);
}

export function keysLabel(binding: Binding): string {
  return binding.keys.map(keyLabel).join('/');
}

/** What each screen's mutating commands need of the acting role (the server checks the same). */
const SCOPE_CAPABILITY: Partial<Record<string, Capability>> = {
  queue: 'decide',
  batches: 'dispatch',
  release: 'release',
  scorecard: 'release',
};

/** Why the acting role may not run this command (remote console), or undefined when it may. */
export function roleReason(binding: Binding, role: Role | undefined): string | undefined {
  if (!role || !binding.mutating) return undefined;
  const need = SCOPE_CAPABILITY[binding.command.split('.')[0] ?? ''];
  if (!need || roleAllows(role, need)) return undefined;
  return `Disabled for ${aRole(role)}: ${keysLabel(binding)} (${shortName(binding)}) needs the ${rolesText(need)} role (the server answers 403)`;
}

/** Why a mutating command does nothing: --readonly first, else the acting role. */
export function disabledReason(
  binding: Binding,
  options: { readonly: boolean; role?: Role | undefined },
): string | undefined {
  if (options.readonly && binding.mutating) return readonlyReason(binding);
  return roleReason(binding, options.role);
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
  options: { readonly: boolean; role?: Role | undefined },
  bindings: readonly Binding[] = BINDINGS,
): HelpEntry[] {
  const q = query.trim().toLowerCase();
  return bindings
    .map((b) => ({
      scope: b.scope,
      keys: keysLabel(b),
      description: b.description,
      command: b.command,
      disabled: disabledReason(b, options) !== undefined,
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
  role?: Role,
): { keys: string; description: string; mutating: boolean; denied: boolean }[] {
  return scopes.flatMap((scope) =>
    bindings
      .filter((b) => b.scope === scope && b.bar)
      .map((b) => ({
        keys: barKeyLabel(b.keys[0] ?? { input: '?' }),
        description: shortName(b),
        mutating: Boolean(b.mutating),
        denied: roleReason(b, role) !== undefined,
      })),
  );
}

function shortName(binding: Binding): string {
  if (binding.label) return binding.label;
  const last = binding.command.split('.').pop() ?? binding.command;
  return last.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

export interface PaletteEntry {
  name: string;
  command: Command;
  description: string;
  /** What the argument is (`:reject tone`, `:sort -age`); the choices are checked by the handler. */
  arg?: string;
  /** Matched only when typed in full (`:q` quits; it does not open the Queue). */
  alias?: boolean;
}

/** Palette entries: screens (`:queue`), actions with arguments (`:reject tone`), and `:q`. */
export const PALETTE: readonly PaletteEntry[] = [
  ...SCREENS.map((screen) => ({
    name: screen,
    command: `screen.${screen}` as const,
    description: `show ${SCREEN_TITLES[screen]}`,
  })),
  { name: 'approve', command: 'queue.approve', description: 'approve the draft under the cursor' },
  {
    name: 'reject',
    command: 'queue.reject',
    description: 'reject the draft under the cursor',
    arg: 'CATEGORY',
  },
  { name: 'undo', command: 'queue.undo', description: 'undo the last decision' },
  { name: 'bulk', command: 'queue.approveMarked', description: 'approve the marked drafts (asks y/n)' },
  { name: 'sort', command: 'queue.sort', description: 'sort the queue by age', arg: 'age | -age' },
  { name: 'preview', command: 'batches.preview', description: 'preview a batch of approved drafts' },
  { name: 'signoff', command: 'scorecard.signOff', description: "sign this week's scorecard off (pto)" },
  { name: 'help', command: 'app.help', description: 'show the keys' },
  { name: 'refresh', command: 'app.refresh', description: 'refresh every panel now' },
  { name: 'pipeline', command: 'app.pipeline', description: 'draft stored leads into the queue' },
  { name: 'quit', command: 'app.quit', description: 'leave the console' },
  { name: 'q', command: 'app.quit', description: 'leave the console', alias: true },
];

/** The palette input split into the command word and its argument (`reject tone`). */
export function parsePalette(query: string): { word: string; arg: string | undefined } {
  const [word = '', ...rest] = query.trim().replace(/^:/, '').split(/\s+/);
  const arg = rest.join(' ').trim();
  return { word: word.toLowerCase(), arg: arg === '' ? undefined : arg };
}

/** Palette matches: an exact name first (`q` quits), then prefix matches, then substring matches. */
export function paletteMatches(query: string): readonly PaletteEntry[] {
  const { word } = parsePalette(query);
  if (word === '') return PALETTE.filter((p) => !p.alias);
  const exact = PALETTE.filter((p) => p.name === word);
  const prefix = PALETTE.filter((p) => !p.alias && p.name !== word && p.name.startsWith(word));
  const rest = PALETTE.filter((p) => !p.alias && !p.name.startsWith(word) && p.name.includes(word));
  return [...exact, ...prefix, ...rest];
}

/** The screen a scoped command belongs to (palette actions switch there first). */
export function screenOfCommand(command: Command): ScreenId | undefined {
  if (command.startsWith('queue.')) return 'queue';
  if (command.startsWith('batches.')) return 'batches';
  if (command.startsWith('release.')) return 'release';
  if (command.startsWith('webhooks.')) return 'webhooks';
  if (command.startsWith('scorecard.')) return 'scorecard';
  return undefined;
}
