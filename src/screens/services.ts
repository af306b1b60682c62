/**
 * What the console needs from the runtime, and nothing more: one narrow port per screen, in view
 * shapes the screens render directly. `runtime-services.ts` adapts the real runtime to this; tests
 * hand in an in-memory implementation. A port that is `undefined` means its service is not in this
 * build: the screen says so instead of failing.
 *
 * Every method may throw; a `UserError` message (and its next step) is shown to the operator as is.
 */

import type { QueuePageQuery } from '../runtime/domain/queue/page.js';

export type { QueuePageQuery } from '../runtime/domain/queue/page.js';
import type { Role } from '../runtime/domain/operators.js';

export interface DependencyView {
  /** `redis`, `sqlite (embedded)`, `cloud`, `dev`, `in-process`, … */
  mode: string;
  required: boolean;
  healthy: boolean;
  /** Configured but unreachable and not required: running on a fallback. */
  degraded: boolean;
  latencyMs: number | undefined;
  error: string | undefined;
  detail?: string;
}

export interface HealthView {
  redis: DependencyView;
  inngest: DependencyView;
  ready: boolean;
  /** Why not ready (empty when ready). */
  reasons: readonly string[];
}

export interface OverviewView {
  mode: string;
  counts: Readonly<Record<string, number>>;
  agingP95Minutes: number | undefined;
  slaBreaches: number;
  approvalsUsed: number;
  approvalsCapacity: number;
  rampTier: string;
  sendMode: string;
  lastReplay: string | undefined;
  /** Open incidents (aging breach, replay, dependency, NO-GO), newest first. */
  incidents: readonly IncidentView[];
}

export interface IncidentView {
  kind: string;
  title: string;
  openedAt: string;
  /** Notification delivery: sent, sending, failed, not_configured. */
  delivery: string;
}

export interface FindingView {
  rule: string;
  category: string;
  severity: string;
  message: string;
}

export interface DraftView {
  id: string;
  status: string;
  email: string;
  name: string;
  company: string;
  title: string;
  segment: string;
  subject: string;
  body: string;
  context: readonly { ref: string; text: string }[];
  findings: readonly FindingView[];
  createdAt: string;
  decidedBy: string | undefined;
  rejection: string | undefined;
  /** The draft this one duplicates (status `duplicate`), when known. */
  duplicateOf: string | undefined;
}

/** One page of the queue, as the record answers it (`next` is opaque; null on the last page). */
export interface QueuePageView {
  items: readonly DraftView[];
  next: string | null;
  /** Drafts matching the query, all pages. */
  total: number;
}

/** The Queue header: who acts, their capacity used today, SLA breaches. */
export interface QueueHeaderView {
  approvalsUsed: number;
  approvalsCapacity: number;
  slaBreaches: number;
}

export interface QueuePort {
  /**
   * The rows the screen shows, a page at a time (the Queue never reads the whole queue). A bad
   * `pattern` is refused with a message.
   */
  page(query: QueuePageQuery): Promise<QueuePageView>;
  /** Changes whenever any draft changes (any process): polled instead of re-reading pages. */
  changeToken(): Promise<string>;
  header(): Promise<QueueHeaderView>;
  /** Pending drafts older than this are SLA breaches (marked in the rows). */
  slaMinutes: number;
  approve(id: string): Promise<void>;
  reject(id: string, category: string, note?: string): Promise<void>;
  /** Undo the last decision on this draft (refused after the grace period). */
  undo(id: string): Promise<void>;
  approveMany(
    ids: readonly string[],
  ): Promise<{ approved: number; refused: readonly { id: string; reason: string }[] }>;
  /** Import the shipped sample drafts; undefined when the build ships none. */
  loadSamples?: () => Promise<{ imported: number; rejected: number; file: string }>;
  /** The rejection taxonomy, in key order (1..9). */
  taxonomy: readonly string[];
}

export interface BatchItemView {
  draftId: string;
  email: string;
  subject: string;
}

export interface BatchView {
  id: string;
  hash: string;
  status: string;
  mode: string;
  createdAt: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  previewedBy: string;
  items: readonly BatchItemView[];
  excluded: readonly { draftId: string; reason: string }[];
}

export interface BatchesPort {
  list(): Promise<readonly BatchView[]>;
  /** Preview a batch of every approved draft. */
  preview(): Promise<BatchView>;
  execute(id: string, hash: string): Promise<{ sent: number; failed: number }>;
}

