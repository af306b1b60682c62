import { errorText } from './format.js';

/**
 * Run a screen action: its answer goes to the status line in green, a refusal in red, and the
 * screen's data is reloaded either way (the store is the truth, not what the action assumed).
 */
export async function reportAction(
  fn: () => Promise<string>,
  notify: (text: string, tone: 'green' | 'red') => void,
  reload: () => void,
): Promise<void> {
  try {
    notify(await fn(), 'green');
  } catch (error) {
    notify(errorText(error), 'red');
  }
  reload();
}
