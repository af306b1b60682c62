/**
 * Every environment variable of SPEC section 2, declared once: its zod schema, mode-aware default,
 * whether it is a secret, the comment and placeholder of `.env.example`. The typed `Config` is
 * derived from this table; `caio validate` reads the same table. No I/O here.
 */
import { z } from 'zod';
import { UserError } from './errors.js';
import { maskUrl } from './mask.js';

export const MODES = ['development', 'staging', 'production'] as const;
export type Mode = (typeof MODES)[number];

type Default = string | ((mode: Mode) => string | undefined) | undefined;

interface VarSpec<S extends z.ZodType> {
  schema: S;
  default: Default;
  description: string;
  /** Placeholder written to .env.example (never a usable secret). */
  example: string;
  secret: boolean;
  /** Why the value is wrong, phrased for an operator. */
  expect: string;
}

const BOOL_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

const text = () => z.string().min(1);
const bool = () =>
  z
    .string()
    .refine((v) => v.trim().toLowerCase() in BOOL_WORDS)
    .transform((v) => BOOL_WORDS[v.trim().toLowerCase()] as boolean);
const positiveInt = () =>
  z
    .string()
    .regex(/^\s*\d+\s*$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER));
const proxyHops = () =>
  z
    .string()
    .regex(/^\s*\d+\s*$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(10));
const rate = () =>
  z
    .string()
    .regex(/^\s*(0(\.\d+)?|1(\.0+)?)\s*$/)
    .transform(Number);
const list = () =>
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const url = (schemes: readonly string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);

/** `signkey-<env>-<hex>`: an Inngest signing key. */
export const SIGNING_KEY_PATTERN = /^signkey-[a-z0-9]+-(?:[0-9a-f]{2}){16,}$/i;

function v<S extends z.ZodType>(
  schema: S,
  defaultValue: Default,
  description: string,
  example: string,
  expect: string,
  secret = false,
): VarSpec<S> {
  return { schema, default: defaultValue, description, example, secret, expect };
}

const devFalse = (mode: Mode) => (mode === 'development' ? 'false' : 'true');
const prefixed = (suffix: string) => (mode: Mode) => `caio:${mode}:${suffix}`;

