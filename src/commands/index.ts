/**
 * Every command of SPEC section 3, in the order `caio --help` lists them. Modules load lazily so that
 * `caio validate` does not pay for Ink or the HTTP server.
 */
import type { CommandEntry } from '../cli/command.js';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'console',
    summary: 'interactive console (TUI); --readonly disables mutating actions',
    usage: 'caio [console] [--readonly]',
    load: () => import('./console.js'),
  },
  {
    name: 'serve',
    summary: 'headless runtime: HTTP server, Inngest functions, schedulers',
    usage: 'caio serve',
    load: () => import('./serve.js'),
  },
  {
    name: 'status',
    summary: 'one-shot status as text, JSON or Markdown',
    usage: 'caio status [--json] [--format text|markdown]',
    load: () => import('./status.js'),
  },
  {
    name: 'report',
    summary: 'the completion report',
    usage: 'caio report [--format text|json|markdown]',
    load: () => import('./report.js'),
  },
  {
    name: 'validate',
    summary: 'check an env file for a mode; ends with Result: PASS|FAIL',
    usage: 'caio validate --mode M --env-file F [--check-connections] [--verify-inngest-route] [--json]',
    load: () => import('./validate.js'),
  },
  {
    name: 'bootstrap',
    summary: 'write or update an env file with mode defaults and a token',
    usage:
      'caio bootstrap --mode M --env-file F [--redis-url U] [--inngest-signing-key K] [--inngest-event-key K] [--rotate-token] [--validate] [--check-connections]',
    load: () => import('./bootstrap.js'),
  },
  {
    name: 'smoke',
    summary: 'endpoint auth smoke against a base URL',
    usage: 'caio smoke --base-url URL --token T',
    load: () => import('./smoke.js'),
  },
  {
    name: 'migrate',
    summary: 'copy the embedded record into the shared record and seed Redis coordination from it',
    usage: 'caio migrate --hive-dir D [--dry-run] [--json]',
    load: () => import('./migrate.js'),
  },
  {
    name: 'operators',
    summary: 'operators and roles: add, list, revoke, rotate (tokens shown once)',
    usage:
      'caio operators add NAME --role viewer|reviewer|approver|pto|admin [--json] | list | revoke NAME | rotate NAME',
    load: () => import('./operators.js'),
  },
  {
    name: 'replay',
    summary: 'replay gate over the golden set',
    usage: 'caio replay [--golden-set DIR] [--min-pass-rate 0.95] [--json] [--promote-baseline]',
    load: () => import('./replay.js'),
  },
  {
    name: 'rubric',
    summary: "compare the rubric with reviewers' queue decisions, per rule and category",
    usage: 'caio rubric calibrate [--since DATE] [--golden-set DIR] [--json]',
    load: () => import('./rubric.js'),
  },
  {
    name: 'golden',
    summary: 'golden-set maintenance',
    usage: 'caio golden add --from-queue ID [--golden-set DIR] [--id CASE_ID]',
    load: () => import('./golden.js'),
  },
  {
    name: 'queue',
    summary: 'approval queue: import, list, approve, reject',
    usage:
      'caio queue import FILE.jsonl | list [--status S] [--json] | approve ID... [--by NAME] | reject ID --category C [--note N] | undo ID | stats',
    load: () => import('./queue.js'),
  },
  {
    name: 'batch',
    summary: 'Gatekeeper batches: preview, execute, list',
    usage:
      'caio batch preview [--motion M] [--ids a,b] [--json] | execute ID --hash H [--resume] | list | show ID | ramp [--graduate --confirm]',
    load: () => import('./batch.js'),
  },
  {
    name: 'outbound',
    summary: 'outbound run: dry-run or create a Gatekeeper batch',
    usage: 'caio outbound --motion outbound|inbound|all (--dry-run|--live) [--json]',
    load: () => import('./outbound.js'),
  },
  {
    name: 'pipeline',
    summary: 'stored leads -> enriched, templated, scored drafts in the queue',
    usage: 'caio pipeline run [--mode M] [--source rb2b|clay|all] [--limit N] [--yes] [--json]',
    load: () => import('./pipeline.js'),
  },
  {
    name: 'ledger',
    summary: 'addresses contacted outside CAIO (GHL export): excluded as already_sent_external',
    usage: 'caio ledger import-sent FILE [--source ghl] [--dry-run] [--json] | import-sent --fetch --tag T',
    load: () => import('./ledger.js'),
  },
  {
    name: 'release',
    summary: 'release ritual: GO/NO-GO check and manual sign-offs',
    usage:
      'caio release check [--env staging|production] [--base-url URL --token T] [--json] | confirm STEP|all [--by NAME] [--note N] [--force] | unconfirm STEP | report',
    load: () => import('./release.js'),
  },
  {
    name: 'selftest',
    summary: 'runtime self-test against the configured stores',
    usage: 'caio selftest [--json]',
    load: () => import('./selftest.js'),
  },
  {
    name: 'webhooks',
    summary: 'stored webhook events',
    usage: 'caio webhooks list [--status quarantined] [--json]',
    load: () => import('./webhooks.js'),
  },
  {
    name: 'scorecard',
    summary: 'weekly scorecard',
    usage: 'caio scorecard [--week YYYY-Www] [--format text|json|markdown]',
    load: () => import('./scorecard.js'),
  },
  {
    name: 'traces',
    summary: 'trace envelopes: tail, prune (into the .gz archive), stats, archive list',
    usage:
      'caio traces tail [-n N] [--status S] [--correlation-id ID] | prune [--days N] [--dry-run] | stats | archive list',
    load: () => import('./traces.js'),
  },
  {
    name: 'audit',
    summary: 'audit trail: verify the hash chain, tail',
    usage: 'caio audit verify | tail [-n N]',
    load: () => import('./audit.js'),
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((command) => command.name === name);
}
