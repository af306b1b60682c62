/**
 * Draft templates on disk: `<golden-set>/templates/<segment>.md` (the project's own golden set unless
 * `--golden-set DIR` says otherwise). Every file is parsed on each load, so an edit takes effect on
 * the next run; any unusable file stops the run before a single draft is written.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTemplate, type DraftTemplate } from '../domain/pipeline/template.js';
import { UserError } from '../errors.js';
import { defaultGoldenSetDir } from './rubric-config.js';
import type { TemplateSource } from './pipeline.js';

export function templatesDir(goldenSetDir: string = defaultGoldenSetDir()): string {
  return join(resolve(goldenSetDir), 'templates');
}

export function createTemplateSource(dir: string = templatesDir()): TemplateSource {
  return {
    load() {
      if (!existsSync(dir)) {
        throw new UserError(`No draft templates: ${dir} does not exist`, {
          code: 'templates_missing',
          nextStep:
            'Create <golden-set>/templates/<segment>.md (see the README, "Pipeline"), or pass --golden-set DIR.',
        });
      }
      const templates = new Map<string, DraftTemplate>();
      for (const file of readdirSync(dir)
        .filter((name) => name.endsWith('.md'))
        .sort()) {
        const name = file.slice(0, -3).toLowerCase();
        const parsed = parseTemplate(name, readFileSync(join(dir, file), 'utf8'));
        if (!parsed.ok) {
          throw new UserError(`Template ${join(dir, file)}: ${parsed.problem}`, {
            code: parsed.token === undefined ? 'template_invalid' : 'template_unknown_token',
            nextStep:
              parsed.token === undefined
                ? 'Fix the template; nothing was drafted.'
                : `Use one of the documented tokens (README, "Pipeline") instead of {{${parsed.token}}}; nothing was drafted.`,
          });
        }
        templates.set(name, parsed.template);
      }
      if (templates.size === 0) {
        throw new UserError(`No draft templates in ${dir}`, {
          code: 'templates_missing',
          nextStep: 'Add at least default.md (see the README, "Pipeline").',
        });
      }
      return templates;
    },
  };
}
