import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { makeColors, writeLine } from '../cli/output.js';
import { MODES, secretValues } from '../runtime/config.js';
import { UsageError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { redact } from '../runtime/mask.js';
import {
  repairAuditTriggers,
  verifyAuditTrail,
  verifyLegacyTrail,
  type AuditRow,
  type VerifyResult,
} from '../runtime/services/audit.js';
import { createRecordStore } from '../runtime/stores/record/record.js';
import { databasePath } from '../runtime/stores/sqlite/database.js';

const HELP = `Usage: caio audit verify [--expect-head SEQ:HASH] [--json]
       caio audit tail [-n N] [--json]
       caio audit repair-triggers

The audit trail: every state change (approve, reject, preview, execute, dispatch, bootstrap, token
rotation, release decision, sign-off) is a row in the record (HIVE_DIR/caio.db, or PostgreSQL at
DATABASE_URL: one chain for every host), hash-chained to the row before. Each release decision also
records the head of the chain it saw.

  verify           recompute the whole chain and check it against every recorded head; names the
                   first broken row (seq and what differs). A missing table or append-only trigger
                   is a failure. Never writes anything. With DATABASE_URL, a chain left in this
                   host's HIVE_DIR/caio.db by an earlier caio is reported as a legacy chain.
  tail             print the last rows, oldest first
  repair-triggers  restore missing append-only triggers, after you have investigated why they were
                   missing; leaves an audit row saying which were restored

Flags:
  -n, --lines N      rows to show with tail (default 20)
  --expect-head S:H  verify: also require row S to have hash H (a head recorded earlier, e.g. in a
                     release report, at least 8 hex chars): catches a trail truncated or rewritten
                     from that row on, which the chain alone cannot show
  --json             print the result as JSON
  --hive-dir D       data folder (default: HIVE_DIR, else .hive-mind)
  --env-file F       env file to read (default: ./.env if present)
  --mode M           development | staging | production

Exit codes: 0 chain intact / rows printed / repaired, 1 chain broken or repair refused, 2 bad flags
or configuration.`;

const SUBCOMMANDS = ['verify', 'tail', 'repair-triggers'] as const;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      lines: { type: 'number', shortFlag: 'n', default: 20 },
      expectHead: { type: 'string' },
      json: { type: 'boolean' },
      hiveDir: { type: 'string' },
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
    },
    'audit',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const sub = input[0];
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub) || input.length > 1) {
    throw new UsageError(
      sub ? `Unknown audit command "${input.join(' ')}"` : 'Missing audit command',
      'Use `caio audit verify`, `caio audit tail [-n N]` or `caio audit repair-triggers`.',
    );
  }
  const lines = flags.lines ?? 20;
  if (!Number.isInteger(lines) || lines < 1) throw new UsageError('-n must be a positive whole number');

  const expectHead = flags.expectHead === undefined ? undefined : parseHead(flags.expectHead);
  const { config } = loadCommandConfig(ctx, flags);
  const hiveDir = resolve(ctx.cwd, flags.hiveDir ?? config.HIVE_DIR);
  const path = databasePath(hiveDir);
  const recordConfig = { HIVE_DIR: hiveDir, DATABASE_URL: config.DATABASE_URL };
  const secrets = secretValues(config);
  const out = (text: string) => writeLine(ctx.stdout, redact(text, secrets));

  if (!config.DATABASE_URL && !existsSync(path)) {
    if (flags.json)
      out(JSON.stringify(sub === 'verify' ? { db: path, ok: true, count: 0, head: null } : [], null, 2));
    else out(`No audit trail yet: ${path} does not exist (0 rows).`);
    return 0;
  }
  if (sub === 'repair-triggers') {
    const record = await createRecordStore(recordConfig);
    try {
      const actor = `cli:${ctx.env.USER ?? ctx.env.LOGNAME ?? 'unknown'}`;
      const restored = await repairAuditTriggers(record, actor);
      const where = record.db.location;
      if (flags.json) out(JSON.stringify({ db: where, restored }, null, 2));
      else if (restored.length === 0)
        out(`Nothing to repair: every append-only trigger is in place (${where}).`);
      else out(`Restored ${restored.join(', ')} (${where}); an audit row records the repair.`);
      return 0;
    } finally {
      await record.close();
    }
  }
  // Read only: verify never writes to what it checks (no migration either).
  const record = await createRecordStore(recordConfig, { readonly: true });
  const where = record.db.location;
  try {
    if (sub === 'tail') {
      if (!(await record.audit.integrity()).table) {
        out(`The audit table is missing from ${where}: the trail was dropped. Run \`caio audit verify\`.`);
        return 1;
      }
      const rows = await record.audit.tail(lines);
      if (flags.json) out(JSON.stringify(rows, null, 2));
      else printRows(out, rows);
      return 0;
    }
    const verified = await verifyAuditTrail(record);
    const legacy = config.DATABASE_URL ? legacyTrail(path) : undefined;
    const result = legacy
      ? { ...verified, warnings: [...verified.warnings, legacyWarning(path, legacy)] }
      : verified;
    const anchor =
      expectHead && (await record.audit.integrity()).table
        ? checkHead(
            expectHead,
            await record.audit.get(expectHead.seq),
            result.ok ? result.count : result.checked,
          )
        : undefined;
    const colors = makeColors(ctx.stdout, ctx.env);
    if (flags.json)
      out(JSON.stringify({ db: where, ...result, ...(anchor ? { expected_head: anchor } : {}) }, null, 2));
    else {
      printVerify(out, result, where, colors);
      if (anchor) out(`${anchor.ok ? colors.green('PASS') : colors.red('FAIL')} ${anchor.message}`);
    }
    return result.ok && (anchor?.ok ?? true) ? 0 : 1;
  } finally {
    await record.close();
  }
}

