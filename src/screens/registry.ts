import type { ComponentType } from 'react';
import type { Scope, ScreenId } from './keymap.js';
import { BatchesScreen } from './BatchesScreen.js';
import { OverviewScreen } from './OverviewScreen.js';
import { QueueScreen } from './QueueScreen.js';
import { ReleaseScreen } from './ReleaseScreen.js';
import type { ScreenProps } from './screen-props.js';
import { ScorecardScreen } from './ScorecardScreen.js';
import { TracesScreen } from './TracesScreen.js';
import { WebhooksScreen } from './WebhooksScreen.js';

export const SCREEN_COMPONENTS: Record<ScreenId, ComponentType<ScreenProps>> = {
  overview: OverviewScreen,
  queue: QueueScreen,
  batches: BatchesScreen,
  release: ReleaseScreen,
  traces: TracesScreen,
  webhooks: WebhooksScreen,
  scorecard: ScorecardScreen,
};

/** The keymap scopes each screen listens to (the help bar shows their hints). */
export const SCREEN_SCOPES: Record<ScreenId, readonly Scope[]> = {
  overview: [],
  queue: ['list', 'queue'],
  batches: ['list', 'batches'],
  release: ['list', 'release'],
  traces: ['list', 'traces'],
  webhooks: ['list', 'webhooks'],
  scorecard: ['scorecard'],
};
