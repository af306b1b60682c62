/**
 * A real runtime over a temp HIVE_DIR and a real HTTP server on port 0, for server tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/runtime/config.js';
import { createRuntime, type Runtime } from '../../../src/runtime/services/runtime.js';
import { projectRoot } from '../../../src/commands/project-root.js';
import { createReleasePort } from '../../../src/screens/release-port.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../../src/server/start.js';

export const TOKEN = 'tok_8f3a9c2b7d1e4f60a5b8c9d0e1f2a3b4c5d6';

export const SECRETS = {
  INSTANTLY_WEBHOOK_SECRET: 'inst_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  HEYREACH_WEBHOOK_SECRET: 'hr_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  CLAY_WEBHOOK_SECRET: 'clay_5e4d3c2b1a09f8e7d6c5b4a392817065',
  RB2B_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

export interface TestServer extends RunningServer {
  runtime: Runtime;
  hiveDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  options: Partial<StartServerOptions> & { runtimeExtras?: Record<string, unknown> } = {},
): Promise<TestServer> {
  const hiveDir = mkdtempSync(join(tmpdir(), 'caio-http-'));
  const config = parseConfig({
    HIVE_DIR: hiveDir,
    DASHBOARD_AUTH_TOKEN: TOKEN,
    CORS_ALLOWED_ORIGINS: 'https://ops.acme.io',
    ...SECRETS,
    ...env,
  });
  const runtime = await createRuntime(config);
  const running = await startServer(
    { ...runtime, ...(options.runtimeExtras ?? {}) },
    {
      port: 0,
      host: '127.0.0.1',
      authFailureLimit: 1_000_000,
      // The release ritual over the API, wired as `caio serve` wires it.
      releaseFor: (actor) =>
        createReleasePort(runtime, {
          actor,
          serverUrl: undefined,
          cwd: hiveDir,
          projectRoot: projectRoot(),
          rawEnv: {},
        }),
      ...options,
    },
  );
  return {
    ...running,
    runtime,
    hiveDir,
    async stop() {
      await running.close();
      await runtime.close();
      rmSync(hiveDir, { recursive: true, force: true });
    },
  };
}

/** Poll until `check` returns a truthy value (no fixed sleeps). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
