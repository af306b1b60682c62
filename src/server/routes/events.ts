/**
 * `GET /api/events`: server-sent change events for live consoles (event-stream.ts). Any token may
 * read (a viewer's console is live too). `Last-Event-ID` (or `?last_event_id=`) resumes.
 */
import { json, type Route } from '../types.js';

export const eventRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/events',
    auth: 'token',
    summary: 'server-sent change events (draft, batch, release, health); Last-Event-ID resumes',
    async handler({ req, res, query, services, stillAuthorized }) {
      // A HEAD asks whether the stream is there; it gets the headers, not a stream that never ends.
      if (req.method === 'HEAD') return json(200, {}, { 'content-type': 'text/event-stream' });
      const header = req.headers['last-event-id'];
      const lastEventId =
        (Array.isArray(header) ? header[0] : header) ?? query.get('last_event_id') ?? undefined;
      services.streams.attach(req, res, { lastEventId, stillAuthorized });
      return undefined;
    },
  },
];
