/**
 * The ritual's checks that reuse other subsystems' services: `caio smoke` (runSmoke), `caio replay`
 * (runReplay, stored like a normal run), `caio migrate --dry-run` (runMigrate), the Gatekeeper
 * preview without persisting (the outbound dry run). `createCheckRegistry` assembles every check this
 * build has; a check left out is inconclusive, never a pass.
 */
import type { Facts } from '../domain/ritual/index.js';
import { maskUrl } from '../mask.js';
import { runSmoke } from '../../server/smoke.js';
import { pendingCount, runMigrate } from '../tasks/migrate.js';
import {
  dependenciesCheck,
  inngestRouteCheck,
  validateCheck,
  type CheckFn,
  type CheckRegistry,
} from './release-checks.js';
import {
  criticalFailuresWeekCheck,
  queueAgingCheck,
  type AgingSource,
  type ReplayRunsSource,
} from './release-readiness-checks.js';
import type { ReplayStore } from '../stores/replay-store.js';
import { runReplay } from './replay.js';
import { runSelftest } from '../tasks/selftest.js';
import type { StateStore } from '../stores/state-store.js';

export const smokeCheck: CheckFn = async ({ target, timeoutMs }) => {
  if (!target.baseUrl)
    return {
      outcome: 'inconclusive',
      summary: 'no HTTP server to smoke-test (the in-process runtime did not start: see the target line)',
    };
  if (!target.token)
    return { outcome: 'inconclusive', summary: 'no token: pass --token or set DASHBOARD_AUTH_TOKEN' };
  const result = await runSmoke({
    baseUrl: target.baseUrl,
    token: target.token,
    timeoutMs: Math.min(timeoutMs, 10_000),
  });
  if (result.error)
    return {
      outcome: 'inconclusive',
      summary: result.error.replace(target.baseUrl, maskUrl(target.baseUrl)),
    };
  const failed = result.checks.filter((check) => check.status === 'FAIL');
  // A protected route that answered 2xx/3xx without a token is reachable: a no-go condition.
  const unprotected = result.checks
    .filter(
      (check) => check.status === 'FAIL' && / without token$/.test(check.name) && check.expected === '401',
    )
    .filter((check) => /^[23]\d\d$/.test(check.actual))
    .map((check) => check.name.replace(/ without token$/, ''));
  return {
    outcome: failed.length === 0 ? 'pass' : 'fail',
    summary:
      failed.length === 0
        ? `${result.checks.length} auth checks passed`
        : `${failed.length} of ${result.checks.length} auth checks failed: ${failed
            .slice(0, 3)
            .map((check) => `${check.name} -> ${check.actual}`)
            .join('; ')}`,
    measured: `${result.checks.length - failed.length}/${result.checks.length} passed`,
    threshold: 'all pass',
    excerpt: failed
      .map((check) => `${check.name}: expected ${check.expected}, got ${check.actual}`)
      .join('; ')
      .slice(0, 500),
    facts: { unprotected_routes: unprotected },
  };
};

/** The replay gate, stored in the record as a run by `release-ritual` (unstored without the runtime). */
export function replayCheck(store: ReplayStore | undefined): CheckFn {
  return async ({ policy }) => {
    const report = await runReplay({
      minPassRate: policy.min_replay_pass_rate,
      store,
      ranBy: 'release-ritual',
    });
    const facts: Facts = {
      replay: { pass_rate: report.pass_rate, threshold: report.threshold, block_build: report.block_build },
    };
    const ok = !report.block_build && report.pass_rate >= policy.min_replay_pass_rate;
    return {
      outcome: ok ? 'pass' : 'fail',
      summary: `${report.passed}/${report.total} cases pass (${Math.round(report.pass_rate * 1000) / 10}%), block_build=${report.block_build}`,
      measured: `pass_rate=${report.pass_rate}`,
      threshold: `>= ${policy.min_replay_pass_rate}`,
      excerpt: [
        ...report.block_reasons,
        ...report.failures.slice(0, 3).map((f) => `${f.id}: ${JSON.stringify(f).slice(0, 120)}`),
      ]
        .join('; ')
        .slice(0, 500),
      facts,
    };
  };
}

export const migrateCheck: CheckFn = async ({ target }) => {
  const summary = await runMigrate({ config: target.config, hiveDir: target.config.HIVE_DIR, dryRun: true });
  const pending = pendingCount(summary);
  const ok = summary.ok && summary.errors.length === 0 && pending === 0;
  return {
    outcome: ok ? 'pass' : 'fail',
    summary:
      !summary.ok || summary.errors.length > 0
        ? `dry run not ok: ${summary.errors
            .slice(0, 3)
            .map((e) => `${e.kind} ${e.key}: ${e.message}`)
            .join('; ')}`
        : pending > 0
          ? `${pending} embedded entries are not in the shared record or Redis yet: run \`caio migrate --hive-dir ${target.config.HIVE_DIR}\``
          : 'the embedded record and coordination are fully migrated (dry run: nothing to copy)',
    measured: `${pending} to copy, ${summary.errors.length} errors`,
    threshold: '0 to copy, 0 errors',
  };
};

