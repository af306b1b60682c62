/**
 * `caio serve`: the runtime headless. JSON log lines (pino, secrets redacted), SIGTERM/SIGINT stop
 * accepting, drain in-flight requests, commit pending webhook rows, close the runtime, exit 0.
 */
import pino, { type Logger } from 'pino';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeLine } from '../cli/output.js';
import { MODES, secretValues } from '../runtime/config.js';
import { UsageError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { redact } from '../runtime/mask.js';
import { validateEnv } from '../runtime/domain/env-rules.js';
import { exampleValues } from '../runtime/services/load-env.js';
import { projectRoot } from './project-root.js';
import { createRuntime } from '../runtime/services/runtime.js';
import { installProcessPolicy } from '../server/process-policy.js';
import { startServer } from '../server/start.js';
import { createReleasePort } from '../screens/release-port.js';

const HELP = `Usage: caio serve [--env-file F] [--mode M] [--port N] [--host H] [--log-level L]

Runs the runtime without the console: the HTTP API, webhook endpoints, /inngest, and the
in-process scheduler when Inngest is not configured. Logs one JSON line per event on stdout.
SIGTERM or SIGINT stops accepting connections, drains in-flight requests, commits pending
webhook rows and exits 0 (within 10 s). An uncaught exception is logged as one line and
drains the same way, then exits 1; an unhandled promise rejection is logged and serving goes on.

Flags:
  --env-file F     env file (its values override the environment; default ./.env if present)
  --mode M         development | staging | production (default: CAIO_MODE)
  --port N         listen port (default: PORT, 8080; 0 = any free port)
  --host H         bind address (default: HOST, 127.0.0.1)
  --log-level L    fatal | error | warn | info | debug (default: info)

Exit codes: 0 stopped cleanly, 1 a required dependency is unavailable, 2 configuration error or port in use.`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

/** A pino logger on `stream` that masks every configured secret in messages and string fields. */
export function createLogger(
  stream: NodeJS.WritableStream,
  secrets: readonly string[],
  level = 'info',
): Logger {
  const scrub = (value: unknown): unknown => (typeof value === 'string' ? redact(value, secrets) : value);
  return pino(
    {
      level,
      base: { app: 'caio' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          'secret',
          '*.token',
          '*.secret',
          'headers.authorization',
          'headers["x-dashboard-token"]',
        ],
        censor: '***',
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) =>
          Object.fromEntries(Object.entries(object).map(([key, value]) => [key, scrub(value)])),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(scrub) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
      port: { type: 'number' },
      host: { type: 'string' },
      logLevel: { type: 'string', choices: LEVELS },
    },
    'serve',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (flags.port !== undefined && (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535)) {
    throw new UsageError('--port must be an integer from 0 to 65535', 'See `caio serve --help`.');
  }
  const { config, loaded } = loadCommandConfig(ctx, flags);
  const logger = createLogger(ctx.stdout, secretValues(config), flags.logLevel ?? 'info');
  if (config.mode !== 'development') {
    // Serve anyway (readiness and the guards fail closed on what matters), but say what validate says.
    const checks = validateEnv({
      env: loaded.env,
      mode: config.mode,
      exampleValues: exampleValues(projectRoot()),
    });
    for (const check of checks.filter((c) => c.status === 'FAIL')) {
      logger.error(
        { check: check.name, reason: check.reason, fix: check.fix },
        'configuration fails validation',
      );
    }
  }
  const policy = installProcessPolicy(logger);
  const runtime = await createRuntime(config, { role: 'serve' }).catch((error: unknown) => {
    policy.uninstall();
    throw error;
  });
  let server;
  let serverUrl: string | undefined;
  try {
    server = await startServer(runtime, {
      port: flags.port ?? config.PORT,
      host: flags.host ?? config.HOST,
      logger,
      // The release ritual over the API (a remote console), acting as the token's operator.
      releaseFor: (actor) =>
        createReleasePort(runtime, {
          actor,
          serverUrl,
          cwd: ctx.cwd,
          projectRoot: projectRoot(),
          rawEnv: loaded.env,
        }),
    });
    serverUrl = server.url;
  } catch (error) {
    await runtime.close();
    policy.uninstall();
    throw error;
  }
  const snapshot = server.app.services.readiness.snapshot();
  logger.info(
    {
      url: server.url,
      mode: config.mode,
      ready: snapshot.ready,
      redis: snapshot.redis.mode,
      inngest: snapshot.inngest.mode,
      function_count: snapshot.inngest.function_count,
      record_id: runtime.hosts.recordId,
      // bin/caio gives serve a larger young generation; a launcher that bypasses it shows here.
      node_flags: [...process.execArgv, ...(process.env.NODE_OPTIONS ? [process.env.NODE_OPTIONS] : [])].join(
        ' ',
      ),
    },
    'caio serve listening',
  );
  const sharing = runtime.hosts.sharing();
  if (!sharing.shared) {
    logger.error(
      {
        code: 'records_not_shared',
        record_id: sharing.record_id,
        registered_record_id: sharing.registered_record_id,
      },
      `${snapshot.message ?? 'records_not_shared'}: this host dispatches nothing and answers 503 until it is fixed`,
    );
  }

  let crashed = false;
  await Promise.race([
    new Promise<void>((resolve) => {
      if (ctx.stopSignal.aborted) resolve();
      else ctx.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    }),
    policy.fatal.then(() => {
      crashed = true;
    }),
  ]);

  const started = Date.now();
  logger.info('shutting down: draining in-flight requests');
  let code: ExitCode = crashed ? 1 : 0;
  try {
    await server.close();
  } catch (error) {
    code = 1;
    logger.error({ err: errorMessage(error) }, 'error while draining');
  }
  await runtime.close();
  policy.uninstall();
  logger.info({ duration_ms: Date.now() - started }, 'stopped');
  logger.flush?.();
  return code;
}
