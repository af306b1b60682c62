import { render } from 'ink-testing-library';
import { App, type AppProps } from '../../../src/app.js';
import type { ScreenId } from '../../../src/screens/keymap.js';
import { TEST_INTERVALS, fakeServices, type FakeOptions } from './fake-services.js';

export const SIZE_80x24 = { columns: 80, rows: 24 };

/** Render the whole console over fake services at 80x24, without colour. */
export function mount(
  options: FakeOptions = {},
  props: {
    readonly?: boolean;
    initialScreen?: ScreenId;
    size?: { columns: number; rows: number } | 'terminal';
    intervals?: Partial<AppProps['intervals']>;
  } = {},
) {
  const fake = fakeServices(options);
  let quits = 0;
  const ui = render(
    <App
      services={fake.services}
      {...(props.size === 'terminal' ? {} : { size: props.size ?? SIZE_80x24 })}
      intervals={{ ...TEST_INTERVALS, ...props.intervals }}
      colors={false}
      onQuit={() => (quits += 1)}
      {...(props.readonly ? { readonly: true } : {})}
      {...(props.initialScreen ? { initialScreen: props.initialScreen } : {})}
    />,
  );
  const frame = () => ui.lastFrame() ?? '';
  /** Each key in its own stdin chunk, yielding to the event loop in between. */
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      ui.stdin.write(key);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { ...fake, ui, frame, press, quits: () => quits };
}