interface PreviewPort {
  preview(
    scope: { motion?: 'outbound' | 'inbound' | 'all' },
    actor: string,
    options: { persist: false },
  ): Promise<{ hash: string; items: unknown[]; excluded: unknown[]; mode: string }>;
}

/** `caio outbound --motion M --dry-run`: a Gatekeeper preview that stores nothing. */
export function outboundDryRunCheck(gatekeeper: PreviewPort): CheckFn {
  return async ({ step }) => {
    const motion = String(step.params.motion ?? 'all');
    if (motion !== 'outbound' && motion !== 'inbound' && motion !== 'all') {
      return { outcome: 'fail', summary: `unknown motion "${motion}" in the ritual step params` };
    }
    const batch = await gatekeeper.preview({ motion }, 'release-ritual', { persist: false });
    return {
      outcome: 'pass',
      summary: `dry run (${motion}, ${batch.mode}): ${batch.items.length} would be batched, ${batch.excluded.length} excluded, hash ${batch.hash.slice(0, 12)}`,
      measured: `${batch.items.length} items, ${batch.excluded.length} excluded`,
    };
  };
}

/** `caio selftest` against the configured stores: zero failures. */
export function selftestCheck(state: StateStore): CheckFn {
  return async ({ target }) => {
    const result = await runSelftest(state, { signingKey: target.config.INNGEST_SIGNING_KEY });
    const failed = result.checks.filter((check) => check.status === 'FAIL');
    return {
      outcome: result.failed === 0 && result.result === 'PASS' ? 'pass' : 'fail',
      summary:
        failed.length === 0
          ? `${result.passed} checks passed on the ${result.store.kind} store`
          : `${result.failed} failed on the ${result.store.kind} store: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
      measured: `${result.failed} failures`,
      threshold: '0 failures',
    };
  };
}

/** Stands in for a check that needs the runtime when the runtime did not start. */
const runtimeDown =
  (why: string): CheckFn =>
  async () => ({ outcome: 'inconclusive', summary: `the runtime did not start: ${why}` });

export interface CheckRegistryDeps {
  exampleValues: ReadonlySet<string>;
  /** The in-process runtime's services, when it started (duck-typed: any build). */
  runtime?: Record<string, unknown> | undefined;
  /** Why the runtime is absent (its checks say so instead of "not available in this build"). */
  runtimeError?: string | undefined;
  /** Extra or replacement checks (tests). */
  extra?: CheckRegistry;
}

/** The checks this build can run; anything missing is inconclusive ("not available in this build"). */
export function createCheckRegistry(deps: CheckRegistryDeps): CheckRegistry {
  const gatekeeper = deps.runtime?.gatekeeper as Partial<PreviewPort> | undefined;
  const state = deps.runtime?.state as Partial<StateStore> | undefined;
  const queue = deps.runtime?.queue as Partial<AgingSource> | undefined;
  // The record's replay runs (every host's): the gate stores its run there, the weekly check reads them.
  const replays = deps.runtime?.replays as (Partial<ReplayRunsSource> & Partial<ReplayStore>) | undefined;
  const down = deps.runtimeError ? runtimeDown(deps.runtimeError) : undefined;
  return {
    ...(down
      ? { selftest: down, outbound_dry_run: down, queue_aging: down, critical_failures_week: down }
      : {}),
    validate: validateCheck(deps.exampleValues),
    dependencies: dependenciesCheck,
    inngest_route: inngestRouteCheck,
    smoke: smokeCheck,
    migrate_status: migrateCheck,
    replay: replayCheck(typeof replays?.recordPromoted === 'function' ? (replays as ReplayStore) : undefined),
    ...(typeof state?.health === 'function' ? { selftest: selftestCheck(state as StateStore) } : {}),
    ...(typeof queue?.metrics === 'function' ? { queue_aging: queueAgingCheck(queue as AgingSource) } : {}),
    ...(typeof replays?.list === 'function'
      ? { critical_failures_week: criticalFailuresWeekCheck(replays as ReplayRunsSource) }
      : {}),
    ...(typeof gatekeeper?.preview === 'function'
      ? { outbound_dry_run: outboundDryRunCheck(gatekeeper as PreviewPort) }
      : {}),
    ...deps.extra,
  };
}
