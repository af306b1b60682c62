import type { Writable } from 'node:stream';

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** ANSI colour that honours NO_COLOR and non-TTY output. */
export function makeColors(stream: Writable, env: NodeJS.ProcessEnv) {
  const enabled =
    env.NO_COLOR === undefined &&
    env.FORCE_COLOR !== '0' &&
    (Boolean((stream as { isTTY?: boolean }).isTTY) || env.FORCE_COLOR !== undefined);
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1), cyan: wrap(36) };
}

export type Colors = ReturnType<typeof makeColors>;

export function statusColor(colors: Colors, status: string): string {
  if (status === 'PASS' || status === 'GO') return colors.green(status);
  if (status === 'WARN') return colors.yellow(status);
  if (status === 'FAIL' || status === 'NO-GO') return colors.red(status);
  return status;
}
