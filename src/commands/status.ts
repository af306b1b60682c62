import { createReleaseFor } from '../runtime/services/release-wiring.js';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { VERSION } from '../cli/version.js';
import { MODES } from '../runtime/config.js';
import { errorMessage, type ExitCode } from '../runtime/errors.js';
import { inngestMode } from '../runtime/services/inngest/client.js';
import { createReadiness } from '../runtime/services/readiness.js';
import { createReplayStore } from '../runtime/stores/replay-store.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import { createRecordStore, type RecordStore } from '../runtime/stores/record/record.js';
import {
  collectStatus,
  renderStatusMarkdown,
  renderStatusText,
  type StatusSources,
} from '../runtime/services/status.js';

const HELP = `Usage: caio status [--json] [--format text|markdown] [--mode M] [--env-file F]

One-shot status of the runtime: store health, readiness, the live hosts (serve and console
heartbeats, with their record ids: a host on another record is a split brain), queue counts, aging,
capacity, ramp, send mode, last replay and the last release decision. A part this build (or this configuration) cannot
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
    runtime = await createRuntime(config, { allowSplitBrain: true });
  } catch (error) {
    unavailableReason = `the runtime did not start: ${errorMessage(error)}`;
  }
  let record: RecordStore | undefined;
  let recordError: string | undefined;
  try {
    // The record answers even when the runtime (Redis) is down: the last replay run, the release evidence.
    record =
      runtime?.record ??
      (await createRecordStore(config).catch((error: unknown) => {
        recordError = errorMessage(error);
        return undefined;
      }));
    const services = (runtime ?? {}) as Record<string, unknown>;
    const gatekeeper = services.gatekeeper as { ramp?: () => unknown } | undefined;
    const replays = runtime?.replays ?? (record ? createReplayStore(record) : undefined);
    const sources: StatusSources = {
      config,
      version: VERSION,
      ...(unavailableReason ? { unavailableReason } : {}),
      ...(recordError ? { recordError } : {}),
      ...pick(services, 'state', 'health'),
      ...pick(services, 'queue', 'metrics'),
      ...pick(services, 'hosts', 'list'),
      ...(runtime
        ? {
            readiness: createReadiness({
              config,
              state: runtime.state,
              record: runtime.record,
              hosts: runtime.hosts,
              inngest: { mode: inngestMode(config), functionCount: 0 },
            }),
          }
        : {}),
      ...(typeof gatekeeper?.ramp === 'function' ? { ramp: { status: async () => gatekeeper.ramp!() } } : {}),
      ...(replays ? { replay: { last: () => replays.latest() } } : {}),
      ...(record ? { release: createReleaseFor({ record }) } : {}),
    };
    const report = await collectStatus(sources);
    const format = flags.json ? 'json' : (flags.format ?? 'text');
    if (format === 'json') writeJson(ctx.stdout, report);
    else if (format === 'markdown') writeLine(ctx.stdout, renderStatusMarkdown(report));
    else writeLine(ctx.stdout, renderStatusText(report));
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    if (runtime) await runtime.close();
    else await record?.close();
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
