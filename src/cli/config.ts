import { loadConfig } from '../runtime/services/load-env.js';
import type { CommandContext } from './command.js';

/** Configuration for a command: its cwd and environment, plus its --env-file and --mode flags. */
export function loadCommandConfig(
  ctx: Pick<CommandContext, 'cwd' | 'env'>,
  flags: { envFile?: string | undefined; mode?: string | undefined },
): ReturnType<typeof loadConfig> {
  return loadConfig({ cwd: ctx.cwd, processEnv: ctx.env, envFile: flags.envFile, mode: flags.mode });
}
