/**
 * Every command of SPEC section 3, in the order `caio --help` lists them. Modules load lazily so that
 * `caio validate` does not pay for Ink or the HTTP server.
 */
import type { CommandEntry } from '../cli/command.js';
import { notAvailable } from './not-available.js';

const later = (name: string) => async () => notAvailable(name);

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'console',
    summary: 'interactive console (TUI); --readonly disables mutating actions',
    usage: 'caio [console] [--readonly]',
    load: later('console'),
  },
  {
    name: 'serve',
    summary: 'headless runtime: HTTP server, Inngest functions, schedulers',
    usage: 'caio serve',
    load: later('serve'),
  },
  {
    name: 'status',
    summary: 'one-shot status as text, JSON or Markdown',
    usage: 'caio status [--json] [--format text|markdown]',
    load: later('status'),
  },
  {
    name: 'report',
    summary: 'the completion report',
    usage: 'caio report [--format text|json|markdown]',
    load: later('report'),
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
    load: later('smoke'),
  },
  {
    name: 'migrate',
    summary: 'copy embedded state into Redis; prints a JSON summary',
    usage: 'caio migrate --hive-dir D [--dry-run]',
    load: later('migrate'),
  },
  {
    name: 'replay',
    summary: 'replay gate over the golden set',
    usage: 'caio replay [--golden-set DIR] [--min-pass-rate 0.95] [--json]',
    load: later('replay'),
  },
  {
    name: 'golden',
    summary: 'golden-set maintenance',
    usage: 'caio golden add --from-queue ID',
    load: later('golden'),
  },
  {
    name: 'queue',
    summary: 'approval queue: import, list, approve, reject',
    usage:
      'caio queue import FILE.jsonl | list [--status S] [--json] | approve ID | reject ID --category C [--note N]',
    load: later('queue'),
  },
  {
    name: 'batch',
    summary: 'Gatekeeper batches: preview, execute, list',
    usage: 'caio batch preview [--motion M] [--ids ...] | execute ID --hash H | list',
    load: later('batch'),
  },
  {
    name: 'outbound',
    summary: 'outbound run: dry-run or create a Gatekeeper batch',
    usage: 'caio outbound --motion outbound|inbound|all (--dry-run|--live) [--json]',
    load: later('outbound'),
  },
  {
    name: 'release',
    summary: 'release ritual: GO/NO-GO check and manual sign-offs',
    usage:
      'caio release check [--env staging|production] [--base-url URL --token T] [--json] | confirm STEP|all --by NAME [--note N]',
    load: later('release'),
  },
  {
    name: 'selftest',
    summary: 'runtime self-test against the configured stores',
    usage: 'caio selftest [--json]',
    load: later('selftest'),
  },
  {
    name: 'webhooks',
    summary: 'stored webhook events',
    usage: 'caio webhooks list [--status quarantined] [--json]',
    load: later('webhooks'),
  },
  {
    name: 'scorecard',
    summary: 'weekly scorecard',
    usage: 'caio scorecard [--week YYYY-Www] [--format text|json|markdown]',
    load: later('scorecard'),
  },
  {
    name: 'traces',
    summary: 'trace envelopes: tail, prune, stats',
    usage: 'caio traces tail|prune|stats',
    load: later('traces'),
  },
  {
    name: 'audit',
    summary: 'audit trail: verify the hash chain, tail',
    usage: 'caio audit verify|tail',
    load: later('audit'),
  },
];

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((command) => command.name === name);
}