function legacyTrail(path: string): { count: number; result: VerifyResult } | string | undefined {
  try {
    return verifyLegacyTrail(path);
  } catch (error) {
    return `${path} may hold a legacy audit chain, but it cannot be read: ${errorMessage(error)}`;
  }
}

/** Rows this host wrote to its own caio.db before it shared the record: kept, reported, never merged. */
function legacyWarning(path: string, legacy: { count: number; result: VerifyResult } | string): string {
  if (typeof legacy === 'string') return legacy;
  const state = legacy.result.ok
    ? 'its own chain verifies'
    : `its own chain is broken at row ${legacy.result.broken.seq} (${legacy.result.broken.problem})`;
  return `${path} holds a legacy audit chain of ${legacy.count} rows written by this host before it used the shared record; ${state}. It is kept as it was and is not part of the shared chain.`;
}

function parseHead(value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{8,64})$/i.exec(value.trim());
  if (!match) throw new UsageError('--expect-head must look like SEQ:HASH, e.g. 120:5915a763b046b61b');
  return { seq: Number(match[1]), hash: (match[2] ?? '').toLowerCase() };
}

function checkHead(
  expected: { seq: number; hash: string },
  row: AuditRow | undefined,
  count: number,
): { seq: number; hash: string; ok: boolean; message: string } {
  if (!row) {
    return {
      ...expected,
      ok: false,
      message: `row ${expected.seq} is gone (the trail now ends at row ${count}): rows were removed from the end`,
    };
  }
  if (!row.hash.startsWith(expected.hash)) {
    return {
      ...expected,
      ok: false,
      message: `row ${expected.seq} hashes to ${row.hash.slice(0, 16)}, not the recorded ${expected.hash.slice(0, 16)}: the chain was rewritten up to that row`,
    };
  }
  return {
    ...expected,
    ok: true,
    message: `row ${expected.seq} matches the recorded head ${expected.hash.slice(0, 16)}`,
  };
}

function printRows(out: (text: string) => void, rows: AuditRow[]): void {
  if (rows.length === 0) {
    out('No audit rows yet.');
    return;
  }
  const width = (pick: (row: AuditRow) => string) =>
    Math.min(32, Math.max(...rows.map((row) => pick(row).length)));
  const actorWidth = width((row) => row.actor);
  const actionWidth = width((row) => row.action);
  const seqWidth = String(rows.at(-1)?.seq ?? 0).length + 1;
  for (const row of rows) {
    const details = row.details === null ? '' : JSON.stringify(row.details);
    const shown = details.length > 80 ? `${details.slice(0, 79)}…` : details;
    out(
      [
        `#${row.seq}`.padStart(seqWidth),
        row.time,
        row.actor.padEnd(actorWidth),
        row.action.padEnd(actionWidth),
        row.subject,
        shown,
      ]
        .filter((part) => part !== '')
        .join('  '),
    );
  }
}

function printVerify(
  out: (text: string) => void,
  result: VerifyResult,
  path: string,
  colors: ReturnType<typeof makeColors>,
): void {
  for (const warning of result.warnings) out(`${colors.yellow('WARN')} ${warning}`);
  if (result.ok) {
    const head = result.head ? `, head #${result.head.seq} ${result.head.hash.slice(0, 16)}` : '';
    const heads = result.heads_checked > 0 ? `, ${result.heads_checked} recorded heads hold` : '';
    out(`${colors.green('PASS')} audit chain intact: ${result.count} rows${head}${heads} (${path})`);
    return;
  }
  const { broken } = result;
  const where = broken.seq > 0 ? ` at row ${broken.seq}` : '';
  out(`${colors.red('FAIL')} audit chain broken${where} (${broken.problem})`);
  out(`  ${broken.message}`);
  for (const failure of result.failures.slice(1)) out(`${colors.red('FAIL')} ${failure}`);
  out(`  expected: ${broken.expected}`);
  out(`  actual:   ${broken.actual}`);
  out(`  ${result.checked} rows before it verified.`);
  out(
    broken.problem === 'trigger_missing'
      ? `Next: find out who had write access to ${path} and compare it with a backup; then \`caio audit repair-triggers\`.`
      : `Next: treat rows from #${Math.max(1, broken.seq)} on as untrusted; compare ${path} with a backup and find who had write access to the file.`,
  );
}
