/**
 * NO_COLOR: colour comes only through the theme. Chalk decides its colour level when it is first
 * imported, so this file forces colour on before importing Ink (dynamic imports below).
 */
import { describe, expect, it } from 'vitest';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { StatusBadge } = await import('../../../src/components/StatusBadge.js');
const { Countdown } = await import('../../../src/components/Countdown.js');
const { ThemeProvider, colorsFromEnv, makeTheme } = await import('../../../src/components/theme.js');

const ESC = String.fromCharCode(27);
const COLOUR = new RegExp(`${ESC}\\[3[0-7]m`);
const YELLOW = `${ESC}[33m`;
const RED = `${ESC}[31m`;

function frameWith(colors: boolean, node: React.ReactElement): string {
  return render(<ThemeProvider theme={makeTheme(colors)}>{node}</ThemeProvider>).lastFrame() ?? '';
}

describe('theme', () => {
  it('reads NO_COLOR and FORCE_COLOR=0 from the environment', () => {
    expect(colorsFromEnv({})).toBe(true);
    expect(colorsFromEnv({ NO_COLOR: '' })).toBe(false);
    expect(colorsFromEnv({ NO_COLOR: '1' })).toBe(false);
    expect(colorsFromEnv({ FORCE_COLOR: '0' })).toBe(false);
  });

  it('colours status words when colour is on, and writes plain text under NO_COLOR', () => {
    expect(frameWith(true, <StatusBadge status="PASS" />)).toMatch(COLOUR);
    const plain = frameWith(false, <StatusBadge status="PASS" />);
    expect(plain).not.toMatch(COLOUR);
    expect(plain).toBe('PASS');
    expect(frameWith(false, <StatusBadge status="FAIL" />)).not.toMatch(COLOUR);
  });

  it('countdowns turn yellow under a minute and red when expired, only with colour', () => {
    expect(frameWith(true, <Countdown expiresAt={30_000} now={0} />)).toContain(YELLOW);
    expect(frameWith(true, <Countdown expiresAt={0} now={1} />)).toContain(RED);
    expect(frameWith(false, <Countdown expiresAt={0} now={1} />)).toBe('expired');
  });
});
