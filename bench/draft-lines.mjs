/**
 * Writes N import lines (SPEC 7 format) for the console and import benchmarks:
 *   node bench/draft-lines.mjs 100000 > drafts.jsonl
 * Every 7th draft has a 60-line body; every 50th lead carries a numeric tier (a harmless shape).
 */
export function draftLine(i) {
  const long = i % 7 === 0;
  const body = long
    ? Array.from({ length: 60 }, (_, l) => `Line ${l + 1} of the draft for lead ${i}.`).join('\n')
    : `Hi Lead ${i},\nSaw Company ${i % 97} is hiring SDRs. Would a 20-minute call next week help?`;
  return JSON.stringify({
    id: `d${String(i).padStart(6, '0')}`,
    lead: {
      email: `lead${i}@company${i % 997}.example`,
      first_name: `Lead`,
      last_name: String(i),
      company: `Company ${i % 97}`,
      title: 'VP Sales',
      segment: 'mid-market',
      ...(i % 50 === 0 ? { tier: 1 } : {}),
    },
    subject: `Ramping new reps at Company ${i % 97} (${i})`,
    body,
    context: [{ ref: `rb2b:visit:${i}`, text: 'Visited the pricing page twice this week.' }],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 1000);
  const out = process.stdout;
  let chunk = '';
  for (let i = 0; i < count; i += 1) {
    chunk += `${draftLine(i)}\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = '';
    }
  }
  out.write(chunk);
}
