import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('caio validate --check-connections (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('a dead Redis fails the run with a clear reason and exit 1', async () => {
    const port = await closedPort();
    const result = await runCli(['validate', '--check-connections'], {
      cwd: tempDir(),
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^FAIL redis\\.ping\\s+cannot reach redis://127\\.0\\.0\\.1:${port}/?: connect ECONNREFUSED`,
        'm',
      ),
    );
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Result: FAIL');
  });
});