export const VARIABLES = {
  CAIO_MODE: v(
    oneOf(MODES),
    'development',
    'development | staging | production',
    'development',
    'one of development, staging, production',
  ),
  HIVE_DIR: v(
    text(),
    '.hive-mind',
    'data folder: SQLite db caio.db, traces, state',
    '.hive-mind',
    'a folder path',
  ),
  PORT: v(
    positiveInt().pipe(z.number().max(65535)),
    '8080',
    'HTTP server port',
    '8080',
    'a port number from 1 to 65535',
  ),
  HOST: v(text(), '127.0.0.1', 'HTTP server bind address', '127.0.0.1', 'a host name or address'),
  DATABASE_URL: v(
    url(['postgres', 'postgresql']),
    undefined,
    'the shared record for every host: postgres://…; unset = SQLite in HIVE_DIR',
    'postgres://caio:your-password@db.internal:5432/caio',
    'a postgres:// or postgresql:// URL',
  ),
  REDIS_URL: v(
    url(['redis', 'rediss']),
    undefined,
    'shared state: redis:// or rediss://; unset = embedded SQLite',
    'redis://127.0.0.1:6379',
    'a redis:// or rediss:// URL',
  ),
  REDIS_REQUIRED: v(
    bool(),
    devFalse,
    'fail fast when Redis is unavailable (must be true in production)',
    'false',
    'true or false',
  ),
  REDIS_MAX_CONNECTIONS: v(positiveInt(), '50', 'Redis pool / client limit', '50', 'a positive integer'),
  RATE_LIMIT_REDIS_NAMESPACE: v(
    text(),
    prefixed('ratelimit'),
    'key prefix for rate limits',
    'caio:development:ratelimit',
    'a key prefix',
  ),
  CONTEXT_REDIS_PREFIX: v(
    text(),
    prefixed('context'),
    'key prefix for session/context state',
    'caio:development:context',
    'a key prefix',
  ),
  CONTEXT_STATE_TTL_SECONDS: v(
    positiveInt(),
    '7200',
    'TTL of context state in seconds',
    '7200',
    'a positive integer',
  ),
  STATE_REDIS_PREFIX: v(
    text(),
    prefixed('state'),
    'key prefix for queue/batch/dedup state',
    'caio:development:state',
    'a key prefix',
  ),
  STATE_DUAL_READ_ENABLED: v(
    bool(),
    'true',
    'cutover: a miss in the shared record or Redis reads the embedded one in HIVE_DIR and backfills it',
    'true',
    'true or false',
  ),
  INNGEST_SIGNING_KEY: v(
    z.string().regex(SIGNING_KEY_PATTERN),
    undefined,
    'Inngest signing key',
    'signkey-prod-your-signing-key',
    'signkey-<env>-<hex>, e.g. signkey-prod-0a1b…',
    true,
  ),
  INNGEST_SIGNING_KEY_FALLBACK: v(
    z.string().regex(SIGNING_KEY_PATTERN),
    undefined,
    'previous signing key during rotation',
    'signkey-prod-your-fallback-key',
    'signkey-<env>-<hex>',
    true,
  ),
  INNGEST_EVENT_KEY: v(
    text(),
    undefined,
    'Inngest event key',
    'your-inngest-event-key',
    'the event key from the Inngest dashboard',
    true,
  ),
  INNGEST_REQUIRED: v(
    bool(),
    devFalse,
    'fail when Inngest is unavailable (must be true in production)',
    'false',
    'true or false',
  ),
  INNGEST_APP_ID: v(text(), 'caio-alpha-swarm', 'Inngest client id', 'caio-alpha-swarm', 'an app id'),
  INNGEST_WEBHOOK_URL: v(
    url(['http', 'https']),
    undefined,
    "deployed URL of this app's /inngest (https outside development)",
    'https://your-app.example.com/inngest',
    'an https URL ending in /inngest',
  ),
  INNGEST_DEV: v(
    text(),
    undefined,
    'dev mode of the Inngest SDK (1, or a dev server URL)',
    '',
    'a flag or URL',
  ),
  INNGEST_BASE_URL: v(
    url(['http', 'https']),
    undefined,
    "origin of Inngest's API and event API (default: Inngest cloud; e.g. a self-hosted server)",
    '',
    'an http(s) URL',
  ),
  INNGEST_EVENT_API_BASE_URL: v(
    url(['http', 'https']),
    undefined,
    "origin of Inngest's event API only (POST /e/<event key>); overrides INNGEST_BASE_URL for sending",
    '',
    'an http(s) URL',
  ),
  TRACE_ENVELOPE_FILE: v(
    text(),
    undefined,
    'trace envelope JSONL file (default: HIVE_DIR/traces/tool_trace_envelopes.jsonl)',
    '.hive-mind/traces/tool_trace_envelopes.jsonl',
    'a file path',
  ),
  TRACE_ENVELOPE_ENABLED: v(bool(), 'true', 'write trace envelopes', 'true', 'true or false'),
  TRACE_RETENTION_DAYS: v(positiveInt(), '30', 'days of traces to keep', '30', 'a positive integer'),
  TRACE_CLEANUP_ENABLED: v(bool(), 'true', 'prune old traces daily', 'true', 'true or false'),
  DASHBOARD_AUTH_TOKEN: v(
    text(),
    undefined,
    'API token, >= 32 chars (caio bootstrap generates one)',
    'your-dashboard-token-at-least-32-chars',
    'at least 32 characters',
    true,
  ),
  DASHBOARD_AUTH_STRICT: v(
    bool(),
    devFalse,
    'fail closed on auth (must be true in production)',
    'false',
    'true or false',
  ),
  TRUST_PROXY_HOPS: v(
    proxyHops(),
    '0',
    'reverse proxies in front of the server; the client address is read from X-Forwarded-For only when > 0',
    '0',
    'a whole number from 0 to 10',
  ),
  CORS_ALLOWED_ORIGINS: v(
    list(),
    '',
    'comma-separated explicit origins; * refused outside development',
    '',
    'comma-separated origins such as https://ops.example.com',
  ),
  INSTANTLY_WEBHOOK_SECRET: v(
    text(),
    undefined,
    'Instantly webhook secret (whsec_… = Standard Webhooks)',
    'your-instantly-webhook-secret',
    'a secret of at least 16 characters',
    true,
  ),
  HEYREACH_WEBHOOK_SECRET: v(
    text(),
    undefined,
    'HeyReach webhook secret',
    'your-heyreach-webhook-secret',
    'a secret of at least 16 characters',
    true,
  ),
  CLAY_WEBHOOK_SECRET: v(
    text(),
    undefined,
    'Clay webhook secret',
    'your-clay-webhook-secret',
    'a secret of at least 16 characters',
    true,
  ),
  RB2B_WEBHOOK_SECRET: v(
    text(),
    undefined,
    'RB2B webhook secret',
    'your-rb2b-webhook-secret',
    'a secret of at least 16 characters',
    true,
  ),
  DAILY_APPROVAL_CAPACITY: v(
    positiveInt(),
    '30',
    'approvals per reviewer per day',
    '30',
    'a positive integer',
  ),
  QUEUE_AGING_SLA_MINUTES: v(
    positiveInt(),
    '120',
    'aging SLA in minutes; breach = escalation',
    '120',
    'a positive integer',
  ),
  GATEKEEPER_BATCH_TTL_SECONDS: v(
    positiveInt(),
    '900',
    'Gatekeeper preview expiry in seconds',
    '900',
    'a positive integer',
  ),
  GATEKEEPER_TWO_PERSON_RULE: v(
    bool(),
    'false',
    'whoever triggers an outbound --live run may not execute its batch',
    'false',
    'true or false',
  ),
  RAMP_START_DAILY_LIMIT: v(positiveInt(), '10', 'sends per day at ramp start', '10', 'a positive integer'),
  RAMP_CLEAN_DAYS_TO_GRADUATE: v(
    positiveInt(),
    '3',
    'clean supervised days before the next ramp tier',
    '3',
    'a positive integer',
  ),
  EMAIL_SEND_MODE: v(
    oneOf(['log-only', 'whitelist', 'live']),
    'log-only',
    'log-only | whitelist | live',
    'log-only',
    'one of log-only, whitelist, live',
  ),
  EMAIL_WHITELIST: v(
    list(),
    '',
    'addresses or @domains allowed in whitelist mode',
    '',
    'comma-separated addresses or @domains',
  ),
  CALENDAR_MODE: v(oneOf(['mock', 'live']), 'mock', 'mock | live', 'mock', 'one of mock, live'),
  GHL_MODE: v(oneOf(['sandbox', 'live']), 'sandbox', 'sandbox | live', 'sandbox', 'one of sandbox, live'),
  INSTANTLY_API_KEY: v(
    text(),
    undefined,
    'Instantly API key (EMAIL_SEND_MODE=live)',
    'your-instantly-api-key',
    'the API key',
    true,
  ),
  INSTANTLY_BASE_URL: v(
    url(['http', 'https']),
    'https://api.instantly.ai',
    'Instantly API base URL',
    'https://api.instantly.ai',
    'an http(s) URL',
  ),
  INSTANTLY_CAMPAIGN_ID: v(
    text(),
    undefined,
    'Instantly campaign that mails each approved lead (EMAIL_SEND_MODE=live|whitelist)',
    'your-instantly-campaign-id',
    'the campaign id',
  ),
  GHL_API_KEY: v(
    text(),
    undefined,
    'GoHighLevel API key (GHL_MODE=live)',
    'your-ghl-api-key',
    'the API key',
    true,
  ),
  GHL_BASE_URL: v(
    url(['http', 'https']),
    'https://services.leadconnectorhq.com',
    'GoHighLevel API base URL',
    'https://services.leadconnectorhq.com',
    'an http(s) URL',
  ),
  GHL_LOCATION_ID: v(
    text(),
    undefined,
    'GoHighLevel location id (GHL_MODE=live)',
    'your-ghl-location-id',
    'the location id',
  ),
  REPLAY_MIN_PASS_RATE: v(
    rate(),
    '0.95',
    'replay quality gate threshold (0..1)',
    '0.95',
    'a number from 0 to 1',
  ),
  DEPLOY_BASE_URL_STAGING: v(
    url(['http', 'https']),
    undefined,
    'deployed staging base URL for release checks',
    'https://staging.your-app.example.com',
    'an http(s) URL',
  ),
  DEPLOY_BASE_URL_PRODUCTION: v(
    url(['http', 'https']),
    undefined,
    'deployed production base URL for release checks',
    'https://your-app.example.com',
    'an http(s) URL',
  ),
  NOTIFY_WEBHOOK_URL: v(
    url(['http', 'https']),
    undefined,
    'escalations are posted here as Slack-compatible JSON {text}',
    'https://hooks.slack.com/services/your-webhook-path',
    'an http(s) URL',
  ),
  MEETING_PREP_MIN_CONFIDENCE: v(
    rate(),
    '0.8',
    'call briefs below this confidence wait for review in the queue (0..1)',
    '0.8',
    'a number from 0 to 1',
  ),
  CAIO_OPERATOR: v(
    text(),
    undefined,
    'who acts, for the CLI and a local console (else the OS user)',
    'maria',
    'an operator name',
  ),
  CAIO_REMOTE_URL: v(
    url(['http', 'https']),
    undefined,
    'the deployed runtime that `caio console --remote` attaches to',
    'https://your-app.example.com',
    'an http(s) URL',
  ),
  CAIO_TOKEN: v(
    text(),
    undefined,
    "the operator's token for `caio console --remote`",
    'your-operator-token',
    'the token printed by caio operators add',
    true,
  ),
} satisfies Record<string, VarSpec<z.ZodType<unknown, string>>>;

