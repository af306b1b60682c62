/**
 * An in-memory ConsoleServices for screen tests: the console's own port interface, implemented with
 * plain arrays (the real services have their own tests against SQLite and Redis). It records calls.
 */
import { RefusedError } from '../../../src/runtime/errors.js';
import { arrayQueuePage } from '../../helpers/array-queue-page.js';
import type {
  BatchView,
  ConsoleServices,
  DraftView,
  IncidentView,
  ReleaseStepView,
  ScorecardSignOffView,
  TraceView,
  WebhookView,
} from '../../../src/screens/services.js';

export const NOW = Date.parse('2026-11-21T12:00:00.000Z');

export function draft(i: number, overrides: Partial<DraftView> = {}): DraftView {
  return {
    id: `d${String(i).padStart(5, '0')}`,
    status: 'pending',
    email: `lead${i}@acme${i % 7}.io`,
    name: `Lead ${i}`,
    company: `Acme ${i % 7}`,
    title: 'VP Sales',
    segment: 'saas',
    subject: `Quick idea for Acme ${i % 7}`,
    body: `Hi Lead ${i},\nSaw your team is hiring SDRs. Worth a 15 minute call next week?`,
    context: [{ ref: 'rb2b:visit', text: 'Visited /pricing twice' }],
    findings:
      i % 3 === 0
        ? [{ rule: 'length.max', category: 'tone', severity: 'minor', message: 'Body is long' }]
        : [],
    createdAt: new Date(NOW - (i + 1) * 60_000).toISOString(),
    decidedBy: undefined,
    rejection: undefined,
    duplicateOf: undefined,
    ...overrides,
  };
}

export interface FakeOptions {
  drafts?: number;
  /** Changes to draft i (1-based), e.g. a long body or a critical finding. */
  overrides?: Record<number, Partial<DraftView>>;
  capacity?: number;
  withSamples?: boolean;
  batches?: boolean;
  incidents?: IncidentView[];
  /** The console's clock (default: fixed at NOW). */
  now?: () => number;
}

