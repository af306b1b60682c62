/**
 * The console's ports over a real runtime: embedded SQLite in a temp HIVE_DIR, the real queue,
 * Gatekeeper, readiness loop and HTTP server (port 0), the shipped sample drafts.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../../src/runtime/config.js';
import { createRuntime, type Runtime } from '../../../src/runtime/services/runtime.js';
import { createReleasePort } from '../../../src/screens/release-port.js';
import {
  startConsoleRuntime,
  startWithFallback,
  type ConsoleRuntime,
} from '../../../src/screens/console-runtime.js';
import { useTempDir } from '../../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLES = join(ROOT, 'samples', 'drafts.jsonl');
const tempDir = useTempDir();
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function boot(
  env: Record<string, string> = {},
  actor = 'console:test',
): Promise<{ runtime: Runtime; started: ConsoleRuntime }> {
  const dir = tempDir();
  const rawEnv = { HIVE_DIR: join(dir, 'hive'), ...env };
  const runtime = await createRuntime(parseConfig(rawEnv, 'development'));
  open.push(() => runtime.close());
  const started = await startConsoleRuntime(runtime, {
    actor,
    port: 0,
    host: '127.0.0.1',
    samplesFile: SAMPLES,
    cwd: dir,
    projectRoot: ROOT,
    rawEnv,
  });
  open.push(() => started.close());
  return { runtime, started };
}

describe('console services over the runtime', () => {
  it('reports health from the server readiness loop and the operator numbers', async () => {
    const { started } = await boot();
    const s = started.services;
    expect(s.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await s.health();
    expect(health.redis).toMatchObject({ mode: 'embedded', healthy: true, required: false });
    expect(health.inngest).toMatchObject({ mode: 'embedded', healthy: true });
    const overview = await s.overview();
    expect(overview).toMatchObject({
      mode: 'development',
      approvalsUsed: 0,
      approvalsCapacity: 30,
      slaBreaches: 0,
    });
    expect(overview.sendMode).toBe('email log-only, crm sandbox, calendar mock');
    expect(overview.rampTier).toMatch(/^tier 0: 0 of 10 sent today/);
  });

  it('loads the samples, approves, rejects, undoes and approves marked drafts in the store', async () => {
    const { runtime, started } = await boot();
    const queue = started.services.queue!;
    const loaded = await queue.loadSamples!();
    expect(loaded.file).toBe('samples/drafts.jsonl');
    expect(loaded.imported).toBeGreaterThan(5);
    const drafts = (await queue.page({ limit: 500 })).items;
    const [a, b, c, d] = drafts.map((x) => x.id);
    await queue.approve(a!);
    await queue.reject(b!, queue.taxonomy[1]!);
    await queue.undo(b!);
    const bulk = await queue.approveMany([c!, d!, a!]);
    expect(bulk.approved).toBe(2);
    expect(bulk.refused).toHaveLength(1);
    const stored = new Map((await runtime.queue.list()).map((x) => [x.id, x]));
    expect(stored.get(a!)).toMatchObject({ status: 'approved', decided_by: 'console:test' });
    expect(stored.get(b!)).toMatchObject({ status: 'pending', rejection: null });
    expect(stored.get(c!)?.status).toBe('approved');
    expect((await started.services.overview()).approvalsUsed).toBe(3);
  });

  it('previews a batch and executes it only with its hash', async () => {
    const { started } = await boot();
    const { queue, batches } = started.services;
    await queue!.loadSamples!();
    const first = (await queue!.page({ limit: 1 })).items[0]!;
    await queue!.approve(first.id);
    const batch = await batches!.preview();
    expect(batch.items.map((i) => i.draftId)).toEqual([first.id]);
    expect(batch.hash).toMatch(/^[0-9a-f]{64}$/);
    await expect(batches!.execute(batch.id, 'f'.repeat(64))).rejects.toThrow();
    expect(await batches!.execute(batch.id, batch.hash)).toEqual({ sent: 1, failed: 0 });
    const listed = await batches!.list();
    expect(listed[0]).toMatchObject({ id: batch.id, status: 'executed' });
  });

  it('walks the release checklist over the record: pto sign-off, y/n to force over another, export', async () => {
    const { runtime, started } = await boot({}, 'pat');
    await runtime.operators.add('pat', 'pto', 'admin');
    await runtime.operators.add('sam', 'pto', 'admin');
    const release = started.services.release!;
    const before = await release.checklist();
    expect(before.decision).toBe('NO-GO');
    const manual = before.steps.find((s) => s.kind === 'manual')!;
    expect(manual.status).toBe('PENDING');
    expect(manual.help).toMatch(/DASHBOARD_AUTH_TOKEN rotated/);
    expect(await release.tick(manual.id)).toEqual({
      status: 'confirmed',
      message: `Signed off ${manual.id} as pat`,
    });
    const after = await release.checklist();
    expect(after.steps.find((s) => s.id === manual.id)).toMatchObject({ status: 'PASS', by: 'pat' });
    // the CLI's service reads the same sign-off from the record
    expect(
      (
        await runtime.record.release.confirmations(
          `v${(await import('../../../src/cli/version.js')).VERSION}`,
        )
      ).get(manual.id)?.by,
    ).toBe('pat');

    // another console (sam) is asked before overriding pat's sign-off; the history keeps both
    const other = createReleasePort(runtime, {
      actor: 'sam',
      serverUrl: started.services.server.url,
      cwd: tempDir(),
      projectRoot: ROOT,
      rawEnv: {},
    });
    const asked = await other.tick(manual.id);
    expect(asked.status).toBe('needs-force');
    expect(asked.message).toMatch(
      new RegExp(
        `^${manual.id} was confirmed by pat at \\S+: re-confirm it as sam\\? \\(their sign-off stays in the history\\)$`,
      ),
    );
    expect((await other.tick(manual.id, { force: true })).status).toBe('confirmed');
    const history = (await release.checklist()).steps.find((s) => s.id === manual.id)!;
    expect(history).toMatchObject({ by: 'sam' });
    expect(history.history).toEqual([
      expect.stringMatching(/^pat at /),
      expect.stringMatching(/^sam at .*, forced$/),
    ]);
    expect(await other.untick(manual.id)).toBe(`Withdrew the sign-off of ${manual.id} (pat, sam)`);

    // an actor without the pto role is refused
    const viewer = createReleasePort(runtime, {
      actor: 'console:test',
      serverUrl: undefined,
      cwd: tempDir(),
      projectRoot: ROOT,
      rawEnv: {},
    });
    await expect(viewer.tick(manual.id)).rejects.toThrow(/console:test is not an operator/);

    const { file } = await release.exportReport();
    expect(file).toMatch(/completion-v.*-staging\.md$/);
  });
});

describe('the Release screen shows the release the CLI checked', () => {
  it('follows the newest checked release (`caio release check --release r7`), unless pinned with --release', async () => {
    const { runtime, started } = await boot({}, 'pat');
    await runtime.operators.add('pat', 'pto', 'admin');
    // what `caio release check --release r7` and `caio release confirm … --release r7` store
    const cli = createReleasePort(runtime, {
      actor: 'pat',
      serverUrl: started.services.server.url,
      cwd: tempDir(),
      projectRoot: ROOT,
      rawEnv: {},
      releaseId: 'r7',
    });
    expect((await cli.tick('confirm_pto_inputs')).status).toBe('confirmed');
    await cli.rerun('validate_env_staging');

    // the console opened without --release shows r7 and its evidence, not an empty v<version>
    const shown = await started.services.release!.checklist();
    expect(shown.environment).toMatch(/^staging, release r7, against /);
    expect(shown.steps.find((s) => s.id === 'confirm_pto_inputs')).toMatchObject({
      status: 'PASS',
      by: 'pat',
    });
    expect(shown.steps.find((s) => s.id === 'validate_env_staging')?.status).not.toBe('PENDING');

    // pinned to another release, it shows that one (nothing signed there yet)
    const pinned = createReleasePort(runtime, {
      actor: 'pat',
      serverUrl: undefined,
      cwd: tempDir(),
      projectRoot: ROOT,
      rawEnv: {},
      releaseId: 'r8',
    });
    const r8 = await pinned.checklist();
    expect(r8.environment).toMatch(/^staging, release r8, /);
    expect(r8.steps.find((s) => s.id === 'confirm_pto_inputs')?.status).toBe('PENDING');
  });
});

describe('HTTP port for the console', () => {
  it('serves on a free port and says so when PORT is taken', async () => {
    const dir = tempDir();
    const runtime = await createRuntime(parseConfig({ HIVE_DIR: join(dir, 'hive') }, 'development'));
    open.push(() => runtime.close());
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    open.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const taken = (blocker.address() as { port: number }).port;
    const { server, note } = await startWithFallback(runtime, taken, '127.0.0.1');
    open.push(async () => server?.close());
    expect(server?.port).not.toBe(taken);
    expect(note).toBe(
      `Port ${taken} is taken (another caio serve or console?): serving on ${server?.url} instead; set PORT to choose`,
    );
  });

  it('the Scorecard port signs off as the console operator (pto only, once a week) and shows who and when', async () => {
    const { runtime, started } = await boot({}, 'pat');
    const scorecard = started.services.scorecard;
    if (!scorecard?.signOff) throw new Error('the console has no sign-off');
    expect((await scorecard.current()).signOff).toBeNull();
    await expect(scorecard.signOff(false)).rejects.toMatchObject({ code: 'sign_off_forbidden' });
    await runtime.operators.add('pat', 'pto', 'admin');
    expect(await scorecard.signOff(false)).toMatch(/^Signed off \d{4}-W\d{2} as pat$/);
    const view = await scorecard.current();
    expect(view.signOff).toMatchObject({ by: 'pat', role: 'pto', forced: false, decision: null });
    expect(Date.parse(view.signOff?.at ?? '')).toBeGreaterThan(Date.now() - 60_000);
    await expect(scorecard.signOff(false)).rejects.toMatchObject({ code: 'scorecard_already_signed' });
    expect(await scorecard.signOff(true)).toMatch(/forced; the earlier sign-off is kept/);
    expect((await scorecard.current()).signOff).toMatchObject({ by: 'pat', forced: true });
  });
});
