import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchGhlTaggedEmails } from '../../../src/runtime/adapters/ghl-contacts.js';
import { externalSendsOverRecord } from '../../../src/runtime/tasks/external-sends.js';
import type { Runtime } from '../../../src/runtime/services/runtime.js';
import { openTestRuntime } from '../../helpers/pipeline-runtime.js';
import { useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
  const runtime: Runtime = await openTestRuntime(tempDir());
  cleanups.push(() => runtime.close());
  const sends = externalSendsOverRecord(runtime.record);
  return { runtime, sends };
}

const draft = (id: string, email: string) => ({
  id,
  lead: { email, first_name: 'Ann', company: 'Acme' },
  subject: 'Hello',
  body: 'Hi Ann, a short note about Acme. Would you be open to a call?',
});

describe('ledger import-sent', () => {
  it('excludes imported addresses from the preview as already_sent_external, idempotently', async () => {
    const { runtime, sends } = await setup();
    await runtime.queue.add(draft('d-approved', 'ann@acme.io'), 'api');
    await runtime.queue.approve('d-approved', 'hos');
    await runtime.queue.add(draft('d-pending', 'bo@beta.io'), 'api');
    await runtime.queue.add(draft('d-other', 'cy@gamma.io'), 'api');
    await runtime.queue.approve('d-other', 'hos');

    const csv = 'email,name\nann@acme.io,Ann\nbo@beta.io,Bo\nbroken,x\n';
    const first = await sends.importText(csv, 'ghl', 'ops');
    expect(first).toMatchObject({ rows: 2, added: 2, known: 0, errors: [{ line: 4 }] });
    // A new draft for an imported address enters suppressed; existing ones are left to the preview.
    await runtime.queue.add(draft('d-new', 'ANN@acme.io'), 'api');
    expect((await runtime.queue.get('d-new'))?.status).toBe('suppressed');

    const preview = await runtime.gatekeeper.preview({ motion: 'all' }, 'hos', { persist: false });
    expect(preview.items.map((item) => item.draft_id)).toEqual(['d-other']);
    expect(preview.excluded).toEqual([
      expect.objectContaining({ draft_id: 'd-approved', reason: 'already_sent_external' }),
    ]);

    const again = await sends.importText(csv, 'ghl', 'ops');
    expect(again).toMatchObject({ added: 0, known: 2 });
    expect((await runtime.audit.tail(50)).filter((row) => row.action === 'ledger.import_sent')).toHaveLength(
      1,
    );
  });

  it('counts an address already mailed as already excluded, not as contacted outside CAIO', async () => {
    const { runtime, sends } = await setup();
    // A GHL export lists CAIO's own sends too (the CRM adapter upserts every sent lead).
    await runtime.queue.recordExternalSend('Dana@Acme.io', 'instantly');
    await runtime.queue.suppressAddress('kim@hooli.io', 'bounced', 'instantly');
    const report = await sends.importText('email\ndana@acme.io\nkim@hooli.io\nlee@globex.io\n', 'ghl', 'ops');
    expect(report).toMatchObject({ rows: 3, added: 1, known: 0, already_excluded: 2 });
    expect(await runtime.record.addresses.suppression('dana@acme.io')).toBeUndefined();
    expect((await runtime.record.addresses.suppression('kim@hooli.io'))?.reason).toBe('bounced');
    expect((await runtime.record.addresses.suppression('lee@globex.io'))?.reason).toBe(
      'already_sent_external',
    );
    const again = await sends.importText('email\ndana@acme.io\nlee@globex.io\n', 'ghl', 'ops');
    expect(again).toMatchObject({ added: 0, known: 1, already_excluded: 1 });
  });

  it('a dry run records nothing', async () => {
    const { runtime, sends } = await setup();
    const report = await sends.importText('{"email":"a@x.io"}\n', 'ghl', 'ops', { dryRun: true });
    expect(report).toMatchObject({ added: 1, dry_run: true });
    expect(await runtime.record.addresses.suppression('a@x.io')).toBeUndefined();
  });

  it('fetches tagged contacts from the GHL API (local stub), page by page', async () => {
    const seen: { path: string; auth: string | undefined }[] = [];
    const server: Server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', auth: req.headers.authorization });
      const url = new URL(req.url ?? '/', 'http://stub');
      const second = url.searchParams.get('startAfterId') === 'c2';
      const body = second
        ? { contacts: [{ email: 'c@x.io', tags: ['Contacted'] }], meta: {} }
        : {
            contacts: [
              { email: 'a@x.io', tags: ['contacted'] },
              { email: 'b@x.io', tags: ['other'] },
            ],
            meta: { startAfterId: 'c2', startAfter: 1700000000000 },
          };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const fetched = await fetchGhlTaggedEmails(
      { apiKey: 'ghl-key', baseUrl: `http://127.0.0.1:${port}`, locationId: 'loc1', retries: 0 },
      'contacted',
    );
    expect(fetched).toEqual({ emails: ['a@x.io', 'c@x.io'], pages: 2, truncated: false });
    expect(seen[0]?.path).toContain('locationId=loc1');
    expect(seen[1]?.path).toContain('startAfterId=c2');
    expect(seen[0]?.auth).toBe('Bearer ghl-key');

    const { runtime, sends } = await setup();
    const report = await sends.importAddresses(fetched.emails, 'ghl', 'ops');
    expect(report).toMatchObject({ format: 'api', added: 2 });
    expect((await runtime.record.addresses.suppression('c@x.io'))?.reason).toBe('already_sent_external');
  });
});
