/**
 * Personalisation: no template token may survive into the draft, no generic greeting, and the
 * prospect's first name and company (when the lead record has them) must appear.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { containsWords, findPhrases, quoteList, wordKey, words } from '../text.js';
import type { Finding } from '../types.js';

export function checkTokens(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const found: string[] = [];
  // Each pattern reads what the earlier ones left, so "{{first_name}}" is not reported twice.
  let rest = draft.text;
  for (const pattern of rubric.tokens) {
    for (const match of rest.matchAll(pattern)) {
      if (!found.includes(match[0])) found.push(match[0]);
    }
    rest = rest.replace(pattern, ' ');
  }
  if (found.length === 0) return [];
  return [
    {
      rule: 'personalization.unresolved_token',
      category: 'personalization',
      severity: 'critical',
      message: `Unresolved template token${found.length > 1 ? 's' : ''} ${quoteList(found)}`,
    },
  ];
}

export function checkGreeting(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const found = findPhrases(rubric.greetings, draft.body);
  if (found.length === 0) return [];
  return [
    {
      rule: 'personalization.generic_greeting',
      category: 'personalization',
      severity: 'major',
      message: `Generic greeting ${quoteList(found)}: greet the prospect by name`,
    },
  ];
}

export function checkFirstName(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const firstName = draft.input.lead.first_name?.trim();
  if (!rubric.config.personalization.require_first_name || !firstName) return [];
  if (containsWords(draft.bodyKeys, firstName)) return [];
  return [
    {
      rule: 'personalization.missing_first_name',
      category: 'personalization',
      severity: 'major',
      message: `The body never uses the prospect's first name ("${firstName}")`,
    },
  ];
}

export function checkCompany(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const company = draft.input.lead.company?.trim();
  if (!rubric.config.personalization.require_company || !company) return [];
  const core = words(company)
    .filter((word) => !rubric.companySuffixes.has(wordKey(word)))
    .join(' ');
  if (containsWords(draft.textKeys, core === '' ? company : core)) return [];
  return [
    {
      rule: 'personalization.missing_company',
      category: 'personalization',
      severity: 'major',
      message: `The draft never names the prospect's company ("${company}"): it reads like a template blast`,
    },
  ];
}
