/**
 * A real runtime over a temp HIVE_DIR (embedded SQLite store), with helpers to land leads the way the
 * webhooks do: the raw event stored first, then the lead upserted from it.
 */
import { parseConfig } from '../../src/runtime/config.js';
import { createRuntime, type Runtime } from '../../src/runtime/services/runtime.js';

export async function openTestRuntime(dir: string, env: Record<string, string> = {}): Promise<Runtime> {
  return createRuntime(parseConfig({ HIVE_DIR: dir, ...env }));
}

let seq = 0;

export async function rb2bVisit(
  runtime: Runtime,
  row: {
    email: string;
    first?: string;
    last?: string;
    company?: string;
    title?: string;
    url?: string;
    industry?: string;
  },
): Promise<void> {
  const payload = {
    'Business Email': row.email,
    'First Name': row.first,
    'Last Name': row.last,
    'Company Name': row.company,
    Title: row.title,
    'Captured URL': row.url,
    Industry: row.industry,
    'Seen At': '2026-11-20T10:00:00Z',
  };
  await runtime.webhooks.insert({
    source: 'rb2b',
    idempotencyKey: `rb2b-${(seq += 1)}-${row.email}`,
    payload: Buffer.from(JSON.stringify(payload)),
    status: 'stored',
  });
  await runtime.leads.upsertLead(
    {
      email: row.email,
      ...(row.first ? { first_name: row.first } : {}),
      ...(row.last ? { last_name: row.last } : {}),
      ...(row.company ? { company: row.company } : {}),
      ...(row.title ? { title: row.title } : {}),
    },
    'rb2b',
  );
}

export async function clayRow(runtime: Runtime, row: Record<string, string>): Promise<void> {
  await runtime.webhooks.insert({
    source: 'clay',
    idempotencyKey: `clay-${(seq += 1)}-${row.email}`,
    payload: Buffer.from(JSON.stringify(row)),
    status: 'stored',
  });
  const { email = '', first_name, last_name, company, title, segment, tier } = row;
  await runtime.leads.upsertLead(
    Object.fromEntries(
      Object.entries({ email, first_name, last_name, company, title, segment, tier }).filter(([, v]) => v),
    ) as { email: string },
    'clay',
  );
}
