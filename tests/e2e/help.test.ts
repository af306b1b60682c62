import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

describe('--help on every command (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('caio --help lists every command of SPEC 3', async () => {
    const result = await runCli(['--help'], { cwd: tempDir() });
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command.name}\\s`, 'm'));
  });

  it.each(COMMANDS.map((command) => command.name))(
    'caio %s --help prints usage and exits 0',
    async (name) => {
      const cwd = tempDir();
      const result = await runCli([name, '--help'], { cwd, env: { HIVE_DIR: `${cwd}/hive` } });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage:/);
    },
  );

  it('an unknown command exits 2 and names the next step', async () => {
    const result = await runCli(['frobnicate'], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain('caio --help');
  });
});
