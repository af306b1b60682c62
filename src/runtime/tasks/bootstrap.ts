/**
 * `caio bootstrap`: create or update an env file in place. Every other line and comment is kept, the
 * write is atomic (temp file + rename, mode 0600) and the previous file is kept as a timestamped
 * backup. Running it twice changes nothing the second time.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { defaultFor, isSecret, parseVariable, type Mode, type VariableName } from '../config.js';
import { looksLikePlaceholder } from '../domain/env-rules.js';
import { parseEnvFile, serializeEnvFile, setEnvValues, envEntries } from '../env-file.js';
import { UserError, errorMessage } from '../errors.js';
import { maskSecret, maskUrl } from '../mask.js';

export interface BootstrapOptions {
  path: string;
  mode: Mode;
  redisUrl?: string | undefined;
  inngestSigningKey?: string | undefined;
  inngestEventKey?: string | undefined;
  rotateToken?: boolean;
  exampleValues: ReadonlySet<string>;
  now?: Date;
}

export interface KeyChange {
  key: string;
  before: string;
  after: string;
}

export interface BootstrapResult {
  path: string;
  created: boolean;
  backup: string | undefined;
  changes: KeyChange[];
  tokenGenerated: boolean;
}

/** Reliability keys bootstrap fills in when missing, with the mode's default. */
const RELIABILITY_KEYS: readonly VariableName[] = [
  'REDIS_MAX_CONNECTIONS',
  'RATE_LIMIT_REDIS_NAMESPACE',
  'CONTEXT_REDIS_PREFIX',
  'CONTEXT_STATE_TTL_SECONDS',
  'STATE_REDIS_PREFIX',
  'STATE_DUAL_READ_ENABLED',
  'INNGEST_APP_ID',
  'TRACE_ENVELOPE_ENABLED',
  'TRACE_RETENTION_DAYS',
  'TRACE_CLEANUP_ENABLED',
];

/** Flags that production requires to be true: bootstrap enforces them in production. */
const STRICT_FLAGS: readonly VariableName[] = ['REDIS_REQUIRED', 'INNGEST_REQUIRED', 'DASHBOARD_AUTH_STRICT'];

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function bootstrapEnvFile(options: BootstrapOptions): BootstrapResult {
  const { path, mode } = options;
  const created = !existsSync(path);
  let text = '';
  if (!created) {
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read ${path}: ${errorMessage(error)}`, {
        nextStep: 'Check the path and its permissions.',
      });
    }
  }
  const lines = created ? header(mode) : parseEnvFile(text, path);
  const current = envEntries(lines);
  const wanted: Record<string, string> = {};

  const explicit: [VariableName, string | undefined][] = [
    ['REDIS_URL', options.redisUrl],
    ['INNGEST_SIGNING_KEY', options.inngestSigningKey],
    ['INNGEST_EVENT_KEY', options.inngestEventKey],
  ];
  for (const [key, value] of explicit) {
    if (value === undefined) continue;
    const parsed = parseVariable(key, value);
    if (!parsed.ok)
      throw new UserError(parsed.problem.message, { nextStep: `Pass a valid --${flagName(key)}.` });
    wanted[key] = value;
  }

  wanted.CAIO_MODE = mode;
  for (const key of STRICT_FLAGS) {
    if (mode === 'production') wanted[key] = 'true';
    else if (current[key] === undefined) wanted[key] = defaultFor(key, mode) as string;
  }
  for (const key of RELIABILITY_KEYS) {
    const existing = current[key];
    const ok = existing !== undefined && existing !== '' && parseVariable(key, existing).ok;
    // A prefix carrying another mode's name is a copy-paste from another env: set this mode's.
    const wrongModePrefix =
      existing !== undefined &&
      /^caio:(development|staging|production):/.test(existing) &&
      !existing.startsWith(`caio:${mode}:`);
    if (!ok || wrongModePrefix) wanted[key] = defaultFor(key, mode) as string;
  }

  const token = current.DASHBOARD_AUTH_TOKEN;
  const tokenUsable =
    token !== undefined && token.length >= 32 && !looksLikePlaceholder(token, options.exampleValues);
  const tokenGenerated = Boolean(options.rotateToken) || !tokenUsable;
  if (tokenGenerated) wanted.DASHBOARD_AUTH_TOKEN = generateToken();

  const { lines: next, changed } = setEnvValues(lines, wanted);
  const changes = changed.map((key) => ({
    key,
    before: show(key, current[key]),
    after: show(key, wanted[key]),
  }));
  if (changed.length === 0 && !created) return { path, created, backup: undefined, changes, tokenGenerated };

  let backup: string | undefined;
  if (!created) {
    backup = `${path}.bak-${stamp(options.now ?? new Date())}`;
    copyFileSync(path, backup);
    chmodSync(backup, 0o600);
  }
  writeAtomic(path, serializeEnvFile(next));
  return { path, created, backup, changes, tokenGenerated };
}

function header(mode: Mode) {
  return parseEnvFile(
    `# CAIO ${mode} configuration, written by caio bootstrap. See .env.example for every variable.\n`,
  );
}

function show(key: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (key === 'REDIS_URL') return maskUrl(value);
  return isSecret(key) ? maskSecret(value) : value;
}

function flagName(key: string): string {
  return key.toLowerCase().replace(/_/g, '-');
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** Temp file in the same folder, fsync'd, then renamed over the target: never a half-written file. */
export function writeAtomic(path: string, content: string, mode = 0o600): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temp, content, { mode, flush: true });
  chmodSync(temp, mode);
  renameSync(temp, path);
}
