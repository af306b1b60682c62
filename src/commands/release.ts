import { createReleaseFor } from '../runtime/services/release-wiring.js';
import { userInfo } from 'node:os';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { makeColors, statusColor, writeJson, writeLine } from '../cli/output.js';
import { VERSION } from '../cli/version.js';
import type { Config } from '../runtime/config.js';
import { TARGET_ENVS, renderChecklist, type Ritual, type TargetEnv } from '../runtime/domain/ritual/index.js';
import { UsageError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import { startServer } from '../server/start.js';
import { maskUrl } from '../runtime/mask.js';
import { loadConfig } from '../runtime/services/load-env.js';
import type { CheckTarget } from '../runtime/services/release-checks.js';
import { loadRitual } from '../runtime/services/release.js';
import { createRecordStore, type RecordStore } from '../runtime/stores/record/record.js';
import { databasePath, openDatabase } from '../runtime/stores/sqlite/database.js';
import { projectRoot } from './project-root.js';
import { resolveActor } from './queue.js';

const HELP = `Usage:
  caio release check [--env staging|production] [--base-url URL --token T] [--json]
  caio release confirm STEP|all [--by NAME] [--note N] [--force]
  caio release unconfirm STEP [--by NAME]
  caio release report [--format text|json|markdown] [--env E]   (same as \`caio report\`)

Runs the release ritual (release/ritual.json) for the current release and decides GO or NO-GO.
Evidence, sign-offs and decisions live in the record: every host and console sees the same.

check     runs every auto step in scope for --env, stores the evidence (target, who, when; a
          re-run supersedes it) and ends with "Release Decision: GO" or "Release Decision: NO-GO"
          (exit 0 / 1). Production stays NO-GO until the same release's staging validation and
          smoke passed. Checks reach --base-url (else DEPLOY_BASE_URL_STAGING / _PRODUCTION for
          --env), else the in-process runtime.
confirm   signs off a manual step (or all of them) for the current release, as an operator with
          the pto or admin role; audited. \`all\` skips steps already confirmed. A step someone
          else confirmed needs --force (their sign-off stays in the history).
unconfirm withdraws a step's sign-off (pto or admin); audited.

Flags:
  --env E          staging | production (default: CAIO_MODE when it is one of them, else staging)
  --base-url URL   the deployed app to check (its /api/* and its signed /inngest)
  --token T        its dashboard token (default: DASHBOARD_AUTH_TOKEN)
  --env-file F     env file of that deployment; its values override the environment
  --release ID     the release these results belong to (default: v<package version>)
  --ritual FILE    ritual file (default: HIVE_DIR/ritual.json, else the shipped release/ritual.json)
  --by NAME        who runs or signs off (default: $CAIO_OPERATOR, else your OS user name;
                   check: default cli:<user>)
  --note N         confirm: a note kept with the sign-off
  --force          confirm: re-confirm a step another operator confirmed
  --timeout-ms N   deadline per check (default 60000); a check past it is inconclusive
  --json           print the verdict as JSON

Exit codes: 0 GO / confirmed, 1 NO-GO or refused (not pto, confirmed by someone else), 2 usage
or configuration error.`;

const FLAGS = {
  env: { type: 'string', choices: TARGET_ENVS },
  baseUrl: { type: 'string' },
  token: { type: 'string' },
  envFile: { type: 'string' },
  release: { type: 'string' },
  ritual: { type: 'string' },
  by: { type: 'string' },
  note: { type: 'string' },
  timeoutMs: { type: 'number' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export interface ReleaseSetup {
  config: Config;
  env: TargetEnv;
  releaseId: string;
  rawEnv: Record<string, string | undefined>;
}

/** Flags shared by `release` and `report`: env, release id, config for that env. */
export function releaseSetup(
  ctx: CommandContext,
  flags: { env?: string | undefined; envFile?: string | undefined; release?: string | undefined },
): ReleaseSetup {
  const initial = loadConfig({ cwd: ctx.cwd, processEnv: ctx.env, envFile: flags.envFile });
  const env: TargetEnv =
    (flags.env as TargetEnv | undefined) ??
    (initial.mode === 'production' || initial.mode === 'staging' ? initial.mode : 'staging');
  const { config, loaded } = loadConfig({
    cwd: ctx.cwd,
    processEnv: ctx.env,
    envFile: flags.envFile,
    mode: env,
  });
  return { config, env, releaseId: flags.release ?? `v${VERSION}`, rawEnv: loaded.env };
}

/** Who ran a check: `cli:` and the acting person ($CAIO_OPERATOR, else the OS user), as sign-offs name them. */
export function defaultActor(env: NodeJS.ProcessEnv): string {
  const named = [env.CAIO_OPERATOR, env.USER, env.LOGNAME].find((v) => v !== undefined && v.trim() !== '');
  if (named) return `cli:${named.trim()}`;
  try {
    const name = userInfo().username;
    if (name) return `cli:${name}`;
  } catch {
    // No passwd entry (some containers): fall through.
  }
  return 'cli:unknown';
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  if (ctx.argv[0] === 'report') {
    const report = await import('./report.js');
    return report.run({ ...ctx, argv: ctx.argv.slice(1) });
  }
  const { flags, input } = parseArgs(ctx.argv, FLAGS, 'release');
  const [sub, ...rest] = input;
  if (flags.help || sub === undefined) {
    writeLine(ctx.stdout, HELP);
    return flags.help ? 0 : 2;
  }
  if (sub !== 'check' && sub !== 'confirm' && sub !== 'unconfirm') {
    throw new UsageError(
      `Unknown subcommand "release ${sub}"`,
      'Use `caio release check`, `confirm`, `unconfirm` or `report`.',
    );
  }
  const setup = releaseSetup(ctx, flags);
  const { ritual, source } = loadRitual({
    file: flags.ritual,
    cwd: ctx.cwd,
    hiveDir: setup.config.HIVE_DIR,
    projectRoot: projectRoot(),
  });
  if (sub === 'confirm' || sub === 'unconfirm') return signOff(ctx, sub, setup, ritual, rest, flags);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}" for \`caio release check\``);

  const target = await resolveTarget(setup, flags);
  // The evidence lives in the record; when the in-process runtime could not start (e.g. a required
  // Redis is down) the check still runs over the record alone, and says NO-GO. (Replay runs are
  // still read from the embedded database.)
  const record = target.runtime?.record ?? (await createRecordStore(setup.config));
  const db = target.runtime?.db ?? openDatabase(databasePath(setup.config.HIVE_DIR));
  try {
    const service = createReleaseFor({
      record,
      runtime: target.runtime,
      runtimeError: target.runtimeError,
      projectRoot: projectRoot(),
    });
    const { verdict, run: decided } = await service.check({
      ritual,
      releaseId: setup.releaseId,
      target: target.target,
      actor: flags.by ?? defaultActor(ctx.env),
      ...(flags.timeoutMs !== undefined ? { timeoutMs: flags.timeoutMs } : {}),
    });
    if (flags.json) {
      writeJson(ctx.stdout, { release_id: setup.releaseId, ritual: source, run: decided, ...verdict });
    } else {
      const colors = makeColors(ctx.stdout, ctx.env);
      const text = renderChecklist(verdict, {
        release_id: setup.releaseId,
        env: setup.env,
        target: target.target.label,
        ritual_source: source,
      });
      writeLine(
        ctx.stdout,
        text.replace(
          /^Release Decision: (GO|NO-GO)$/m,
          (_, d: string) => `Release Decision: ${statusColor(colors, d)}`,
        ),
      );
    }
    return verdict.decision === 'GO' ? 0 : 1;
  } finally {
    if (!target.runtime) {
      db.close();
      await record.close();
    }
    await target.close();
  }
}

async function signOff(
  ctx: CommandContext,
  sub: 'confirm' | 'unconfirm',
  setup: ReleaseSetup,
  ritual: Ritual,
  rest: string[],
  flags: { by?: string | undefined; note?: string | undefined; force: boolean; json: boolean },
): Promise<ExitCode> {
  const [which, ...extra] = rest;
  if (!which || extra.length > 0) {
    throw new UsageError(
      sub === 'confirm' ? 'Name one step (or "all") to confirm' : 'Name the one step to withdraw',
      sub === 'confirm'
        ? 'Example: `caio release confirm all --by pat`.'
        : 'Example: `caio release unconfirm staging_stable_24h --by pat`.',
    );
  }
  const by = resolveActor(flags.by, ctx.env);
  const record: RecordStore = await createRecordStore(setup.config);
  try {
    const service = createReleaseFor({ record });
    const releaseId = setup.releaseId;
    if (sub === 'unconfirm') {
      const withdrawn = await service.unconfirm({ ritual, releaseId, step: which, by });
      if (flags.json) writeJson(ctx.stdout, { release_id: releaseId, withdrawn });
      else if (withdrawn.length === 0)
        writeLine(ctx.stdout, `${which} was not confirmed for release ${releaseId}: nothing to withdraw`);
      else
        for (const c of withdrawn)
          writeLine(
            ctx.stdout,
            `Withdrew ${c.step_id} for release ${releaseId}: the sign-off by ${c.by} at ${c.at} (by ${c.revoked_by})`,
          );
      return 0;
    }
    const outcome = await service.confirm({
      ritual,
      releaseId,
      which,
      by,
      note: flags.note,
      force: flags.force,
    });
    if (flags.json) writeJson(ctx.stdout, { release_id: releaseId, ...outcome });
    else {
      for (const s of outcome.skipped) writeLine(ctx.stdout, `Skipped ${s.message}`);
      for (const c of outcome.confirmed) {
        const note = c.note ? ` (note: ${c.note})` : '';
        const forced = c.forced ? ' — forced over an earlier sign-off, kept in the history' : '';
        writeLine(
          ctx.stdout,
          `Confirmed ${c.step_id} for release ${releaseId} by ${c.by} at ${c.at}${note}${forced}`,
        );
      }
    }
    return 0;
  } finally {
    await record.close();
  }
}

interface ResolvedTarget {
  target: CheckTarget;
  /** The runtime over the configured stores (selftest, dry runs; the HTTP server in-process). */
  runtime: Runtime | undefined;
  runtimeError?: string;
  close: () => Promise<void>;
}

async function resolveTarget(
  setup: ReleaseSetup,
  flags: { baseUrl?: string | undefined; token?: string | undefined },
): Promise<ResolvedTarget> {
  const { config, env, rawEnv } = setup;
  const configured =
    env === 'production' ? config.DEPLOY_BASE_URL_PRODUCTION : config.DEPLOY_BASE_URL_STAGING;
  const baseUrl = flags.baseUrl ?? configured;
  if (flags.token && !baseUrl)
    throw new UsageError('--token needs --base-url', 'Pass the URL of the deployed app.');
  let token = config.DASHBOARD_AUTH_TOKEN;
  if (baseUrl) {
    try {
      new URL(baseUrl);
    } catch {
      throw new UsageError(
        `--base-url is not a URL: ${baseUrl}`,
        'Example: --base-url https://caio.example.com',
      );
    }
    token = flags.token ?? token;
    if (!token) {
      throw new UsageError(
        `No token for ${maskUrl(baseUrl)}`,
        'Pass --token T, or set DASHBOARD_AUTH_TOKEN in the env file.',
      );
    }
  }
  // The runtime over the configured stores serves selftest and the dry runs either way; without a
  // base URL its HTTP server on an ephemeral port is the app under test.
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(config);
    const started = runtime;
    if (baseUrl) {
      return {
        target: { env, baseUrl, token, label: maskUrl(baseUrl), rawEnv, config },
        runtime,
        close: () => started.close(),
      };
    }
    const server = await startServer(runtime, { port: 0, host: '127.0.0.1', background: false });
    return {
      target: {
        env,
        baseUrl: server.url,
        token,
        label: `in-process runtime (${server.url})`,
        rawEnv,
        config,
      },
      runtime,
      close: async () => {
        await server.close();
        await started.close();
      },
    };
  } catch (error) {
    await runtime?.close();
    const why = errorMessage(error);
    return {
      target: {
        env,
        baseUrl,
        token,
        label: baseUrl ? maskUrl(baseUrl) : `in-process runtime (did not start: ${why})`,
        rawEnv,
        config,
      },
      runtime: undefined,
      runtimeError: why,
      close: async () => {},
    };
  }
}
