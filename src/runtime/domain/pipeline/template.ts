/**
 * Draft templates of the pipeline (`golden-set/templates/<segment>.md`). Pure: text in, a parsed
 * template or the problem out.
 *
 * A template is a small front matter block and a body:
 *
 *     ---
 *     subject: Call reviews at {{company}}
 *     product: product:coaching | Quorra scores every recorded sales call ...
 *     ---
 *     Hi {{first_name}},
 *     ...
 *
 * `subject` is required; `sender` names the signature ({{sender_name}}). `product` (optional, repeatable) is a context ref `ref | text` attached to
 * every draft written from the template, so the rubric can ground the product claims. `{{tokens}}`
 * come from TEMPLATE_TOKENS only: an unknown token makes the whole template unusable (the run stops
 * before drafting anything); a known token without a value for a lead skips that lead.
 */
import type { ContextRef } from '../queue/draft.js';

/** Every token a template may use, with where its value comes from. */
export const TEMPLATE_TOKENS = {
  first_name: "the lead's first name",
  last_name: "the lead's last name",
  full_name: 'first and last name',
  company: "the lead's company",
  title: "the lead's job title",
  segment: "the lead's segment",
  hook: 'an opening sentence from what is known: the RB2B visit, else the industry, the title or the company',
  visited_page: 'the last page the lead visited (RB2B Captured URL), as words',
  industry: 'the industry from RB2B or a Clay column',
  sender_name: "the signature: the template's `sender:` line",
} as const;
export type TemplateToken = keyof typeof TEMPLATE_TOKENS;

export const TOKEN_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface DraftTemplate {
  /** The file name without `.md`: the segment it serves (`default` for leads without one). */
  name: string;
  subject: string;
  body: string;
  context: ContextRef[];
  tokens: TemplateToken[];
  sender?: string | undefined;
}

export type TemplateParse =
  { ok: true; template: DraftTemplate } | { ok: false; template: string; problem: string; token?: string };

export function isTemplateToken(name: string): name is TemplateToken {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_TOKENS, name);
}

/** Every `{{token}}` name in a text, in order of first appearance. */
export function tokensIn(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const name = match[1] ?? '';
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

export function parseTemplate(name: string, text: string): TemplateParse {
  const fail = (problem: string, token?: string): TemplateParse => ({
    ok: false,
    template: name,
    problem,
    ...(token === undefined ? {} : { token }),
  });
  const normalized = text.replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(normalized);
  if (!match) return fail('missing the front matter block (--- subject: ... ---) before the body');
  const head = match[1] ?? '';
  const body = (match[2] ?? '').trim();
  let subject: string | undefined;
  let sender: string | undefined;
  const context: ContextRef[] = [];
  for (const [index, raw] of head.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return fail(`front matter line ${index + 2} is not "key: value"`);
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'subject') subject = value;
    else if (key === 'sender') sender = value;
    else if (key === 'product') {
      const bar = value.indexOf('|');
      const ref = bar > 0 ? value.slice(0, bar).trim() : '';
      const factText = bar > 0 ? value.slice(bar + 1).trim() : '';
      if (ref === '' || factText === '') return fail(`product on line ${index + 2} must be "ref | text"`);
      context.push({ ref, text: factText });
    } else return fail(`unknown front matter key "${key}" (known: subject, sender, product)`);
  }
  if (!subject) return fail('the front matter has no subject');
  if (body === '') return fail('the body is empty');
  const tokens = tokensIn(`${subject}\n${body}`);
  for (const token of tokens) {
    if (!isTemplateToken(token)) return fail(`unknown token {{${token}}}`, token);
  }
  return {
    ok: true,
    template: { name, subject, body, context, tokens: tokens as TemplateToken[], sender },
  };
}

export type TokenValues = Partial<Record<TemplateToken, string>>;

export type Rendered = { ok: true; subject: string; body: string } | { ok: false; missing: TemplateToken[] };

/** Fill every token; a token without a (non-blank) value is reported, nothing half-filled escapes. */
export function renderTemplate(template: DraftTemplate, values: TokenValues): Rendered {
  const missing = template.tokens.filter((token) => !values[token] || values[token].trim() === '');
  if (missing.length > 0) return { ok: false, missing };
  const fill = (text: string) =>
    text.replace(TOKEN_PATTERN, (_all, name: string) => (values[name as TemplateToken] ?? '').trim());
  return { ok: true, subject: fill(template.subject), body: fill(template.body) };
}
