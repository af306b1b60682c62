import { Box, Text } from 'ink';
import type { Column } from '../components/table-layout.js';
import { ListLayout, listLayout } from './ListLayout.js';
import type { ScreenProps } from './screen-props.js';
import type { WebhookView } from './services.js';
import { useWebhooksScreen } from './use-webhooks-screen.js';

const COLUMNS: Column<WebhookView>[] = [
  { header: 'RECEIVED', value: (w) => w.receivedAt.replace('T', ' ').slice(0, 19), width: 19 },
  { header: 'SOURCE', value: (w) => w.source, max: 9 },
  { header: 'STATUS', value: (w) => w.status, width: 11 },
  { header: 'ERROR / KEY', value: (w) => w.error ?? w.idempotencyKey, flex: true, min: 8 },
];

export function WebhooksScreen({ width, height, focused, keys }: ScreenProps) {
  const { state } = useWebhooksScreen({ tableHeight: listLayout(height, 1).tableHeight, keys });
  if (!state.available) return <Text>Stored webhook events are not available in this build.</Text>;
  if (state.loading) return <Text>Loading webhook events…</Text>;
  const w = state.current;
  return (
    <Box flexDirection="column">
      <Text bold>
        {state.quarantinedOnly ? 'Quarantined events (Q shows all)' : 'Recent events (Q: quarantined only)'}
      </Text>
      <ListLayout
        width={width}
        height={height}
        headerLines={1}
        focused={focused}
        columns={COLUMNS}
        rowKey={(row) => row.id}
        rows={state.rows}
        shown={state.shown}
        list={state.list}
        tone={(row) => (row.status === 'quarantined' ? 'red' : undefined)}
        detail={
          w
            ? [
                { text: `${w.id}  ${w.source}  ${w.status}`, bold: true },
                { text: `received ${w.receivedAt}  key ${w.idempotencyKey}` },
                ...(w.error ? [{ text: `error: ${w.error}`, tone: 'red' as const }] : []),
              ]
            : [
                {
                  text: state.error
                    ? `Cannot read webhooks: ${state.error}`
                    : 'No webhook events stored yet.',
                },
              ]
        }
      />
    </Box>
  );
}
