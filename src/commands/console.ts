/**
 * `caio` / `caio console`: the interactive console over an in-process runtime and the same HTTP
 * server as `caio serve`. The terminal is left as it was found: the alternate screen is entered and
 * left, the cursor restored, the server stopped and the stores closed, whatever way the console ends.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UserError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { loadEnv } from '../runtime/services/load-env.js';
import { createRuntime } from '../runtime/services/runtime.js';
import { SCREENS, type ScreenId } from '../screens/keymap.js';
import type { QueueSummary } from '../screens/remote-services.js';
import type { ConsoleServices } from '../screens/services.js';
import { projectRoot } from './project-root.js';
import { resolveActor } from './queue.js';

const HELP = `Usage: caio [console] [--readonly] [--env-file F] [--mode M] [--port N] [--screen S]
                     [--by NAME] [--release ID]
       caio console --remote URL [--token T] [--readonly] [--screen S]

The interactive console: live Redis/Inngest health, the approval queue, Gatekeeper batches, the
release checklist, traces, webhooks and the scorecard, over the same runtime and HTTP server as
\`caio serve\` (port from PORT; when it is taken the console says so and serves on a free port).

Keys: 1-7 or Tab switch screens, : command palette (:approve, :reject tone, :sort -age, :q),
/ filter by regular expression (! inverts, Esc clears), j/k move, Enter reads the whole draft,
space marks, * marks all shown, a approve, r reject (a category key, then an optional note),
u undo (a bulk approve too), A approve marked (asks y/n), s sort by age, ? help, q quit.

Flags:
  --readonly      disable every mutating action (the keys say why)
  --env-file F    env file (its values override the environment; default ./.env if present)
  --mode M        development | staging | production (default: CAIO_MODE)
  --port N        HTTP port (default: PORT, 8080; 0 = any free port)
  --screen S      open on ${SCREENS.join(' | ')} (default: overview)
  --remote URL    attach to a deployed runtime (default: $CAIO_REMOTE_URL) over its authenticated API,
                  live through /api/events; no local record, no local server
  --token T       the operator token for --remote (default: $CAIO_TOKEN); the server decides who acts
                  and what the role allows
  --by NAME       who acts (default: $CAIO_OPERATOR, else your OS user name): the same identity as
                  the CLI's --by, compared case-insensitively (capacity, undo, audit)
  --release ID    the release the Release screen shows and signs off (default: the newest one
                  \`caio release check --release ID\` stored for this env, else v<version>)

Needs an interactive terminal; for scripts use \`caio status\` (--json).
Exit codes: 0 quit normally, 2 configuration error, no terminal, or a remote URL that is not a caio
runtime, refuses the token or fails TLS.`;

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      readonly: { type: 'boolean' },
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
      port: { type: 'number' },
      screen: { type: 'string', choices: SCREENS },
      by: { type: 'string' },
      remote: { type: 'string' },
      token: { type: 'string' },
      release: { type: 'string' },
    },
    'console',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  // Remote: the URL and token are checked before the terminal, so each mistake says which first.
  // The env file counts (CAIO_REMOTE_URL, CAIO_TOKEN), but no local config is validated for --remote.
  const env = loadEnv({ cwd: ctx.cwd, processEnv: ctx.env, envFile: flags.envFile }).env;
  const remoteUrl = flags.remote ?? (env.CAIO_REMOTE_URL || undefined);
  if (remoteUrl !== undefined)
    return runRemote(ctx, remoteUrl, flags.token ?? (env.CAIO_TOKEN || undefined), flags);
  requireTerminal(ctx);
  if (flags.token !== undefined)
    throw new UserError('--token is for --remote', {
      code: 'usage',
      exitCode: 2,
      nextStep: 'Pass --remote URL too (or set CAIO_REMOTE_URL), or drop --token for the local console.',
    });
  const { config, loaded } = loadCommandConfig(ctx, flags);
  // One identity with the CLI: --by, else CAIO_OPERATOR, else the OS user (the same function).
  const actor = resolveActor(flags.by, ctx.env);
  // React's development build keeps debug records of every render (console.createTask in Node): an
  // idle console re-rendering every few seconds grew by megabytes a second. Run the production build.
  process.env.NODE_ENV ??= 'production';
  // Load React, Ink and the screens only now: `caio --help` and the one-shot commands never pay for them.
  const { startConsoleRuntime } = await import('../screens/console-runtime.js');
  const runtime = await createRuntime(config, { role: 'console' });
  const samples = join(projectRoot(), 'samples', 'drafts.jsonl');
  const started = await startConsoleRuntime(runtime, {
    actor,
    port: flags.port ?? config.PORT,
    host: config.HOST,
    samplesFile: existsSync(samples) ? samples : undefined,
    cwd: ctx.cwd,
    projectRoot: projectRoot(),
    rawEnv: loaded.env,
    releaseId: flags.release,
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });

  try {
    await renderConsole(ctx, started.services, flags);
  } finally {
    await started.close().catch((error: unknown) => {
      writeLine(ctx.stderr, `Warning: stopping the HTTP server failed: ${errorMessage(error)}`);
    });
    await runtime.close();
  }
  if (started.notice) writeLine(ctx.stdout, started.notice);
  return 0;
}

function requireTerminal(ctx: CommandContext): void {
  const stdout = ctx.stdout as NodeJS.WriteStream;
  if (!stdout.isTTY || !process.stdin.isTTY) {
    throw new UserError('caio console needs an interactive terminal (stdin and stdout must be a TTY)', {
      nextStep: 'Run it in a terminal, or use `caio status` (--json) for a one-shot report.',
      code: 'no_tty',
    });
  }
}

/** The alternate screen, the App until it quits, and the terminal restored whatever way it ends. */
async function renderConsole(
  ctx: CommandContext,
  services: ConsoleServices,
  flags: { readonly?: boolean | undefined; screen?: string | undefined },
): Promise<void> {
  const stdout = ctx.stdout as NodeJS.WriteStream;
  const stdin = process.stdin;
  const [{ createElement }, { render }, { App }] = await Promise.all([
    import('react'),
    import('ink'),
    import('../app.js'),
  ]);
  stdout.write(ENTER_ALT_SCREEN);
  try {
    const instance = render(
      createElement(App, {
        services,
        readonly: flags.readonly ?? false,
        colors: ctx.env.NO_COLOR === undefined && ctx.env.FORCE_COLOR !== '0',
        ...(flags.screen ? { initialScreen: flags.screen as ScreenId } : {}),
      }),
      { stdout, stdin, stderr: ctx.stderr as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: true },
    );
    const stop = () => instance.unmount();
    ctx.stopSignal.addEventListener('abort', stop, { once: true });
    try {
      await instance.waitUntilExit();
    } finally {
      ctx.stopSignal.removeEventListener('abort', stop);
      instance.cleanup();
    }
  } finally {
    stdout.write(LEAVE_ALT_SCREEN + SHOW_CURSOR);
    stdin.setRawMode?.(false);
    stdin.pause();
  }
}

/**
 * `--remote URL`: no config, no record, no server here. The URL must be a caio runtime and the token
 * an operator's (each failure exits 2 saying which) before the screen opens.
 */
async function runRemote(
  ctx: CommandContext,
  url: string,
  token: string | undefined,
  flags: { readonly?: boolean | undefined; screen?: string | undefined; by?: string | undefined },
): Promise<ExitCode> {
  if (flags.by !== undefined)
    throw new UserError('--by does not apply to --remote: the server acts as the operator of the token', {
      code: 'usage',
      exitCode: 2,
      nextStep: 'Drop --by, or pass the token of the operator who should act.',
    });
  process.env.NODE_ENV ??= 'production';
  const { createRemoteClient, probeRemote } = await import('../screens/remote-client.js');
  const { createRemoteServices } = await import('../screens/remote-services.js');
  const client = createRemoteClient({ url, token: token ?? '' });
  const identity = await probeRemote(client, token);
  const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
  requireTerminal(ctx);
  const remote = createRemoteServices({ client, identity, url, token: token ?? '', summary });
  try {
    await renderConsole(ctx, remote.services, flags);
  } finally {
    remote.close();
  }
  return 0;
}
