/**
 * argv -> command -> exit code. Everything that can go wrong ends here as a one-line message and an
 * exit code (2 usage/config, 1 failed check, 0 success); never a stack trace for expected problems.
 */
import { COMMANDS, findCommand } from '../commands/index.js';
import { errorMessage, isUserError, type ExitCode } from '../runtime/errors.js';
import type { CommandContext } from './command.js';
import { cliNextStep } from './hints.js';
import { writeLine } from './output.js';
import { VERSION } from './version.js';

export function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = [
    'CAIO Operator Console',
    '',
    'Usage: caio [command] [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Synopsis:',
    ...COMMANDS.map((command) => `  ${command.usage}`),
    '',
    'Every command takes --help. Exit codes: 0 success/PASS/GO, 1 check failed/NO-GO, 2 usage or configuration error.',
    'Configuration comes from the environment and --env-file (file values override); see .env.example.',
  ];
  return lines.join('\n');
}

export async function main(ctx: CommandContext): Promise<ExitCode> {
  const [first, ...rest] = ctx.argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    writeLine(ctx.stdout, globalHelp());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    writeLine(ctx.stdout, VERSION);
    return 0;
  }
  const name = first === undefined || first.startsWith('-') ? 'console' : first;
  const argv = first === undefined || first.startsWith('-') ? ctx.argv : rest;
  const entry = findCommand(name);
  if (!entry) {
    writeLine(ctx.stderr, `Error: unknown command "${name}"`);
    writeLine(ctx.stderr, 'Next: run `caio --help` to see every command.');
    return 2;
  }
  try {
    const module = await entry.load();
    return await module.run({ ...ctx, argv });
  } catch (error) {
    if (isUserError(error)) {
      writeLine(ctx.stderr, `Error: ${error.message}`);
      const next = cliNextStep(error);
      if (next) writeLine(ctx.stderr, `Next: ${next}`);
      return error.exitCode;
    }
    writeLine(ctx.stderr, `Internal error: ${errorMessage(error)}`);
    if (ctx.env.CAIO_DEBUG) writeLine(ctx.stderr, (error as Error)?.stack ?? '');
    writeLine(ctx.stderr, 'This is a bug in caio. Set CAIO_DEBUG=1 for the stack trace and report it.');
    return 2;
  }
}
