import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/index.js';
import { VARIABLE_NAMES } from '../../src/runtime/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README stays true', () => {
  it('documents every configuration variable', () => {
    for (const name of VARIABLE_NAMES) expect(readme, name).toContain(`\`${name}\``);
  });

  it('documents every command', () => {
    for (const command of COMMANDS) {
      if (command.name === 'console') continue;
      expect(readme, command.name).toContain(`\`caio ${command.name}`);
    }
  });

  it('has the two-command quick start', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
