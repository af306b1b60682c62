/**
 * The app shell as a pure reducer: which screen shows, which overlay (palette, help) has the keys,
 * the status-line message, the refresh token and whether we are quitting.
 */
import type { Tone } from './console-context.js';
import {
  SCREENS,
  paletteMatches,
  parsePalette,
  resolveCommand,
  screenOfCommand,
  type Command,
  type CommandOf,
  type PaletteOnlyCommand,
  type KeyEvent,
  type ScreenId,
} from './keymap.js';
import { editText, type EditKey } from './text-input.js';

export type Overlay = 'none' | 'palette' | 'help';

export interface ShellState {
  screen: ScreenId;
  overlay: Overlay;
  paletteQuery: string;
  paletteIndex: number;
  helpQuery: string;
  /** First help line shown (the help scrolls with the arrows and PageUp/PageDown). */
  helpScroll: number;
  /** A red message (a refusal) stays until the next key; later messages do not overwrite it. */
  message: { text: string; tone: Tone; sticky: boolean } | undefined;
  /** A screen command from the palette, for the shown screen to run (`:reject tone`). */
  pending: { command: Command; arg: string | undefined; seq: number } | undefined;
  refreshToken: number;
  quitting: boolean;
  /** A side effect the Shell runs once (`:pipeline`); cleared with `actionDone`. */
  pendingAction: 'pipeline' | undefined;
}

export type ShellAction =
  /** A keystroke: edits the open overlay, or runs the global command bound to it. */
  | { type: 'key'; input: string; key: EditKey }
  | { type: 'command'; command: Command }
  | { type: 'paletteQuery'; query: string }
  | { type: 'paletteMove'; delta: number }
  | { type: 'paletteAccept' }
  | { type: 'helpQuery'; query: string }
  | { type: 'closeOverlay' }
  | { type: 'notify'; text: string; tone: Tone }
  | { type: 'clearMessage' }
  /** Any key was pressed (also those a screen used): a refusal's message has been seen. */
  | { type: 'keySeen' }
  /** The screen ran (or refused) the palette's command. */
  | { type: 'pendingDone'; seq: number }
  /** The Shell finished a side effect (`:pipeline`). */
  | { type: 'actionDone' };

export function initialShellState(screen: ScreenId = 'overview'): ShellState {
  return {
    screen,
    overlay: 'none',
    paletteQuery: '',
    paletteIndex: 0,
    helpQuery: '',
    helpScroll: 0,
    message: undefined,
    pending: undefined,
    refreshToken: 0,
    quitting: false,
    pendingAction: undefined,
  };
}

function step(screen: ScreenId, delta: number): ScreenId {
  const index = SCREENS.indexOf(screen);
  return SCREENS[(index + delta + SCREENS.length) % SCREENS.length] ?? screen;
}

type GlobalCommand = CommandOf<'global'> | PaletteOnlyCommand | `screen.${ScreenId}`;

/** The shell's handlers: one per global command (a missing or misspelt one does not compile). */
const GLOBAL: Record<Exclude<GlobalCommand, `screen.${ScreenId}`>, (state: ShellState) => ShellState> = {
  'app.nextScreen': (state) => ({ ...state, overlay: 'none', screen: step(state.screen, 1) }),
  'app.prevScreen': (state) => ({ ...state, overlay: 'none', screen: step(state.screen, -1) }),
  'app.palette': (state) => ({ ...state, overlay: 'palette', paletteQuery: '', paletteIndex: 0 }),
  'app.help': (state) => ({ ...state, overlay: 'help', helpQuery: '', helpScroll: 0 }),
  'app.refresh': (state) => ({
    ...state,
    overlay: 'none',
    refreshToken: state.refreshToken + 1,
    message: { text: 'Refreshing…', tone: undefined, sticky: false },
  }),
  'app.quit': (state) => ({ ...state, overlay: 'none', quitting: true }),
  'app.pipeline': (state) =>
    state.pendingAction
      ? {
          ...state,
          overlay: 'none',
          message: { text: 'The pipeline is already running…', tone: 'yellow', sticky: false },
        }
      : {
          ...state,
          overlay: 'none',
          pendingAction: 'pipeline',
          message: { text: 'Running the pipeline…', tone: undefined, sticky: false },
        },
};

function isGlobal(command: Command): command is GlobalCommand {
  return command.startsWith('screen.') || command in GLOBAL;
}

