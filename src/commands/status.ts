import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { VERSION } from '../cli/version.js';
import { MODES } from '../runtime/config.js';
import { errorMessage, type ExitCode } from '../runtime/errors.js';
import { inngestMode } from '../runtime/services/inngest/client.js';
import { createReadiness } from '../runtime/services/readiness.js';
import { createReleaseService } from '../runtime/services/release.js';
import { createReplayStore } from '../runtime/services/replay-store.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import {
  collectStatus,
  renderStatusMarkdown,
  renderStatusText,
  type StatusSources,
} from '../runtime/services/status.js';
import { databasePath, openDatabase, type SqliteDatabase } from '../runtime/stores/sqlite/database.js';

const HELP = `Usage: caio status [--json] [--format text|markdown] [--mode M] [--env-file F]

One-shot status of the runtime: store health, readiness, queue counts, aging, capacity, ramp, send
mode, last replay and the last release decision. A part this build (or this configuration) cannot
measure is shown as "unavailable" with the reason.

Flags:
  --json          print the status as JSON
  --format F      text (default) | markdown | json
  --mode M        development | staging | production (default: CAIO_MODE)
  --env-file F    env file; its values override the environment

Exit codes: 0 printed and every required dependency is up, 1 a required dependency is down (named
first, instead of the last release decision), 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      json: { type: 'boolean' },
      format: { type: 'string', choices: ['text', 'markdown', 'json'] },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'status',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const { config } = loadCommandConfig(ctx, flags);

  let runtime: Runtime | undefined;
  let unavailableReason: string | undefined;
  try {
    runtime = await createRuntime(config);
  } catch (error) {
    unavailableReason = `the runtime did not start: ${errorMessage(error)}`;
  }
  let db: SqliteDatabase | undefined;
  try {
    db = runtime?.db ?? openDatabase(databasePath(config.HIVE_DIR));
    const services = (runtime ?? {}) as Record<string, unknown>;
    const gatekeeper = services.gatekeeper as { ramp?: () => unknown } | undefined;
    const replays = createReplayStore(db);
    const sources: StatusSources = {
      config,
      version: VERSION,
      ...(unavailableReason ? { unavailableReason } : {}),
      ...pick(services, 'state', 'health'),
      ...pick(services, 'queue', 'metrics'),
      ...(runtime
        ? {
            readiness: createReadiness({
              config,
              state: runtime.state,
              record: runtime.record.db,
              inngest: { mode: inngestMode(config), functionCount: 0 },
            }),
          }
        : {}),
      ...(typeof gatekeeper?.ramp === 'function' ? { ramp: { status: async () => gatekeeper.ramp!() } } : {}),
      replay: { last: () => replays.latest() },
      release: createReleaseService({ db, checks: {} }),
    };
    const report = await collectStatus(sources);
    const format = flags.json ? 'json' : (flags.format ?? 'text');
    if (format === 'json') writeJson(ctx.stdout, report);
    else if (format === 'markdown') writeLine(ctx.stdout, renderStatusMarkdown(report));
    else writeLine(ctx.stdout, renderStatusText(report));
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    if (runtime) await runtime.close();
    else db?.close();
  }
}

/** `{[name]: service}` when the runtime has that service with that method (duck-typed: any build). */
function pick(services: Record<string, unknown>, name: string, method: string): Record<string, unknown> {
  const service = services[name];
  if (
    service &&
    typeof service === 'object' &&
    typeof (service as Record<string, unknown>)[method] === 'function'
  ) {
    return { [name]: service };
  }
  return {};
}
