import { Text } from 'ink';
import { useTheme } from './theme.js';

/** "14:59", "1:02:03", or "expired". */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Time left until `expiresAt`; the caller ticks `now` (pure: no timers in here). */
export function Countdown({ expiresAt, now }: { expiresAt: number; now: number }) {
  const theme = useTheme();
  const left = expiresAt - now;
  const color = left <= 0 ? theme.color('red') : left < 60_000 ? theme.color('yellow') : undefined;
  return <Text color={color}>{formatRemaining(left)}</Text>;
}
