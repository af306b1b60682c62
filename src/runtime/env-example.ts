/** Renders `.env.example` / `.env.staging.example` from the variable table (a test keeps them in sync). */
import { VARIABLE_NAMES, VARIABLES, defaultFor, type Mode } from './config.js';

const STAGING_OVERRIDES: Record<string, string> = {
  CAIO_MODE: 'staging',
  REDIS_REQUIRED: 'true',
  INNGEST_REQUIRED: 'true',
  DASHBOARD_AUTH_STRICT: 'true',
  RATE_LIMIT_REDIS_NAMESPACE: 'caio:staging:ratelimit',
  CONTEXT_REDIS_PREFIX: 'caio:staging:context',
  STATE_REDIS_PREFIX: 'caio:staging:state',
  REDIS_URL: 'rediss://default:your-redis-password@your-redis-host:6379',
  CORS_ALLOWED_ORIGINS: 'https://ops.your-company.example.com',
  EMAIL_SEND_MODE: 'whitelist',
  EMAIL_WHITELIST: '@your-company.example.com',
};

export function renderEnvExample(mode: Mode): string {
  const lines = [
    `# CAIO Operator Console — ${mode} configuration template.`,
    '# Copy to .env (or pass --env-file) and replace every placeholder; `caio validate` refuses placeholders.',
    '# `caio bootstrap --mode <mode> --env-file <file>` writes the reliability keys and a real token for you.',
    '',
  ];
  for (const name of VARIABLE_NAMES) {
    const spec = VARIABLES[name];
    const fallback = defaultFor(name, 'development');
    lines.push(
      `# ${spec.description}${fallback !== undefined && fallback !== '' ? ` (default: ${fallback})` : ''}`,
    );
    const value = mode === 'staging' ? (STAGING_OVERRIDES[name] ?? spec.example) : spec.example;
    lines.push(`${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The README's configuration table (between `<!-- config-table:start/end -->`). */
export function renderConfigTable(): string {
  const rows = VARIABLE_NAMES.map((name) => {
    const spec = VARIABLES[name];
    const dev = defaultFor(name, 'development');
    const prod = defaultFor(name, 'production');
    const shown =
      dev === undefined
        ? '—'
        : dev !== prod
          ? `\`${dev}\` (dev), \`${prod}\` (prod)`
          : dev === ''
            ? 'empty'
            : `\`${dev}\``;
    const meaning = spec.description.replace(/\|/g, '\\|') + (spec.secret ? ' (secret, masked)' : '');
    return `| \`${name}\` | ${shown} | ${meaning} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