/** Global commands run here; a screen's command (from the palette) switches there and waits for it. */
function runCommand(state: ShellState, command: Command, arg?: string): ShellState {
  if (command.startsWith('screen.')) {
    const screen = command.slice('screen.'.length) as ScreenId;
    return SCREENS.includes(screen) ? { ...state, overlay: 'none', screen } : state;
  }
  if (isGlobal(command)) return GLOBAL[command as keyof typeof GLOBAL](state);
  const screen = screenOfCommand(command) ?? state.screen;
  return {
    ...state,
    overlay: 'none',
    screen,
    pending: { command, arg, seq: (state.pending?.seq ?? 0) + 1 },
  };
}

function onKey(state: ShellState, input: string, key: EditKey): ShellState {
  switch (state.overlay) {
    case 'palette': {
      if (key.upArrow || key.downArrow)
        return shellReducer(state, { type: 'paletteMove', delta: key.upArrow ? -1 : 1 });
      const edit = editText(state.paletteQuery, input, key);
      if (edit.done === 'cancel') return { ...state, overlay: 'none' };
      if (edit.done === 'accept') return shellReducer(state, { type: 'paletteAccept' });
      return edit.value === state.paletteQuery
        ? state
        : { ...state, paletteQuery: edit.value, paletteIndex: 0 };
    }
    case 'help': {
      const scroll = helpScrollDelta(key);
      if (scroll !== undefined) return { ...state, helpScroll: Math.max(0, state.helpScroll + scroll) };
      const edit = editText(state.helpQuery, input, key);
      if (edit.done) return { ...state, overlay: 'none' };
      return edit.value === state.helpQuery ? state : { ...state, helpQuery: edit.value, helpScroll: 0 };
    }
    case 'none': {
      const binding = resolveCommand(input, key as KeyEvent, ['global']);
      return binding ? runCommand(state, binding.command) : state;
    }
  }
}

/** Help scrolling: arrows by a line, PageUp/PageDown by a page (letters go to the search). */
function helpScrollDelta(key: EditKey): number | undefined {
  if (key.downArrow) return 1;
  if (key.upArrow) return -1;
  if (key.pageDown) return 10;
  if (key.pageUp) return -10;
  if (key.home) return -1_000_000;
  return undefined;
}

export function shellReducer(state: ShellState, action: ShellAction): ShellState {
  switch (action.type) {
    case 'key': {
      // A key ends a refusal's stay on the status line.
      const seen = state.message?.sticky ? { ...state, message: undefined } : state;
      return onKey(seen, action.input, action.key);
    }
    case 'command':
      return runCommand(state, action.command);
    case 'paletteQuery':
      return { ...state, paletteQuery: action.query, paletteIndex: 0 };
    case 'paletteMove': {
      const count = paletteMatches(state.paletteQuery).length;
      if (count === 0) return state;
      return { ...state, paletteIndex: (state.paletteIndex + action.delta + count) % count };
    }
    case 'paletteAccept': {
      const match = paletteMatches(state.paletteQuery)[state.paletteIndex];
      if (!match) {
        return {
          ...state,
          overlay: 'none',
          message: {
            text: `Unknown command ":${state.paletteQuery}" (press : and look at the list)`,
            tone: 'yellow',
            sticky: true,
          },
        };
      }
      const { arg } = parsePalette(state.paletteQuery);
      if (arg !== undefined && !match.arg) {
        return {
          ...state,
          overlay: 'none',
          message: { text: `:${match.name} takes no argument (got "${arg}")`, tone: 'yellow', sticky: true },
        };
      }
      return runCommand({ ...state, overlay: 'none' }, match.command, arg);
    }
    case 'pendingDone':
      return state.pending?.seq === action.seq ? { ...state, pending: undefined } : state;
    case 'helpQuery':
      return { ...state, helpQuery: action.query };
    case 'closeOverlay':
      return { ...state, overlay: 'none' };
    case 'notify': {
      const sticky = action.tone === 'red' || action.tone === 'yellow';
      // A refusal stays until the next key: a later success does not overwrite it unseen.
      if (state.message?.sticky && !sticky) return state;
      return { ...state, message: { text: action.text, tone: action.tone, sticky } };
    }
    case 'keySeen':
      return state.message?.sticky ? { ...state, message: undefined } : state;
    case 'actionDone':
      return { ...state, pendingAction: undefined };
    case 'clearMessage':
      return state.message ? { ...state, message: undefined } : state;
  }
}
