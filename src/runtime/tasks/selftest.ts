/**
 * `caio selftest`: round-trip every state primitive against the configured store, plus the signature
 * round trips, and report PASS/FAIL per check. Keys are unique per run (`selftest:<uuid>`) and short
 * lived, so running it against production Redis is harmless; claims live in the `selftest` namespace.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import {
  constantTimeEqual,
  signStandardWebhook,
  verifyStandardWebhook,
} from '../domain/webhooks/signatures.js';
import { signInngestRequest, stripSigningKeyPrefix } from '../inngest-signature.js';
import type { StateStore, StoreHealth } from '../stores/state-store.js';

export interface SelftestCheck {
  name: string;
  status: 'PASS' | 'FAIL';
  detail: string;
  duration_ms: number;
}

export interface SelftestResult {
  store: Pick<StoreHealth, 'kind' | 'healthy' | 'degraded'> & { error: string | null };
  checks: SelftestCheck[];
  passed: number;
  failed: number;
  result: 'PASS' | 'FAIL';
}

export interface SelftestOptions {
  /** INNGEST_SIGNING_KEY when configured; a random key otherwise. */
  signingKey?: string | undefined;
}

class CheckFailed extends Error {}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export async function runSelftest(store: StateStore, options: SelftestOptions = {}): Promise<SelftestResult> {
  const run = `selftest:${randomUUID()}`;
  const checks: SelftestCheck[] = [];
  const check = async (name: string, body: () => Promise<string> | string) => {
    const started = performance.now();
    try {
      const detail = await body();
      checks.push({ name, status: 'PASS', detail, duration_ms: elapsed(started) });
    } catch (error) {
      checks.push({ name, status: 'FAIL', detail: errorMessage(error), duration_ms: elapsed(started) });
    }
  };

  let health: StoreHealth = {
    kind: store.kind,
    healthy: false,
    degraded: false,
    latencyMs: undefined,
    error: 'not checked',
  };
  await check('store.health', async () => {
    health = await store.health();
    expect(health.healthy, `${health.kind} store unhealthy: ${health.error ?? 'unknown error'}`);
    expect(
      !health.degraded,
      `degraded: ${health.error ?? 'Redis unavailable'} (running on the embedded store)`,
    );
    return `${health.kind}, ${health.latencyMs?.toFixed(1) ?? '?'} ms`;
  });

  await check('state.compare_and_set', async () => {
    const created = await store.compareAndSet('selftest', run, 0, { status: 'pending' });
    expect(created.ok, 'creating a record with expected version 0 failed');
    const lost = await store.compareAndSet('selftest', run, 0, { status: 'approved' });
    expect(!lost.ok && lost.current?.version === 1, 'a stale compare-and-set was not refused');
    const moved = await store.compareAndSet('selftest', run, 1, { status: 'approved' });
    expect(moved.ok && moved.record.version === 2, 'a compare-and-set from the current version failed');
    const read = await store.getRecord<{ status: string }>('selftest', run);
    expect(read?.value.status === 'approved', `read back ${JSON.stringify(read?.value)}`);
    expect(await store.deleteRecord('selftest', run), 'delete reported nothing deleted');
    expect((await store.getRecord('selftest', run)) === undefined, 'the record survived its delete');
    return 'create, stale write refused, update, read back, delete';
  });

  await check('state.context_ttl', async () => {
    await store.setContext(run, { step: 1 }, 60);
    const read = await store.getContext<{ step: number }>(run);
    expect(read?.step === 1, `read back ${JSON.stringify(read)}`);
    await store.deleteContext(run);
    expect((await store.getContext(run)) === undefined, 'the context survived its delete');
    return 'set with TTL, read back, delete';
  });

  await check('lock.dispatch', async () => {
    const lock = await store.acquireLock(run, 5_000);
    expect(lock !== undefined, 'could not acquire a fresh lock');
    expect((await store.acquireLock(run, 5_000)) === undefined, 'a held lock was granted twice');
    expect(await store.checkFence(run, lock.fence), 'the holder failed its own fence check');
    expect((await store.extendLock(lock, 5_000)) !== undefined, 'the holder could not extend');
    expect(!(await store.releaseLock({ ...lock, owner: 'not-the-owner' })), 'a non-owner released the lock');
    expect(await store.releaseLock(lock), 'the owner could not release');
    expect(!(await store.checkFence(run, lock.fence)), 'a released fence still passes');
    return `acquire (fence ${lock.fence}), exclusive, fence, extend, compare-and-delete release`;
  });

  await check('limiter.consume', async () => {
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await store.consume(run, 2, 60));
    const allowed = results.map((r) => r.allowed);
    expect(allowed.join() === 'true,true,false', `limit 2 gave ${allowed.join(', ')}`);
    return 'limit 2: allowed, allowed, refused';
  });

  await check('claim.one_time', async () => {
    const first = await store.claimOnce('selftest', run, 'first');
    const second = await store.claimOnce('selftest', run, 'second');
    expect(first.claimed, 'the first claim lost');
    expect(!second.claimed && second.by === 'first', 'a second claim was not refused');
    return 'first claim wins, second refused';
  });

  await check('counter.increment', async () => {
    expect((await store.increment(run, 1, 60)) === 1, 'first increment is not 1');
    expect((await store.increment(run, 2, 60)) === 3, 'increment by 2 is not 3');
    expect((await store.getCounter(run)) === 3, 'read back is not 3');
    return '1, +2 = 3, read back';
  });

  await check('signature.inngest', () => {
    const key = options.signingKey ?? `signkey-test-${randomBytes(32).toString('hex')}`;
    const header = signInngestRequest(key);
    const match = /^t=(\d+)&s=([0-9a-f]{64})$/.exec(header);
    expect(match !== null, 'signature header is malformed');
    const [, t = '', s = ''] = match;
    const expected = createHmac('sha256', stripSigningKeyPrefix(key)).update(t).digest('hex');
    expect(constantTimeEqual(s, expected), 'the signature does not verify with its key');
    const other = signInngestRequest(`signkey-test-${randomBytes(32).toString('hex')}`, '', Number(t));
    expect(!constantTimeEqual(other, header), 'a different key produced the same signature');
    return options.signingKey
      ? 'signed and verified with INNGEST_SIGNING_KEY'
      : 'signed and verified (test key)';
  });

  await check('signature.webhook', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const now = Math.floor(Date.now() / 1000);
    const body = '{"event_type":"selftest"}';
    const signature = signStandardWebhook(secret, run, now, body);
    const ok = verifyStandardWebhook(secret, { id: run, timestamp: String(now), signature }, body, now);
    expect(ok.ok, 'a valid Standard Webhooks signature was refused');
    const tampered = verifyStandardWebhook(
      secret,
      { id: run, timestamp: String(now), signature },
      `${body} `,
      now,
    );
    expect(!tampered.ok, 'a tampered body was accepted');
    return 'Standard Webhooks sign, verify, tampered body refused';
  });

  const failed = checks.filter((c) => c.status === 'FAIL').length;
  return {
    store: {
      kind: health.kind,
      healthy: health.healthy,
      degraded: health.degraded,
      error: health.error ?? null,
    },
    checks,
    passed: checks.length - failed,
    failed,
    result: failed === 0 ? 'PASS' : 'FAIL',
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
