import { useCallback, useEffect, useRef } from 'react';
import { isUserError } from '../runtime/errors.js';
import { useConsole } from './console-context.js';
import { errorText } from './format.js';
import { bindingFor, readonlyReason, resolveCommand, type Command } from './keymap.js';
import type { ScreenKeys } from './screen-props.js';
import type { ScorecardView } from './services.js';
import { usePoll } from './use-poll.js';

/** The week's scorecard, polled; `s` signs it off as the console's operator, `F` over an earlier sign-off. */
export function useScorecardScreen({ keys }: { keys: ScreenKeys }) {
  const { services, intervals, refreshToken, readonly, notify } = useConsole();
  const port = services.scorecard;
  const load = useCallback(
    (): Promise<ScorecardView> => (port ? port.current() : Promise.reject(new Error('unavailable'))),
    [port],
  );
  const poll = usePoll(port ? load : undefined, intervals.data * 5, services.now, refreshToken);

  const run = useRef<(command: Command) => boolean>(() => false);
  run.current = (command) => {
    if (command !== 'scorecard.signOff' && command !== 'scorecard.forceSignOff') return false;
    const binding = bindingFor(command);
    if (readonly && binding) {
      notify(readonlyReason(binding), 'yellow');
      return true;
    }
    const signOff = port?.signOff;
    if (!signOff) {
      notify('Signing off is not available in this console.', 'yellow');
      return true;
    }
    notify(`Signing off as ${services.actor}…`, 'yellow');
    signOff(command === 'scorecard.forceSignOff').then(
      (message) => {
        notify(message, 'green');
        poll.reload();
      },
      (error: unknown) =>
        // The screen already shows who signed and when: the refusal only needs to name the way on.
        isUserError(error) && error.code === 'scorecard_already_signed'
          ? notify('This week is already signed off: F signs it again (the first is kept)', 'yellow')
          : notify(errorText(error), 'red'),
    );
    return true;
  };
  useEffect(
    () =>
      keys.attach(
        (input, key) => {
          const binding = resolveCommand(input, key, ['scorecard']);
          return binding ? run.current(binding.command) : false;
        },
        (command) => run.current(command),
      ),
    [keys],
  );

  return { state: { available: port !== undefined, actor: services.actor, ...poll } };
}
