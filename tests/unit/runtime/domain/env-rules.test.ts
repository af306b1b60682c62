import { describe, expect, it } from 'vitest';
import { summarize, validateEnv, type Check } from '../../../../src/runtime/domain/env-rules.js';
import { productionEnv } from '../../../helpers/env-fixtures.js';

const failures = (checks: Check[]) => checks.filter((check) => check.status === 'FAIL');
const failureFor = (checks: Check[], name: string) => failures(checks).find((check) => check.name === name);

describe('validate rules', () => {
  it('an empty production env fails naming REDIS_URL and every other required key', () => {
    const checks = validateEnv({ env: {}, mode: 'production' });
    const names = failures(checks).map((check) => check.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'REDIS_REQUIRED',
        'INNGEST_SIGNING_KEY',
        'INNGEST_EVENT_KEY',
        'INNGEST_REQUIRED',
        'INNGEST_WEBHOOK_URL',
        'DASHBOARD_AUTH_TOKEN',
        'DASHBOARD_AUTH_STRICT',
        'INSTANTLY_WEBHOOK_SECRET',
        'RB2B_WEBHOOK_SECRET',
      ]),
    );
    expect(failureFor(checks, 'REDIS_URL')?.reason).toBe('missing (required in production)');
    expect(summarize(checks).result).toBe('FAIL');
  });

  it('a complete production env passes', () => {
    const checks = validateEnv({ env: productionEnv(), mode: 'production' });
    expect(failures(checks)).toEqual([]);
    expect(summarize(checks).result).toBe('PASS');
  });

  it.each([
    [
      'placeholder token',
      { DASHBOARD_AUTH_TOKEN: 'your-dashboard-token-at-least-32-chars' },
      'DASHBOARD_AUTH_TOKEN',
      /placeholder/,
    ],
    [
      'changeme token',
      { DASHBOARD_AUTH_TOKEN: 'changeme-changeme-changeme-changeme' },
      'DASHBOARD_AUTH_TOKEN',
      /placeholder/,
    ],
    ['short token', { DASHBOARD_AUTH_TOKEN: 'Xy7pQ2rT9w' }, 'DASHBOARD_AUTH_TOKEN', /too short/],
    ['wildcard CORS', { CORS_ALLOWED_ORIGINS: '*' }, 'CORS_ALLOWED_ORIGINS', /wildcard/],
    [
      'CORS with a path',
      { CORS_ALLOWED_ORIGINS: 'https://ops.acme.io/app' },
      'CORS_ALLOWED_ORIGINS',
      /not an origin/,
    ],
    ['REDIS_REQUIRED=false', { REDIS_REQUIRED: 'false' }, 'REDIS_REQUIRED', /must be true in production/],
    [
      'INNGEST_REQUIRED=false',
      { INNGEST_REQUIRED: 'false' },
      'INNGEST_REQUIRED',
      /must be true in production/,
    ],
    [
      'DASHBOARD_AUTH_STRICT=false',
      { DASHBOARD_AUTH_STRICT: 'false' },
      'DASHBOARD_AUTH_STRICT',
      /must be true in production/,
    ],
    [
      'malformed signing key',
      { INNGEST_SIGNING_KEY: 'sk-prod-1234' },
      'INNGEST_SIGNING_KEY',
      /signkey-<env>-<hex>/,
    ],
    [
      'signing key with non-hex body',
      { INNGEST_SIGNING_KEY: 'signkey-prod-zzzz' },
      'INNGEST_SIGNING_KEY',
      /signkey-<env>-<hex>/,
    ],
    [
      'http webhook URL',
      { INNGEST_WEBHOOK_URL: 'http://caio.acme.io/inngest' },
      'INNGEST_WEBHOOK_URL',
      /https/,
    ],
    [
      'webhook URL without /inngest',
      { INNGEST_WEBHOOK_URL: 'https://caio.acme.io/api' },
      'INNGEST_WEBHOOK_URL',
      /\/inngest/,
    ],
    [
      'placeholder webhook URL',
      { INNGEST_WEBHOOK_URL: 'https://your-app.example.com/inngest' },
      'INNGEST_WEBHOOK_URL',
      /placeholder/,
    ],
    ['non-redis URL', { REDIS_URL: 'http://redis:6379' }, 'REDIS_URL', /redis:\/\/ or rediss:\/\//],
    ['non-boolean flag', { REDIS_REQUIRED: 'yes please' }, 'REDIS_REQUIRED', /true or false/],
    [
      'non-integer capacity',
      { DAILY_APPROVAL_CAPACITY: '-3' },
      'DAILY_APPROVAL_CAPACITY',
      /positive integer/,
    ],
    ['short webhook secret', { CLAY_WEBHOOK_SECRET: 'abc123' }, 'CLAY_WEBHOOK_SECRET', /too short/],
    ['live email without API key', { EMAIL_SEND_MODE: 'live' }, 'EMAIL_SEND_MODE', /INSTANTLY_API_KEY/],
    [
      'live email without a campaign',
      { EMAIL_SEND_MODE: 'live', INSTANTLY_API_KEY: 'inst_9f8e7d6c5b4a39281706f5e4d3c2b1a0' },
      'EMAIL_SEND_MODE',
      /INSTANTLY_CAMPAIGN_ID: without a campaign Instantly stores each lead and mails none/,
    ],
    ['INNGEST_DEV in production', { INNGEST_DEV: '1' }, 'INNGEST_DEV', /dev mode/],
  ])('fails on %s', (_label, override, name, reason) => {
    const checks = validateEnv({ env: productionEnv(override), mode: 'production' });
    const failure = failureFor(checks, name);
    expect(failure, `expected a FAIL for ${name}`).toBeDefined();
    expect(failure?.reason).toMatch(reason);
    expect(failure?.fix).not.toBe('');
    expect(summarize(checks).result).toBe('FAIL');
  });

  it('treats a secret equal to an .env.example value as a placeholder', () => {
    const token = 'Qm9vdHN0cmFwVG9rZW5Gcm9tRXhhbXBsZUZpbGUx';
    const checks = validateEnv({
      env: productionEnv({ DASHBOARD_AUTH_TOKEN: token }),
      mode: 'production',
      exampleValues: new Set([token]),
    });
    expect(failureFor(checks, 'DASHBOARD_AUTH_TOKEN')?.reason).toMatch(/placeholder/);
  });

  it('never prints a secret value in any check', () => {
    const env = productionEnv({ DASHBOARD_AUTH_TOKEN: 'Zz9!' + 'q'.repeat(40) });
    const text = JSON.stringify(validateEnv({ env, mode: 'production' }));
    for (const key of ['DASHBOARD_AUTH_TOKEN', 'INNGEST_SIGNING_KEY', 'CLAY_WEBHOOK_SECRET'] as const) {
      expect(text).not.toContain(env[key]);
    }
  });

  it('development needs nothing and allows a wildcard with a warning', () => {
    const checks = validateEnv({ env: { CORS_ALLOWED_ORIGINS: '*' }, mode: 'development' });
    expect(failures(checks)).toEqual([]);
    expect(checks.find((check) => check.name === 'CORS_ALLOWED_ORIGINS')?.status).toBe('WARN');
  });

  it('staging warns (not fails) on false strict flags but requires the core keys', () => {
    const checks = validateEnv({
      env: { ...productionEnv({ REDIS_REQUIRED: 'false' }), CAIO_MODE: 'staging' },
      mode: 'staging',
    });
    expect(checks.find((check) => check.name === 'REDIS_REQUIRED')?.status).toBe('WARN');
    expect(failures(validateEnv({ env: {}, mode: 'staging' })).map((check) => check.name)).toContain(
      'REDIS_URL',
    );
  });
});
