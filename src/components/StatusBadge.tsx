import { Text } from 'ink';
import { useTheme, type ColorName } from './theme.js';

const GOOD = new Set([
  'pass',
  'go',
  'ok',
  'healthy',
  'ready',
  'approved',
  'processed',
  'sent',
  'executed',
  'up',
]);
const BAD = new Set([
  'fail',
  'no-go',
  'unhealthy',
  'down',
  'error',
  'rejected',
  'quarantined',
  'failed',
  'expired',
  'breach',
  'not ready',
]);
const WARN = new Set([
  'warn',
  'degraded',
  'pending',
  'waiting',
  'suppressed',
  'duplicate',
  'batched',
  'stored',
]);

export function statusTone(status: string): ColorName | undefined {
  const s = status.toLowerCase();
  if (GOOD.has(s)) return 'green';
  if (BAD.has(s)) return 'red';
  if (WARN.has(s)) return 'yellow';
  return undefined;
}

/** A status word coloured by meaning (plain text under NO_COLOR). */
export function StatusBadge({ status, width }: { status: string; width?: number }) {
  const theme = useTheme();
  const tone = statusTone(status);
  const text = width === undefined ? status : status.padEnd(width);
  return (
    <Text color={tone ? theme.color(tone) : undefined} bold={tone === 'red'}>
      {text}
    </Text>
  );
}
