/** The route table, split by concern. The router, the auth tests and `caio smoke` enumerate it. */
import type { Route } from '../types.js';
import { batchRoutes } from './batches.js';
import { campaignRoutes } from './campaigns.js';
import { healthRoutes } from './health.js';
import { inngestRoutes } from './inngest.js';
import { operatorRoutes } from './operator.js';
import { queueRoutes } from './queue.js';
import { scorecardRoutes } from './scorecard.js';
import { webhookRoutes } from './webhooks.js';

export const ROUTES: readonly Route[] = [
  ...healthRoutes,
  ...operatorRoutes,
  ...queueRoutes,
  ...batchRoutes,
  ...campaignRoutes,
  ...webhookRoutes,
  ...scorecardRoutes,
  ...inngestRoutes,
];
