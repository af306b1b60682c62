import { UserError } from '../runtime/errors.js';
import type { CommandModule } from '../cli/command.js';

/** Placeholder for a command of SPEC 3 that this build does not ship yet: exits 2 and says so. */
export function notAvailable(name: string): CommandModule {
  return {
    async run() {
      throw new UserError(`\`caio ${name}\` is not available yet in this build`, {
        nextStep: 'See README.md, section "Commands", for what is available now.',
        code: 'not_available',
      });
    },
  };
}
