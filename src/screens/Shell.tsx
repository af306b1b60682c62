/**
 * The frame around the screens: tab bar, the active screen (or the palette / help overlay), the
 * status line and the help bar. Its one key handler feeds the shell reducer, which edits the open
 * overlay or runs the global command; a screen that holds the keys (filter, category, hash) pauses it.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { CommandPalette } from '../components/CommandPalette.js';
import { HelpBar } from '../components/HelpBar.js';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { TabBar } from '../components/TabBar.js';
import { fit } from '../components/table-layout.js';
import { useTheme } from '../components/theme.js';
import { ConsoleProvider, type ConsoleContextValue, type Tone } from './console-context.js';
import { HELP_NOTES } from './help-notes.js';
import {
  SCREENS,
  SCREEN_TITLES,
  barHints,
  helpEntries,
  paletteMatches,
  type Scope,
  type ScreenId,
} from './keymap.js';
import { SCREEN_COMPONENTS, SCREEN_SCOPES } from './registry.js';
import type { CommandRunner, KeyHandler, ScreenKeys } from './screen-props.js';
import { splitChunk } from './text-input.js';
import type { ConsoleServices, RemoteStatus } from './services.js';
import { initialShellState, shellReducer } from './shell-state.js';
import { useSyncReducer } from './use-sync-reducer.js';

const TABS = SCREENS.map((id) => ({ id, title: SCREEN_TITLES[id] }));
/** Tab bar, status line, help bar, and one spare line so Ink never switches to clearing the screen. */
export const CHROME_LINES = 4;

export interface ShellProps {
  services: ConsoleServices;
  readonly: boolean;
  width: number;
  height: number;
  intervals: ConsoleContextValue['intervals'];
  initialScreen?: ScreenId;
  onQuit?: () => void;
}

/** `maria (reviewer) @ https://… · live`: who acts where, and whether the event stream is up. */
function useRemoteHeader(
  remote: RemoteStatus | undefined,
): { text: string; tone: 'green' | 'red' | 'yellow' } | undefined {
  const [, bump] = useState(0);
  useEffect(() => remote?.onState(() => bump((n) => n + 1)), [remote]);
  if (!remote) return undefined;
  const { state, detail } = remote.state();
  const tone = state === 'live' ? 'green' : state === 'unauthorized' ? 'red' : 'yellow';
  const shown = state === 'unauthorized' ? `locked out: ${detail ?? 'token refused'}` : state;
  return { text: `${remote.operator} (${remote.role}) @ ${remote.url} · ${shown}`, tone };
}

