import { describe, expect, it } from 'vitest';
import { parseConfig, secretValues, traceFilePath } from '../../../src/runtime/config.js';
import { maskSecret, maskUrl, redact } from '../../../src/runtime/mask.js';

describe('config', () => {
  it('applies mode-aware defaults', () => {
    const dev = parseConfig({});
    expect(dev.mode).toBe('development');
    expect(dev.REDIS_REQUIRED).toBe(false);
    expect(dev.PORT).toBe(8080);
    expect(dev.STATE_REDIS_PREFIX).toBe('caio:development:state');
    expect(dev.CORS_ALLOWED_ORIGINS).toEqual([]);
    expect(traceFilePath(dev)).toBe('.hive-mind/traces/tool_trace_envelopes.jsonl');

    const prod = parseConfig({ CAIO_MODE: 'production' });
    expect(prod.REDIS_REQUIRED).toBe(true);
    expect(prod.DASHBOARD_AUTH_STRICT).toBe(true);
    expect(prod.RATE_LIMIT_REDIS_NAMESPACE).toBe('caio:production:ratelimit');
  });

  it('the --mode override wins over CAIO_MODE', () => {
    expect(parseConfig({ CAIO_MODE: 'production' }, 'staging').mode).toBe('staging');
  });

  it('parses typed values', () => {
    const config = parseConfig({
      PORT: '9090',
      STATE_DUAL_READ_ENABLED: 'no',
      CORS_ALLOWED_ORIGINS: 'https://a.io, https://b.io',
      REPLAY_MIN_PASS_RATE: '0.9',
    });
    expect(config.PORT).toBe(9090);
    expect(config.STATE_DUAL_READ_ENABLED).toBe(false);
    expect(config.CORS_ALLOWED_ORIGINS).toEqual(['https://a.io', 'https://b.io']);
    expect(config.REPLAY_MIN_PASS_RATE).toBe(0.9);
  });

  it('names every malformed variable and the fix, never echoing secrets', () => {
    const run = () =>
      parseConfig({ PORT: 'eighty', REDIS_REQUIRED: 'maybe', INNGEST_SIGNING_KEY: 'supersecretvalue' });
    expect(run).toThrowError(/PORT must be a port number from 1 to 65535 \(got "eighty"\)/);
    expect(run).toThrowError(/REDIS_REQUIRED must be true or false/);
    expect(run).toThrowError(/INNGEST_SIGNING_KEY must be signkey-<env>-<hex>/);
    expect(run).not.toThrowError(/supersecretvalue/);
  });

  it('masks the password of a malformed URL in the error, and lists URL passwords as secrets', () => {
    const run = () => parseConfig({ REDIS_URL: 'http://default:s3cretpassword@redis.acme.io:6379' });
    expect(run).toThrowError(
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL \(got "http:\/\/default:\*\*\*@redis\.acme\.io:6379\/"\)/,
    );
    expect(run).not.toThrowError(/s3cretpassword/);
    const config = parseConfig({ REDIS_URL: 'rediss://default:p%40ss-w0rd-long@redis.acme.io:6380' });
    expect(secretValues(config)).toContain('p@ss-w0rd-long');
  });

  it('refuses an unknown mode', () => {
    expect(() => parseConfig({ CAIO_MODE: 'prod' })).toThrowError(/Unknown mode "prod"/);
  });
});

describe('masking', () => {
  it('shows a prefix and the length, never the value', () => {
    expect(maskSecret('abcdefghijklmnopqrstuvwxyz')).toBe('abcd…(26 chars)');
    expect(maskSecret('short')).toBe('***(5 chars)');
    expect(maskSecret(undefined)).toBe('(unset)');
  });

  it('masks URL passwords and secret query parameters', () => {
    expect(maskUrl('rediss://default:hunter2hunter2@redis.io:6380')).toBe(
      'rediss://default:***@redis.io:6380',
    );
    expect(maskUrl('https://a.io/x?token=abc&page=2')).toBe('https://a.io/x?token=***&page=2');
  });

  it('redacts secrets inside free text', () => {
    expect(redact('token=abcdefghijklmnopqrst failed', ['abcdefghijklmnopqrst'])).toBe(
      'token=abcd…(20 chars) failed',
    );
  });
});
