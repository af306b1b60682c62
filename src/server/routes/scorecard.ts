/** Weekly scorecard routes (SPEC 9): read any week; sign one off (pto role, once per week). */
import { z } from 'zod';
import { UserError } from '../../runtime/errors.js';
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { actorOf } from './queue.js';
import { requireService } from './unavailable.js';

const WEEK = /^\d{4}-W\d{2}$/;
const signOffBody = z
  .object({
    week: z.string().regex(WEEK, 'week must look like 2026-W07').optional(),
    note: z.string().max(2000, 'note must be at most 2000 characters').optional(),
    force: z.boolean().optional(),
  })
  .strict();

export const scorecardRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/scorecard',
    auth: 'token',
    summary: 'weekly scorecard (?week=YYYY-Www)',
    async handler({ services, query }) {
      const scorecard = requireService(services.scorecard, 'the scorecard');
      const week = query.get('week') ?? undefined;
      if (week !== undefined && !WEEK.test(week)) {
        throw new HttpError(400, 'invalid_request', 'week must look like 2026-W07');
      }
      return json(200, await scorecard.weekly(week));
    },
  },
  {
    method: 'POST',
    path: '/api/scorecard/sign-off',
    auth: 'token',
    role: 'pto',
    summary: 'sign the week off {week?, note?, force?} (pto; once per week unless force; audited)',
    async handler(ctx) {
      const scorecard = requireService(ctx.services.scorecard, 'the scorecard sign-off');
      const parsed = signOffBody.safeParse((await ctx.jsonBody()) ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, 'invalid_request', issue?.message ?? 'invalid body');
      }
      const { week, note, force } = parsed.data;
      try {
        const card = await scorecard.signOff({
          week,
          note,
          force,
          by: actorOf(ctx),
          role: ctx.identity.role,
        });
        return json(201, card);
      } catch (error) {
        if (error instanceof UserError && error.code === 'scorecard_already_signed')
          throw new HttpError(
            409,
            error.code,
            `${error.message}. Send {"force": true} to sign it off again (the earlier sign-off is kept).`,
          );
        throw error;
      }
    },
  },
];
