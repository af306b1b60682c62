/** The route table, split by concern. The router, the auth tests and `caio smoke` enumerate it. */
import type { Route } from '../types.js';
import { batchRoutes } from './batches.js';
import { campaignRoutes } from './campaigns.js';
import { consoleRoutes } from './console.js';
import { eventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { inngestRoutes } from './inngest.js';
import { operatorRoutes } from './operator.js';
import { queueRoutes } from './queue.js';
import { scorecardRoutes } from './scorecard.js';
import { webhookRoutes } from './webhooks.js';

export const ROUTES: readonly Route[] = [
  ...healthRoutes,
  ...operatorRoutes,
  ...eventRoutes,
  ...queueRoutes,
  ...consoleRoutes,
  ...batchRoutes,
  ...campaignRoutes,
  ...webhookRoutes,
  ...scorecardRoutes,
  ...inngestRoutes,
];
