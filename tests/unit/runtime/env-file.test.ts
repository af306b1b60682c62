import { describe, expect, it } from 'vitest';
import { envEntries, parseEnvFile, serializeEnvFile, setEnvValues } from '../../../src/runtime/env-file.js';
import { UserError } from '../../../src/runtime/errors.js';

const SAMPLE = `# header comment
FOO=bar

export QUOTED="a b # not a comment"
SINGLE='x=y'
INLINE=value # trailing comment
EMPTY=
`;

describe('env file', () => {
  it('parses entries, quotes, export and inline comments', () => {
    expect(envEntries(parseEnvFile(SAMPLE))).toEqual({
      FOO: 'bar',
      QUOTED: 'a b # not a comment',
      SINGLE: 'x=y',
      INLINE: 'value',
      EMPTY: '',
    });
  });

  it('round-trips byte for byte when nothing changes', () => {
    const lines = parseEnvFile(SAMPLE);
    const { lines: next, changed } = setEnvValues(lines, { FOO: 'bar' });
    expect(changed).toEqual([]);
    expect(serializeEnvFile(next)).toBe(SAMPLE);
  });

  it('rewrites values in place, keeps comments and export, appends new keys', () => {
    const { lines, changed } = setEnvValues(parseEnvFile(SAMPLE), { QUOTED: 'plain', NEW_KEY: 'has space' });
    expect(changed).toEqual(['QUOTED', 'NEW_KEY']);
    expect(serializeEnvFile(lines)).toBe(`# header comment
FOO=bar

export QUOTED=plain
SINGLE='x=y'
INLINE=value # trailing comment
EMPTY=
NEW_KEY="has space"
`);
  });

  it('names the line of a syntax error', () => {
    expect(() => parseEnvFile('OK=1\nthis is not an assignment\n', '.env.bad')).toThrowError(
      /\.env\.bad:2: cannot parse/,
    );
    expect(() => parseEnvFile('A="open\n', 'f')).toThrowError(UserError);
  });
});
