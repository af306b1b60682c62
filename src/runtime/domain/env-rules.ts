/**
 * The rules of `caio validate` (SPEC 4) as a pure function: raw env + mode -> one check per line.
 * Connection checks (Redis PING, signed Inngest GET) live in tasks/connections.ts.
 */
import {
  VARIABLES,
  VARIABLE_NAMES,
  isSecret,
  parseVariable,
  rawValue,
  type Mode,
  type RawEnv,
  type VariableName,
} from '../config.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface Check {
  status: CheckStatus;
  name: string;
  reason: string;
  /** How to fix it; empty on PASS. */
  fix: string;
}

const pass = (name: string, reason: string): Check => ({ status: 'PASS', name, reason, fix: '' });
const warn = (name: string, reason: string, fix: string): Check => ({ status: 'WARN', name, reason, fix });
const fail = (name: string, reason: string, fix: string): Check => ({ status: 'FAIL', name, reason, fix });

const INNGEST_KEYS = ['INNGEST_SIGNING_KEY', 'INNGEST_EVENT_KEY', 'INNGEST_WEBHOOK_URL'] as const;
export const WEBHOOK_SECRETS = [
  'INSTANTLY_WEBHOOK_SECRET',
  'HEYREACH_WEBHOOK_SECRET',
  'CLAY_WEBHOOK_SECRET',
  'RB2B_WEBHOOK_SECRET',
] as const;
const STRICT_FLAGS = ['REDIS_REQUIRED', 'INNGEST_REQUIRED', 'DASHBOARD_AUTH_STRICT'] as const;

/** Keys that must be present, per mode. */
export function requiredKeys(mode: Mode): VariableName[] {
  switch (mode) {
    case 'development':
      return [];
    case 'staging':
      return ['REDIS_URL', ...INNGEST_KEYS, 'DASHBOARD_AUTH_TOKEN'];
    case 'production':
      return ['REDIS_URL', ...INNGEST_KEYS, 'DASHBOARD_AUTH_TOKEN', ...STRICT_FLAGS, ...WEBHOOK_SECRETS];
  }
}

/** Keys worth a warning when missing, per mode. */
function recommendedKeys(mode: Mode): VariableName[] {
  switch (mode) {
    case 'development':
      return ['DASHBOARD_AUTH_TOKEN'];
    case 'staging':
      return [...WEBHOOK_SECRETS];
    case 'production':
      return [];
  }
}

const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /your[-_]/i,
  /changeme/i,
  /change[-_]me/i,
  /xxx/i,
  /placeholder/i,
  /replace[-_]?me/i,
  /^<.*>$/,
  /^todo$/i,
  /example\.(com|org)/i,
];

export function looksLikePlaceholder(value: string, exampleValues: ReadonlySet<string>): boolean {
  return exampleValues.has(value) || PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(value));
}

/**
 * Why a configured credential must not be used at runtime (the same rules `caio validate` applies),
 * or undefined when it is fit: the auth guard and the webhook endpoints treat an unfit value as not
 * configured, so a placeholder copied from .env.example can never open the API.
 */
export function credentialProblem(
  name: 'DASHBOARD_AUTH_TOKEN' | (typeof WEBHOOK_SECRETS)[number],
  value: string,
): string | undefined {
  if (looksLikePlaceholder(value, new Set())) return `${name} holds a placeholder value`;
  const check =
    name === 'DASHBOARD_AUTH_TOKEN'
      ? specificRule(name, value, 'production')
      : webhookSecretRule(name, value);
  return check?.status === 'FAIL' ? `${name} is ${check.reason}` : undefined;
}

export interface EnvRuleInput {
  env: RawEnv;
  mode: Mode;
  /** Values found in .env.example / .env.staging.example: a secret equal to one is a placeholder. */
  exampleValues?: ReadonlySet<string>;
}

