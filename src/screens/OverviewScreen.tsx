import { Box, Text } from 'ink';
import Spinner from 'ink-spinner';
import { Panel } from '../components/Panel.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { clockTime, latency } from './format.js';
import type { ScreenProps } from './screen-props.js';
import type { DependencyView, OverviewView } from './services.js';
import { useOverviewScreen } from './use-overview-screen.js';

function dependencyValue(dep: DependencyView) {
  const status = dep.healthy ? (dep.degraded ? 'degraded' : 'healthy') : dep.required ? 'down' : 'degraded';
  const tail = [
    dep.mode,
    latency(dep.latencyMs),
    dep.required ? 'required' : 'optional',
    dep.error ?? dep.detail,
  ]
    .filter(Boolean)
    .join('  ');
  return (
    <Text wrap="truncate">
      <StatusBadge status={status} width={9} />
      {tail}
    </Text>
  );
}

function queueCounts(view: OverviewView): string {
  const entries = Object.entries(view.counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'empty' : entries.map(([status, n]) => `${status} ${n}`).join('  ');
}

export function OverviewScreen({ width, height }: ScreenProps) {
  const { state } = useOverviewScreen();
  const { health, overview, server } = state;
  const h = health.data;
  const o = overview.data;
  const checked = health.checkedAt === undefined ? 'checking' : `checked ${clockTime(health.checkedAt)}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box>
        <Text bold>Health </Text>
        <Text dimColor>{checked} </Text>
        {health.loading ? <Spinner type="dots" /> : null}
      </Box>
      {health.error ? <Text color="red">{`Health check failed: ${health.error}`}</Text> : null}
      {h ? (
        <Panel
          rows={[
            { label: 'Redis', value: dependencyValue(h.redis) },
            { label: 'Inngest', value: dependencyValue(h.inngest) },
            {
              label: 'Readiness',
              value: (
                <Text wrap="truncate">
                  <StatusBadge status={h.ready ? 'ready' : 'not ready'} />
                  {h.reasons.length > 0 ? `  ${h.reasons.join('; ')}` : ''}
                </Text>
              ),
            },
            { label: 'API server', value: server.url ?? server.note ?? 'not started' },
          ]}
        />
      ) : null}
      <Text> </Text>
      <Text bold>Operator</Text>
      {overview.error ? <Text>{`Status unavailable: ${overview.error}`}</Text> : null}
      {o ? (
        <Panel
          rows={[
            { label: 'Mode', value: o.mode },
            { label: 'Queue', value: queueCounts(o) },
            {
              label: 'Aging p95',
              value: `${o.agingP95Minutes === undefined ? '—' : `${Math.round(o.agingP95Minutes)} min`}   SLA breaches ${o.slaBreaches}`,
            },
            { label: 'Approvals today', value: `${o.approvalsUsed} of ${o.approvalsCapacity}` },
            { label: 'Ramp', value: o.rampTier },
            { label: 'Send mode', value: o.sendMode },
            { label: 'Last replay', value: o.lastReplay ?? 'never run (caio replay)' },
            {
              label: 'Incidents',
              value: o.incidents.length === 0 ? 'none open' : `${o.incidents.length} open, newest first:`,
            },
          ]}
        />
      ) : overview.loading ? (
        <Text dimColor>Loading…</Text>
      ) : null}
      {o
        ? o.incidents.slice(0, MAX_INCIDENTS).map((incident) => (
            <Text key={`${incident.kind}:${incident.openedAt}:${incident.title}`} wrap="truncate" color="red">
              {`  ! ${clockTime(Date.parse(incident.openedAt))} ${incident.title} (${incident.delivery.replace('_', ' ')})`}
            </Text>
          ))
        : null}
      {o && o.incidents.length > MAX_INCIDENTS ? (
        <Text dimColor>{`  … ${o.incidents.length - MAX_INCIDENTS} more`}</Text>
      ) : null}
    </Box>
  );
}

const MAX_INCIDENTS = 2;