export function fakeServices(options: FakeOptions = {}) {
  const calls: string[] = [];
  const signOffs: ScorecardSignOffView[] = [];
  const drafts: DraftView[] = Array.from({ length: options.drafts ?? 5 }, (_, i) =>
    draft(i + 1, options.overrides?.[i + 1]),
  );
  const batches: BatchView[] = [];
  const steps: ReleaseStepView[] = [
    {
      id: 'pto_inputs',
      title: 'Confirm PTO inputs',
      kind: 'manual',
      required: true,
      status: 'PENDING',
      evidence: '',
      by: undefined,
      at: undefined,
      help: 'tokens rotated, CORS explicit, strict flags on',
    },
    {
      id: 'validate_env',
      title: 'Validate env',
      kind: 'auto',
      required: true,
      status: 'PASS',
      evidence: '0 failed',
      by: 'caio',
      at: '2026-11-21T11:00:00Z',
    },
    {
      id: 'replay_gate',
      title: 'Replay gate >= 95%',
      kind: 'auto',
      required: true,
      status: 'FAIL',
      evidence: 'pass_rate=0.90',
      by: 'caio',
      at: '2026-11-21T11:00:00Z',
      target: 'in-process runtime',
    },
    {
      id: 'stable_24h',
      title: 'Staging stable 24 h',
      kind: 'manual',
      required: true,
      status: 'PASS',
      evidence: 'confirmed; note: quiet day',
      by: 'pat',
      at: '2026-11-21T10:00:00Z',
      history: ['pat at 2026-11-21T10:00:00Z, note: quiet day'],
    },
  ];
  const traces: TraceView[] = [
    {
      ts: '2026-11-21T11:59:00.000Z',
      correlationId: 'req-1',
      tool: 'queue.approve',
      agent: 'console',
      status: 'ok',
      durationMs: 3,
      error: undefined,
    },
    {
      ts: '2026-11-21T11:59:30.000Z',
      correlationId: 'req-2',
      tool: 'instantly.send',
      agent: 'dispatch',
      status: 'error',
      durationMs: 120,
      error: 'HTTP 500',
    },
    {
      ts: '2026-11-21T11:59:45.000Z',
      correlationId: 'req-1',
      tool: 'webhook.intake',
      agent: 'caio-runtime',
      status: 'ok',
      durationMs: 2,
      error: undefined,
      caseId: '41',
    },
  ];
  const webhooks: WebhookView[] = [
    {
      id: 'w1',
      source: 'instantly',
      status: 'processed',
      receivedAt: '2026-11-21T11:58:00.000Z',
      idempotencyKey: 'evt_1',
      error: undefined,
    },
    {
      id: 'w2',
      source: 'rb2b',
      status: 'quarantined',
      receivedAt: '2026-11-21T11:59:00.000Z',
      idempotencyKey: 'sha_2',
      error: 'missing "Business Email"',
    },
  ];
  /** Resolve to let a running `runAll` finish (it reports each step through onStep first). */
  const release = { finish: () => {} };
  let approvals = 0;
  let changes = 0;
  const capacity = options.capacity ?? 30;
  const find = (id: string) => {
    const d = drafts.find((x) => x.id === id);
    if (!d) throw new Error(`no draft ${id}`);
    return d;
  };
  const approve = (id: string) => {
    const d = find(id);
    if (approvals >= capacity) {
      throw new RefusedError(
        `Daily approval capacity reached (${capacity})`,
        'capacity',
        'Ask another reviewer.',
      );
    }
    approvals += 1;
    Object.assign(d, { status: 'approved', decidedBy: 'hos' });
  };
  const services: ConsoleServices = {
    actor: 'hos',
    now: options.now ?? (() => NOW),
    server: { url: 'http://127.0.0.1:8080', note: undefined },
    async health() {
      calls.push('health');
      return {
        redis: {
          mode: 'redis',
          required: false,
          healthy: true,
          degraded: false,
          latencyMs: 2,
          error: undefined,
        },
        inngest: {
          mode: 'in-process',
          required: false,
          healthy: true,
          degraded: false,
          latencyMs: undefined,
          error: undefined,
        },
        ready: true,
        reasons: [],
      };
    },
    async overview() {
      const counts: Record<string, number> = {};
      for (const d of drafts) counts[d.status] = (counts[d.status] ?? 0) + 1;
      return {
        mode: 'development',
        counts,
        agingP95Minutes: 42,
        slaBreaches: 0,
        approvalsUsed: approvals,
        approvalsCapacity: capacity,
        rampTier: 'tier 1: 10/day (0 clean days)',
        sendMode: 'log-only',
        lastReplay: '98% block_build=false',
        incidents: options.incidents ?? [],
      };
    },
    queue: {
      taxonomy: ['tone', 'personalization', 'accuracy', 'compliance', 'targeting'],
      slaMinutes: 240,
      async page(query) {
        calls.push(
          `page ${query.sort ?? 'age'}${query.pattern ? ` /${query.invert ? '!' : ''}${query.pattern}` : ''}${query.cursor ? ` @${query.cursor}` : ''}`,
        );
        // The array order is the age order (the fixture ids stand for it).
        return arrayQueuePage(drafts, query);
      },
      async changeToken() {
        return String(changes);
      },
      async header() {
        // Pending drafts past the 240-minute SLA at the services' clock.
        const cutoff = (options.now ?? (() => NOW))() - 240 * 60_000;
        const slaBreaches = drafts.filter(
          (d) => d.status === 'pending' && Date.parse(d.createdAt) < cutoff,
        ).length;
        return { approvalsUsed: approvals, approvalsCapacity: capacity, slaBreaches };
      },
      async approve(id) {
        calls.push(`approve ${id}`);
        approve(id);
        changes += 1;
      },
      async reject(id, category, note) {
        calls.push(`reject ${id} ${category}${note ? ` "${note}"` : ''}`);
        Object.assign(find(id), { status: 'rejected', decidedBy: 'hos', rejection: category });
        changes += 1;
      },
      async undo(id) {
        calls.push(`undo ${id}`);
        changes += 1;
        const d = find(id);
        if (d.status === 'approved') approvals -= 1;
        Object.assign(d, { status: 'pending', decidedBy: undefined, rejection: undefined });
      },
      async approveMany(ids) {
        calls.push(`approveMany ${ids.join(',')}`);
        let approved = 0;
        const refused: { id: string; reason: string }[] = [];
        for (const id of ids) {
          try {
            approve(id);
            approved += 1;
          } catch (error) {
            refused.push({ id, reason: (error as Error).message });
          }
        }
        return { approved, refused };
      },
      ...(options.withSamples
        ? {
            loadSamples: async () => {
              calls.push('loadSamples');
              drafts.push(draft(1), draft(2), draft(3));
              return { imported: 3, rejected: 0, file: 'samples/drafts.jsonl' };
            },
          }
        : {}),
    },
    batches:
      options.batches === false
        ? undefined
        : {
            async list() {
              return batches.map((b) => ({ ...b }));
            },
            async preview() {
              calls.push('preview');
              const approved = drafts.filter((d) => d.status === 'approved');
              const b: BatchView = {
                id: `b${batches.length + 1}`,
                hash: 'abcdef0123456789'.repeat(4),
                status: 'previewed',
                mode: 'log-only',
                createdAt: new Date(NOW).toISOString(),
                expiresAt: NOW + 15 * 60_000,
                previewedBy: 'hos',
                items: approved.map((d) => ({ draftId: d.id, email: d.email, subject: d.subject })),
                excluded: [{ draftId: 'd99999', reason: 'suppressed (bounced)' }],
              };
              batches.unshift(b);
              return b;
            },
            async execute(id, hash) {
              calls.push(`execute ${id} ${hash.slice(0, 8)}`);
              const b = batches.find((x) => x.id === id);
              if (!b || b.hash !== hash) throw new RefusedError('hash mismatch', 'hash');
              b.status = 'executed';
              return { sent: b.items.length, failed: 0 };
            },
          },
    release: {
      async checklist() {
        const pending = steps.filter((s) => s.status !== 'PASS').map((s) => s.id);
        return {
          environment: 'staging',
          decision: pending.length === 0 ? 'GO' : 'NO-GO',
          steps: steps.map((s) => ({ ...s })),
          pending,
          noGo: pending.includes('replay_gate')
            ? ['staging smoke (auth_smoke_staging) has not run for this release', 'replay below 95%']
            : [],
        };
      },
      async rerun(id) {
        calls.push(`rerun ${id}`);
        const s = steps.find((x) => x.id === id);
        if (s) Object.assign(s, { status: 'PASS', evidence: 'pass_rate=0.98' });
      },
      async runAll(onStep) {
        calls.push('runAll');
        const auto = steps.filter((s) => s.kind === 'auto');
        const first = auto[0];
        if (first) {
          Object.assign(first, { status: 'FAIL', evidence: 'HTTP 503' });
          onStep?.({ id: first.id, status: 'FAIL', evidence: 'HTTP 503' });
        }
        await new Promise<void>((resolve) => (release.finish = resolve));
        for (const s of auto.slice(1)) Object.assign(s, { status: 'PASS', evidence: 'ok' });
      },
      async tick(id, options = {}) {
        calls.push(`tick ${id}${options.force ? ' --force' : ''}`);
        const s = steps.find((x) => x.id === id);
        if (s?.status === 'PASS' && s.by !== 'hos' && !options.force) {
          return { status: 'needs-force', message: `${id} was confirmed by ${s.by}: override it?` };
        }
        if (s) Object.assign(s, { status: 'PASS', by: 'hos', at: '2026-11-21T12:00:00Z' });
        return { status: 'confirmed', message: `Signed off ${id} as hos` };
      },
      async untick(id) {
        calls.push(`untick ${id}`);
        const s = steps.find((x) => x.id === id);
        if (s) Object.assign(s, { status: 'PENDING', by: undefined, at: undefined });
        return `Withdrew the sign-off of ${id}`;
      },
      async exportReport() {
        calls.push('export');
        return { file: '.hive-mind/reports/release.md' };
      },
    },
    traces: { recent: async () => traces },
    webhooks: {
      recent: async ({ status }) => (status ? webhooks.filter((w) => w.status === status) : webhooks),
    },
    scorecard: {
      current: async () => ({
        week: '2026-W47',
        rows: [
          { label: 'Replay pass rate', value: '98% (+2)' },
          { label: 'HoS approval rate', value: '81%' },
          { label: 'negative constraint violations', value: '0' },
        ],
        signOff: signOffs[0] ?? null,
        decision: 'GO',
      }),
      async signOff(force) {
        calls.push(`signOff${force ? ' --force' : ''}`);
        if (signOffs.length > 0 && !force)
          throw new RefusedError(
            '2026-W47 is already signed off by hos at 2026-11-21T12:00:00.000Z; a week is signed off once',
            'scorecard_already_signed',
          );
        signOffs.unshift({
          by: 'hos',
          role: 'pto',
          at: '2026-11-21T12:00:00.000Z',
          note: null,
          forced: signOffs.length > 0,
          decision: 'GO',
        });
        return `Signed off 2026-W47 as hos${force ? ' (forced; the earlier sign-off is kept)' : ''}`;
      },
    },
    pipeline: {
      run: async () => {
        calls.push('pipeline.run');
        return { drafted: 2, considered: 3, skipped: { unresolved_token: 1 } };
      },
    },
  };
  return { services, calls, drafts, batches, steps, release };
}

/** Slow polls in tests: data loads once, on mount or on an explicit refresh. */
export const TEST_INTERVALS = { health: 60_000, data: 60_000, clock: 60_000 };
