import { createReleaseFor } from '../runtime/services/release-wiring.js';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import {
  TARGET_ENVS,
  renderCompletionMarkdown,
  renderCompletionText,
  type TargetEnv,
} from '../runtime/domain/ritual/index.js';
import { assertNever, type ExitCode } from '../runtime/errors.js';
import { loadRitual } from '../runtime/services/release.js';
import { createRecordStore } from '../runtime/stores/record/record.js';
import { projectRoot } from './project-root.js';
import { releaseSetup } from './release.js';

const HELP = `Usage: caio report [--format text|json|markdown] [--env staging|production] [--release ID]

Prints the completion report from the release evidence in the record: environment, strict flags,
checks, the release decision and the open issues (failed, pending and inconclusive steps, and no-go
conditions), then each check's target, who ran it and when (for production, also the same release's
staging validation and smoke), and every manual sign-off with its note. It runs nothing: run
\`caio release check\` first to refresh the evidence.

Flags:
  --format F      text (default) | json | markdown
  --env E         staging | production (default: the environment of the latest check)
  --release ID    the release (default: v<package version>)
  --env-file F    env file (for HIVE_DIR)
  --ritual FILE   ritual file (default: HIVE_DIR/ritual.json, else the shipped release/ritual.json)

Exit codes: 0 GO, 1 NO-GO (the report is printed either way), 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      format: { type: 'string', choices: ['text', 'json', 'markdown'] },
      json: { type: 'boolean' },
      env: { type: 'string', choices: TARGET_ENVS },
      release: { type: 'string' },
      envFile: { type: 'string' },
      ritual: { type: 'string' },
    },
    'report',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const setup = releaseSetup(ctx, flags);
  const { ritual } = loadRitual({
    file: flags.ritual,
    cwd: ctx.cwd,
    hiveDir: setup.config.HIVE_DIR,
    projectRoot: projectRoot(),
  });
  const record = await createRecordStore(setup.config);
  try {
    const service = createReleaseFor({ record });
    const env: TargetEnv =
      (flags.env as TargetEnv | undefined) ?? (await service.latestRun(setup.releaseId))?.env ?? setup.env;
    const report = await service.report(ritual, setup.releaseId, env);
    const format = flags.json ? 'json' : ((flags.format ?? 'text') as 'text' | 'json' | 'markdown');
    switch (format) {
      case 'json':
        writeJson(ctx.stdout, report);
        break;
      case 'markdown':
        writeLine(ctx.stdout, renderCompletionMarkdown(report));
        break;
      case 'text':
        writeLine(ctx.stdout, renderCompletionText(report));
        break;
      default:
        assertNever(format, 'format');
    }
    return report.decision === 'GO' ? 0 : 1;
  } finally {
    await record.close();
  }
}
