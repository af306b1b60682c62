/** Weekly scorecard route (SPEC 9). */
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { requireService } from './unavailable.js';

export const scorecardRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/scorecard',
    auth: 'token',
    summary: 'weekly scorecard (?week=YYYY-Www)',
    async handler({ services, query }) {
      const scorecard = requireService(services.scorecard, 'the scorecard');
      const week = query.get('week') ?? undefined;
      if (week !== undefined && !/^\d{4}-W\d{2}$/.test(week)) {
        throw new HttpError(400, 'invalid_request', 'week must look like 2026-W07');
      }
      return json(200, await scorecard.weekly(week));
    },
  },
];
