/** `caio smoke --base-url URL --token T`: endpoint auth smoke (SPEC 6.4). */
import { parseArgs, requireFlag } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { makeColors, statusColor, writeJson, writeLine } from '../cli/output.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { maskSecret } from '../runtime/mask.js';
import { runSmoke } from '../server/smoke.js';

const HELP = `Usage: caio smoke --base-url URL --token T [--timeout-ms N] [--json]

Checks the deployed endpoints' auth: /api/operator/status and /api/operator/trigger answer 401
without a token, /api/health/ready answers 200, the token works as ?token= and as a header, every
other protected route answers 401 without a token, a foreign Origin is not echoed and an OPTIONS
preflight answers 204. One line per check, then "Result: PASS" or "Result: FAIL".

Flags:
  --base-url URL    e.g. https://caio.example.com (required)
  --token T         the DASHBOARD_AUTH_TOKEN of that deployment (required; never printed)
  --timeout-ms N    per-request timeout (default 5000)
  --json            print {base_url, result, checks, error}

Exit codes: 0 PASS, 1 FAIL or unreachable, 2 bad flags.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      baseUrl: { type: 'string' },
      token: { type: 'string' },
      timeoutMs: { type: 'number' },
      json: { type: 'boolean' },
    },
    'smoke',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const baseUrl = requireFlag(flags.baseUrl, 'base-url', 'smoke');
  const token = requireFlag(flags.token, 'token', 'smoke');
  try {
    if (!['http:', 'https:'].includes(new URL(baseUrl).protocol)) throw new Error('scheme');
  } catch {
    throw new UsageError(
      `--base-url must be an http(s) URL (got "${baseUrl}")`,
      'For example --base-url https://caio.example.com',
    );
  }
  const timeoutMs = flags.timeoutMs ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    throw new UsageError('--timeout-ms must be a positive integer');

  const result = await runSmoke({ baseUrl, token, timeoutMs });
  if (flags.json) {
    writeJson(ctx.stdout, result);
    return result.result === 'PASS' ? 0 : 1;
  }
  const colors = makeColors(ctx.stdout, ctx.env);
  writeLine(ctx.stdout, `Endpoint auth smoke against ${result.base_url} (token ${maskSecret(token)})`);
  if (result.error) {
    writeLine(ctx.stdout, `${statusColor(colors, 'FAIL')} ${result.error}`);
    writeLine(ctx.stdout, 'Next: check --base-url, that the server is running and reachable from here.');
  }
  const width = Math.max(0, ...result.checks.map((check) => check.name.length));
  for (const check of result.checks) {
    writeLine(
      ctx.stdout,
      `${statusColor(colors, check.status).padEnd(4)} ${check.name.padEnd(width)}  expected ${check.expected}, got ${check.actual}`,
    );
  }
  const passed = result.checks.filter((check) => check.status === 'PASS').length;
  writeLine(ctx.stdout, '');
  writeLine(ctx.stdout, `${passed}/${result.checks.length} checks passed`);
  writeLine(ctx.stdout, `Result: ${statusColor(colors, result.result)}`);
  return result.result === 'PASS' ? 0 : 1;
}
