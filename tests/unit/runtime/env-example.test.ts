import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VARIABLE_NAMES } from '../../../src/runtime/config.js';
import { renderEnvExample } from '../../../src/runtime/env-example.js';
import { envEntries, parseEnvFile } from '../../../src/runtime/env-file.js';

const read = (name: string) => readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8');

describe('.env example files', () => {
  it.each([
    ['.env.example', 'development'],
    ['.env.staging.example', 'staging'],
  ] as const)('%s lists every variable with a comment and matches the table', (file, mode) => {
    const text = read(file);
    expect(text, `regenerate with: npm run build && node scripts/write-env-examples.mjs`).toBe(
      renderEnvExample(mode),
    );
    const keys = Object.keys(envEntries(parseEnvFile(text)));
    expect(keys.sort()).toEqual([...VARIABLE_NAMES].sort());
    const lines = text.split('\n');
    for (const name of VARIABLE_NAMES) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      expect(lines[index - 1], `${name} needs a comment line`).toMatch(/^# /);
    }
  });
});