export function validateEnv({ env, mode, exampleValues = new Set() }: EnvRuleInput): Check[] {
  const checks: Check[] = [];
  const required = new Set(requiredKeys(mode));
  const recommended = new Set(recommendedKeys(mode));
  const get = (name: VariableName) => rawValue(env, name);

  checks.push(pass('CAIO_MODE', `validating for ${mode}`));

  for (const name of VARIABLE_NAMES) {
    if (name === 'CAIO_MODE') continue;
    const value = get(name);
    if (value === undefined) {
      if (required.has(name)) {
        checks.push(
          fail(name, `missing (required in ${mode})`, `Set ${name}: ${VARIABLES[name].description}.`),
        );
      } else if (recommended.has(name)) {
        checks.push(warn(name, 'not set', `Set ${name}: ${VARIABLES[name].description}.`));
      }
      continue;
    }
    const parsed = parseVariable(name, value);
    if (!parsed.ok) {
      checks.push(fail(name, parsed.problem.message, `Set ${name} to ${VARIABLES[name].expect}.`));
      continue;
    }
    const placeholder =
      (isSecret(name) || name === 'INNGEST_WEBHOOK_URL' || name.startsWith('DEPLOY_BASE_URL')) &&
      looksLikePlaceholder(value, isSecret(name) ? exampleValues : new Set());
    if (placeholder) {
      checks.push(
        fail(
          name,
          'holds a placeholder value',
          name === 'DASHBOARD_AUTH_TOKEN'
            ? 'Generate a real token: caio bootstrap --rotate-token --env-file <file>.'
            : `Replace the placeholder with the real ${name}.`,
        ),
      );
      continue;
    }
    const specific = specificRule(name, value, mode);
    checks.push(specific ?? pass(name, isSecret(name) ? 'set' : 'well formed'));
  }

  checks.push(...crossFieldRules(env, mode));
  return checks;
}

/** Rules about one variable beyond its format. Returns undefined when the plain PASS applies. */
function specificRule(name: VariableName, value: string, mode: Mode): Check | undefined {
  switch (name) {
    case 'DASHBOARD_AUTH_TOKEN':
      if (value.length < 32) {
        return fail(
          name,
          `too short (${value.length} chars, needs >= 32)`,
          'Generate one: caio bootstrap --rotate-token.',
        );
      }
      if (new Set(value).size < 8) {
        return fail(
          name,
          'too little variety to be a real token',
          'Generate one: caio bootstrap --rotate-token.',
        );
      }
      return pass(name, `set (${value.length} chars)`);
    case 'INNGEST_WEBHOOK_URL': {
      const url = new URL(value);
      if (!url.pathname.replace(/\/+$/, '').endsWith('/inngest')) {
        return fail(
          name,
          `path must end with /inngest (got ${url.pathname})`,
          `Point it at https://<your-host>/inngest.`,
        );
      }
      if (mode !== 'development' && url.protocol !== 'https:') {
        return fail(
          name,
          `must be https outside development (got ${url.protocol}//)`,
          'Use the https URL of the deployed app.',
        );
      }
      return pass(name, 'https URL ending in /inngest');
    }
    case 'REDIS_URL': {
      const url = new URL(value);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (mode === 'production' && url.protocol === 'redis:' && !loopback) {
        return warn(
          name,
          'plain redis:// to a remote host in production',
          'Use rediss:// (TLS) for a remote Redis.',
        );
      }
      return undefined;
    }
    case 'CORS_ALLOWED_ORIGINS': {
      const origins = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (origins.includes('*')) {
        return mode === 'development'
          ? warn(name, 'wildcard * allowed only in development', 'List explicit origins before staging.')
          : fail(
              name,
              'wildcard * is refused outside development',
              'List explicit origins, e.g. https://ops.example.com.',
            );
      }
      const bad = origins.filter((origin) => !isOrigin(origin));
      if (bad.length > 0) {
        return fail(
          name,
          `not an origin: ${bad.join(', ')}`,
          'Each entry is scheme://host[:port] with no path.',
        );
      }
      return pass(name, `${origins.length} explicit origin(s)`);
    }
    case 'REDIS_REQUIRED':
    case 'INNGEST_REQUIRED':
    case 'DASHBOARD_AUTH_STRICT': {
      const on = ['true', '1', 'yes'].includes(value.trim().toLowerCase());
      if (on) return pass(name, 'true');
      if (mode === 'production') return fail(name, 'must be true in production', `Set ${name}=true.`);
      if (mode === 'staging')
        return warn(
          name,
          'false in staging (production needs true)',
          `Set ${name}=true to rehearse production.`,
        );
      return pass(name, 'false (development)');
    }
    case 'INSTANTLY_WEBHOOK_SECRET':
    case 'HEYREACH_WEBHOOK_SECRET':
    case 'CLAY_WEBHOOK_SECRET':
    case 'RB2B_WEBHOOK_SECRET':
      return webhookSecretRule(name, value);
    default:
      return undefined;
  }
}