export interface ReleaseStepView {
  id: string;
  title: string;
  kind: 'auto' | 'manual';
  required: boolean;
  status: string;
  evidence: string;
  by: string | undefined;
  at: string | undefined;
  /** Where the check ran (auto steps). */
  target?: string | undefined;
  /** What the step verifies / what the person signing off must have checked (from the ritual). */
  help?: string | undefined;
  /** Manual steps: every sign-off, oldest first ("pat at T, withdrawn by sam at T2"). */
  history?: readonly string[] | undefined;
}

export interface ReleaseView {
  environment: string;
  decision: string;
  steps: readonly ReleaseStepView[];
  pending: readonly string[];
  /** No-go conditions (e.g. production: the staging validation or smoke that has not passed). */
  noGo?: readonly string[] | undefined;
}

/** A sign-off attempt: done, left alone (already confirmed), or waiting for a y/n to force it. */
export interface TickResult {
  status: 'confirmed' | 'skipped' | 'needs-force';
  message: string;
}

/** One check finished while a run is still going (the checklist updates live). */
export type StepProgress = (step: { id: string; status: string; evidence: string }) => void;

export interface ReleasePort {
  checklist(): Promise<ReleaseView>;
  rerun(stepId: string, onStep?: StepProgress): Promise<void>;
  runAll(onStep?: StepProgress): Promise<void>;
  tick(stepId: string, options?: { force?: boolean }): Promise<TickResult>;
  /** Withdraw a step's sign-off; returns what was done. */
  untick(stepId: string): Promise<string>;
  /** Writes the completion report; returns where. */
  exportReport(): Promise<{ file: string }>;
}

export interface TraceView {
  ts: string;
  correlationId: string;
  tool: string;
  agent: string;
  status: string;
  durationMs: number | undefined;
  error: string | undefined;
  /** The draft, batch, event or step the operation was about. */
  caseId?: string | undefined;
}

export interface TracesPort {
  recent(limit: number): Promise<readonly TraceView[]>;
}

export interface WebhookView {
  id: string;
  source: string;
  status: string;
  receivedAt: string;
  idempotencyKey: string;
  error: string | undefined;
}

export interface WebhooksPort {
  recent(options: { limit: number; status?: string }): Promise<readonly WebhookView[]>;
}

export interface ScorecardSignOffView {
  by: string;
  role: string;
  /** ISO time. */
  at: string;
  note: string | null;
  /** Signed over an earlier sign-off of the week (the earlier one is kept). */
  forced: boolean;
  /** The week's release decision when it was signed (`GO`, `NO-GO`), null when there was none. */
  decision: string | null;
}

export interface ScorecardView {
  week: string;
  rows: readonly { label: string; value: string }[];
  /** Who signed the week off and when; null: not yet; undefined: the record could not say. */
  signOff?: ScorecardSignOffView | null | undefined;
  /** The week's release decision now (`GO`, `NO-GO`), null when none. */
  decision?: string | null | undefined;
}

export interface ScorecardPort {
  current(): Promise<ScorecardView>;
  /** Sign the current week off as the console's operator (`force`: over an earlier sign-off); the message to show. */
  signOff?(force: boolean): Promise<string>;
}

export interface ConsoleServices {
  /** Who acts (audit rows, capacity per reviewer). */
  actor: string;
  now(): number;
  /** Where the in-process HTTP server listens, or why it does not. */
  server: { url: string | undefined; note: string | undefined };
  health(): Promise<HealthView>;
  overview(): Promise<OverviewView>;
  queue: QueuePort | undefined;
  batches: BatchesPort | undefined;
  release: ReleasePort | undefined;
  traces: TracesPort | undefined;
  webhooks: WebhooksPort | undefined;
  scorecard: ScorecardPort | undefined;
  /**
   * The acting operator's role when the server decides (remote console): keys the role may not use
   * are shown disabled with the reason. Undefined locally (the CLI identity acts).
   */
  role?: Role | undefined;
  /** Set when attached to a deployed runtime: the header shows the URL, operator and connection. */
  remote?: RemoteStatus | undefined;
  /** `:pipeline` in the palette: stored leads -> drafts (caio pipeline run); undefined when absent. */
  pipeline?: PipelinePort | undefined;
}

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

export interface RemoteStatus {
  url: string;
  operator: string;
  role: string;
  state(): { state: ConnectionState; detail: string | undefined };
  /** Called on every state change; returns the unsubscribe. */
  onState(listener: () => void): () => void;
}

export interface PipelinePort {
  run(): Promise<{ drafted: number; considered: number; skipped: Readonly<Record<string, number>> }>;
}
