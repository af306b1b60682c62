/**
 * Targeting: the draft is judged against its segment's standard (rubric.json `segments`): the
 * segment must exist and agree with the lead record, the title must be one of the segment's
 * personas, and the language must suit the segment.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { findPhrases, hasPhrase, quoteList } from '../text.js';
import type { Finding } from '../types.js';

export function checkSegment(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const { input } = draft;
  const declared = input.segment?.trim();
  const leadSegment = input.lead.segment?.trim();
  if (draft.segment === undefined) {
    return [
      {
        rule: 'targeting.segment_missing',
        category: 'targeting',
        severity: 'minor',
        message: 'No segment on the draft or the lead: segment standards were not checked',
      },
    ];
  }
  const findings: Finding[] = [];
  if (declared && leadSegment && declared !== leadSegment) {
    findings.push({
      rule: 'targeting.segment_mismatch',
      category: 'targeting',
      severity: 'major',
      message: `Written for segment "${declared}" but the lead is "${leadSegment}"`,
    });
  }
  const segment = rubric.segments.get(draft.segment);
  if (!segment) {
    findings.push({
      rule: 'targeting.unknown_segment',
      category: 'targeting',
      severity: 'major',
      message: `Unknown segment "${draft.segment}" (rubric.json segments: ${[...rubric.segments.keys()].join(', ')})`,
    });
    return findings;
  }
  const title = input.lead.title?.trim();
  if (!title) {
    findings.push({
      rule: 'targeting.title_missing',
      category: 'targeting',
      severity: 'minor',
      message: 'The lead has no title: persona not checked',
    });
  } else if (segment.personas && !hasPhrase(segment.personas, title)) {
    findings.push({
      rule: 'targeting.persona',
      category: 'targeting',
      severity: 'major',
      message: `"${title}" is not a ${segment.key} buyer persona (${segment.standard.personas.join(', ')})`,
    });
  }
  const avoided = findPhrases(segment.avoid, draft.text);
  if (avoided.length > 0) {
    findings.push({
      rule: 'targeting.segment_language',
      category: 'targeting',
      severity: 'major',
      message: `Wrong language for ${segment.key}: ${quoteList(avoided)}`,
    });
  }
  return findings;
}
