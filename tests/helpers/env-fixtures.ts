import { randomBytes } from 'node:crypto';

export const SIGNING_KEY = `signkey-prod-${'0123456789abcdef'.repeat(4)}`;

/** A complete, valid production env (every required key, real-looking values). */
export function productionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CAIO_MODE: 'production',
    REDIS_URL: 'rediss://default:s3cr3tpassw0rd@redis.internal.acme.io:6380',
    REDIS_REQUIRED: 'true',
    INNGEST_SIGNING_KEY: SIGNING_KEY,
    INNGEST_EVENT_KEY: 'evtkey_8f3a9c2b7d1e4f60a5b8c9d0e1f2a3b4',
    INNGEST_REQUIRED: 'true',
    INNGEST_WEBHOOK_URL: 'https://caio.acme.io/inngest',
    DASHBOARD_AUTH_TOKEN: randomBytes(32).toString('base64url'),
    DASHBOARD_AUTH_STRICT: 'true',
    CORS_ALLOWED_ORIGINS: 'https://ops.acme.io',
    INSTANTLY_WEBHOOK_SECRET: 'inst_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    HEYREACH_WEBHOOK_SECRET: 'hr_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    CLAY_WEBHOOK_SECRET: 'clay_5e4d3c2b1a09f8e7d6c5b4a392817065',
    RB2B_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ...overrides,
  };
}

export function toEnvFile(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}
