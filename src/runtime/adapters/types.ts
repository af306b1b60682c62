/**
 * The simulation boundary (SPEC 8): every outbound effect goes through one of these interfaces, and
 * the mode of each is shown wherever something can be sent.
 */
import type { Lead } from '../domain/queue/draft.js';

export type EmailMode = 'log-only' | 'whitelist' | 'live';
export type CrmMode = 'sandbox' | 'live';
export type CalendarMode = 'mock' | 'live';

export interface OutboundEmail {
  draftId: string;
  batchId: string;
  to: string;
  subject: string;
  body: string;
  lead: Lead;
}

export type SendResult = { ok: true; providerId: string } | { ok: false; error: string };

export interface EmailAdapter {
  readonly mode: EmailMode;
  /**
   * True when calling `send` again for a message whose outcome was lost in a crash cannot deliver it
   * twice (log-only sends nothing; Instantly dedups leads with skip_if_in_workspace). When false, a
   * resumed run marks such items `unknown` for a person to check instead of sending again.
   */
  readonly safeToRepeat: boolean;
  send(message: OutboundEmail): Promise<SendResult>;
}

export interface CrmContact {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  companyName?: string | undefined;
  tags?: string[];
}

export interface CrmAdapter {
  readonly mode: CrmMode;
  upsertContact(contact: CrmContact): Promise<{ id: string }>;
}

export interface Meeting {
  calendarId: string;
  email: string;
  title: string;
  startTime: string;
  endTime: string;
}

export interface CalendarAdapter {
  readonly mode: CalendarMode;
  book(meeting: Meeting): Promise<{ id: string }>;
}

export interface Adapters {
  email: EmailAdapter;
  crm: CrmAdapter;
  calendar: CalendarAdapter;
}