export function Shell({ services, readonly, width, height, intervals, initialScreen, onQuit }: ShellProps) {
  const theme = useTheme();
  const { exit } = useApp();
  const [state, dispatch, ref] = useSyncReducer(shellReducer, () => initialShellState(initialScreen));
  const screenHandler = useRef<KeyHandler | undefined>(undefined);
  const screenRunner = useRef<CommandRunner | undefined>(undefined);
  // Each screen's state (filter, cursor, marks) survives switching screens: kept here, by screen.
  const memory = useRef(new Map<string, unknown>()).current;
  const [barScopes, setBarScopes] = useState<readonly Scope[] | undefined>(undefined);
  const notify = useCallback(
    (text: string, tone?: Tone) => dispatch({ type: 'notify', text, tone }),
    [dispatch],
  );
  const context = useMemo<ConsoleContextValue>(
    () => ({ services, readonly, intervals, refreshToken: state.refreshToken, notify, memory, setBarScopes }),
    [services, readonly, intervals, state.refreshToken, notify, memory],
  );
  const keys = useMemo<ScreenKeys>(
    () => ({
      attach: (handler, run) => {
        screenHandler.current = handler;
        screenRunner.current = run;
        return () => {
          if (screenHandler.current === handler) screenHandler.current = undefined;
          if (screenRunner.current === run) screenRunner.current = undefined;
        };
      },
    }),
    [],
  );

  useEffect(() => {
    if (!state.quitting) return;
    onQuit?.();
    exit();
  }, [state.quitting, exit, onQuit]);

  // A palette command for the shown screen (`:reject tone`), run once the screen is mounted.
  const pending = state.pending;
  useEffect(() => {
    if (!pending) return;
    const ran = screenRunner.current?.(pending.command, pending.arg) ?? false;
    if (!ran) notify(`:${pending.command} does nothing on this screen`, 'yellow');
    dispatch({ type: 'pendingDone', seq: pending.seq });
  }, [pending, notify, dispatch]);

  useEffect(() => {
    if (state.pendingAction !== 'pipeline') return;
    const done = (text: string, tone?: Tone) => {
      dispatch({ type: 'actionDone' });
      notify(text, tone);
    };
    if (readonly) return done('Read-only console: run `caio pipeline run` instead', 'yellow');
    if (!services.pipeline) return done('The pipeline is not available in this console', 'yellow');
    services.pipeline.run().then(
      (report) => {
        const skipped = Object.entries(report.skipped)
          .map(([reason, n]) => `${reason} ${n}`)
          .join(', ');
        done(
          `Pipeline: ${report.drafted} drafted of ${report.considered} lead(s)${skipped ? `; skipped ${skipped}` : ''}`,
          report.drafted > 0 ? 'green' : undefined,
        );
      },
      (error: unknown) =>
        done(`Pipeline failed: ${error instanceof Error ? error.message : String(error)}`, 'red'),
    );
  }, [state.pendingAction, services, readonly, dispatch, notify]);

  // The only stdin listener: each key goes to the shown screen first, then to the shell reducer.
  useInput((input, key) => {
    for (const [char, k] of splitChunk(input, key)) {
      dispatch({ type: 'keySeen' });
      if (ref.current.overlay === 'none' && screenHandler.current?.(char, k)) continue;
      dispatch({ type: 'key', input: char, key: k });
    }
  });

  const remote = useRemoteHeader(services.remote);
  // The header may be cut on a narrow terminal: a lock-out is also said in full on the status line.
  useEffect(() => {
    const status = services.remote;
    return status?.onState(() => {
      const { state: now, detail } = status.state();
      if (now === 'unauthorized')
        notify(
          `Locked out: ${detail ?? 'the server refused the token'}. Ask an admin for a new token, then start the console again.`,
          'red',
        );
    });
  }, [services.remote, notify]);
  const bodyHeight = Math.max(4, height - CHROME_LINES);
  const Screen = SCREEN_COMPONENTS[state.screen];
  const message = state.message;
  return (
    <ConsoleProvider value={context}>
      <Box flexDirection="column" width={width}>
        <TabBar
          tabs={TABS}
          active={state.screen}
          width={width}
          right={remote?.text}
          rightColor={remote ? theme.color(remote.tone) : undefined}
        />
        <Box height={bodyHeight} flexDirection="column" overflow="hidden">
          {state.overlay === 'palette' ? (
            <CommandPalette
              query={state.paletteQuery}
              items={paletteMatches(state.paletteQuery)}
              selected={state.paletteIndex}
              width={width}
            />
          ) : null}
          {state.overlay === 'help' ? (
            <HelpOverlay
              query={state.helpQuery}
              rows={helpEntries(state.helpQuery, { readonly, role: services.role })}
              notes={HELP_NOTES}
              scroll={state.helpScroll}
              width={width}
              height={bodyHeight}
            />
          ) : null}
          <Box display={state.overlay === 'none' ? 'flex' : 'none'} flexDirection="column">
            <Screen
              key={state.screen}
              width={width}
              height={bodyHeight}
              focused={state.overlay === 'none'}
              keys={keys}
            />
          </Box>
        </Box>
        <Text color={message?.tone ? theme.color(message.tone) : undefined} wrap="truncate">
          {fit(message?.text ?? ' ', width)}
        </Text>
        <HelpBar
          hints={barHints(
            [...(barScopes ?? SCREEN_SCOPES[state.screen]), 'global'],
            undefined,
            services.role,
          )}
          readonly={readonly}
          width={width}
        />
      </Box>
    </ConsoleProvider>
  );
}