function webhookSecretRule(name: VariableName, value: string): Check {
  if (value.startsWith('whsec_')) {
    const key = Buffer.from(value.slice('whsec_'.length), 'base64');
    if (key.length < 16) {
      return fail(
        name,
        'whsec_ secret must hold at least 16 base64-encoded bytes',
        'Copy the whole secret from the provider.',
      );
    }
    return pass(name, 'set (Standard Webhooks signatures)');
  }
  if (value.length < 16) {
    return fail(
      name,
      `too short (${value.length} chars, needs >= 16)`,
      'Use a long random secret and set the same in the provider.',
    );
  }
  return pass(name, 'set (shared secret)');
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

function crossFieldRules(env: RawEnv, mode: Mode): Check[] {
  const checks: Check[] = [];
  const get = (name: VariableName) => rawValue(env, name);
  const sendMode = get('EMAIL_SEND_MODE') ?? 'log-only';
  if (sendMode === 'live' && !get('INSTANTLY_API_KEY')) {
    checks.push(
      fail(
        'EMAIL_SEND_MODE',
        'live sending needs INSTANTLY_API_KEY',
        'Set INSTANTLY_API_KEY, or use log-only / whitelist.',
      ),
    );
  }
  if ((sendMode === 'live' || sendMode === 'whitelist') && !get('INSTANTLY_CAMPAIGN_ID')) {
    const problem = `${sendMode} sending needs INSTANTLY_CAMPAIGN_ID: without a campaign Instantly stores each lead and mails none`;
    const fix = 'Set INSTANTLY_CAMPAIGN_ID to the campaign that sends the approved drafts.';
    checks.push(
      sendMode === 'live' ? fail('EMAIL_SEND_MODE', problem, fix) : warn('EMAIL_SEND_MODE', problem, fix),
    );
  }
  if (sendMode === 'live' && mode === 'development') {
    checks.push(
      warn(
        'EMAIL_SEND_MODE',
        'live sending from a development config',
        'Use log-only or whitelist in development.',
      ),
    );
  }
  if (sendMode === 'whitelist' && !get('EMAIL_WHITELIST')) {
    checks.push(
      fail(
        'EMAIL_WHITELIST',
        'whitelist mode with an empty whitelist sends nothing',
        'List addresses or @domains.',
      ),
    );
  }
  if (get('GHL_MODE') === 'live') {
    for (const key of ['GHL_API_KEY', 'GHL_LOCATION_ID'] as const) {
      if (!get(key)) checks.push(fail(key, 'GHL_MODE=live needs it', `Set ${key}, or use GHL_MODE=sandbox.`));
    }
  }
  const primary = get('INNGEST_SIGNING_KEY');
  const fallback = get('INNGEST_SIGNING_KEY_FALLBACK');
  if (primary && fallback && primary === fallback) {
    checks.push(
      warn(
        'INNGEST_SIGNING_KEY_FALLBACK',
        'same as the primary key',
        'Set it to the previous key during rotation, or remove it.',
      ),
    );
  }
  if (mode !== 'development' && get('INNGEST_DEV')) {
    checks.push(
      fail('INNGEST_DEV', `set in ${mode}: the SDK would run in dev mode, not cloud`, 'Remove INNGEST_DEV.'),
    );
  }
  return checks;
}

export function summarize(checks: readonly Check[]): {
  result: 'PASS' | 'FAIL';
  pass: number;
  warn: number;
  fail: number;
} {
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  const failures = count('FAIL');
  return {
    result: failures === 0 ? 'PASS' : 'FAIL',
    pass: count('PASS'),
    warn: count('WARN'),
    fail: failures,
  };
}