export type VariableName = keyof typeof VARIABLES;
export const VARIABLE_NAMES = Object.keys(VARIABLES) as VariableName[];

export type Config = {
  [K in VariableName]: z.output<(typeof VARIABLES)[K]['schema']> | DefaultedUndefined<K>;
} & {
  mode: Mode;
};
type DefaultedUndefined<K extends VariableName> = (typeof VARIABLES)[K]['default'] extends undefined
  ? undefined
  : never;

export type RawEnv = Record<string, string | undefined>;

export function isSecret(name: string): boolean {
  return (VARIABLES as Record<string, VarSpec<z.ZodType>>)[name]?.secret ?? false;
}

export function defaultFor(name: VariableName, mode: Mode): string | undefined {
  const d = VARIABLES[name].default as Default;
  return typeof d === 'function' ? d(mode) : d;
}

/** The raw value of a variable, treating empty strings as unset. */
export function rawValue(env: RawEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export interface FieldProblem {
  name: VariableName;
  message: string;
}

/** Parse one variable; returns the typed value or a problem phrased for an operator. */
export function parseVariable(
  name: VariableName,
  raw: string,
): { ok: true; value: unknown } | { ok: false; problem: FieldProblem } {
  const spec = VARIABLES[name] as VarSpec<z.ZodType>;
  const result = spec.schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  // URLs may carry a password (redis://:pw@host): show them masked, and secrets not at all.
  const visible = name.endsWith('_URL') ? maskUrl(raw) : raw;
  const shown = spec.secret ? '' : ` (got "${visible.length > 60 ? `${visible.slice(0, 60)}…` : visible}")`;
  return { ok: false, problem: { name, message: `${name} must be ${spec.expect}${shown}` } };
}

export function resolveMode(env: RawEnv, override?: string): Mode {
  const raw = override ?? rawValue(env, 'CAIO_MODE') ?? 'development';
  if ((MODES as readonly string[]).includes(raw)) return raw as Mode;
  throw new UserError(`Unknown mode "${raw}"`, {
    nextStep: `Use --mode (or CAIO_MODE) with one of: ${MODES.join(', ')}.`,
    code: 'config_invalid',
  });
}

/**
 * Build the typed configuration. Throws a `UserError` naming every malformed variable; rules that
 * depend on the mode (required keys, strict flags) are reported by `caio validate`, not here.
 */
export function parseConfig(env: RawEnv, modeOverride?: string): Config {
  const mode = resolveMode(env, modeOverride);
  const out: Record<string, unknown> = { mode };
  const problems: FieldProblem[] = [];
  for (const name of VARIABLE_NAMES) {
    const raw = name === 'CAIO_MODE' ? mode : (rawValue(env, name) ?? defaultFor(name, mode));
    if (raw === undefined) {
      out[name] = undefined;
      continue;
    }
    const parsed = parseVariable(name, raw);
    if (parsed.ok) out[name] = parsed.value;
    else problems.push(parsed.problem);
  }
  if (problems.length > 0) {
    const first = problems.slice(0, 5).map((p) => p.message);
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new UserError(`Invalid configuration: ${first.join('; ')}${more}`, {
      nextStep: 'Fix the value in your env file or environment, then validate the configuration again.',
      code: 'config_invalid',
    });
  }
  return out as Config;
}

/** Every secret value in the configuration, for redacting free text. */
export function secretValues(config: Config): string[] {
  const secrets = VARIABLE_NAMES.filter((name) => VARIABLES[name].secret)
    .map((name) => config[name])
    .filter((value): value is string => typeof value === 'string');
  // Passwords inside URLs (REDIS_URL=rediss://:pw@host) are secrets too.
  for (const name of VARIABLE_NAMES) {
    const value = config[name];
    if (!name.endsWith('_URL') || typeof value !== 'string') continue;
    try {
      const password = decodeURIComponent(new URL(value).password);
      if (password) secrets.push(password);
    } catch {
      // Not a URL: nothing to extract.
    }
  }
  return secrets;
}

/** Where retention moves expired envelopes: HIVE_DIR/traces/archive (one .jsonl.gz per UTC day). */
export function traceArchivePath(config: Pick<Config, 'HIVE_DIR'>): string {
  return `${config.HIVE_DIR.replace(/\/+$/, '')}/traces/archive`;
}

/** Where trace envelopes go: TRACE_ENVELOPE_FILE, else inside HIVE_DIR so one folder holds all state. */
export function traceFilePath(config: Config): string {
  return (
    config.TRACE_ENVELOPE_FILE ?? `${config.HIVE_DIR.replace(/\/+$/, '')}/traces/tool_trace_envelopes.jsonl`
  );
}
