/**
 * Load the HoS rubric configuration: `<golden-set>/rubric.json`, merged onto the built-in defaults;
 * the defaults alone when the file is absent. A malformed file is a configuration error (exit 2)
 * naming the file and the first problems, never a silent fallback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RUBRIC_CONFIG, parseRubricConfig, type RubricConfig } from '../domain/rubric/index.js';
import { UserError, errorMessage } from '../errors.js';

/** The project's own golden set, an absolute path without a trailing slash (from src/ or dist/ alike). */
export function defaultGoldenSetDir(): string {
  return resolve(fileURLToPath(new URL('../../../golden-set/', import.meta.url)));
}

export function rubricConfigPath(goldenSetDir: string): string {
  return join(resolve(goldenSetDir), 'rubric.json');
}

export function loadRubricConfig(goldenSetDir: string = defaultGoldenSetDir()): RubricConfig {
  const path = rubricConfigPath(goldenSetDir);
  if (!existsSync(path)) return DEFAULT_RUBRIC_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read the rubric configuration ${path}: ${errorMessage(error)}`, {
      nextStep: 'Fix the JSON syntax of rubric.json (or remove it to use the built-in defaults).',
      code: 'rubric_config_invalid',
      cause: error,
    });
  }
  const parsed = parseRubricConfig(raw);
  if (parsed.ok) return parsed.config;
  const shown = parsed.issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`);
  const more = parsed.issues.length > 5 ? ` (and ${parsed.issues.length - 5} more)` : '';
  throw new UserError(`Invalid rubric configuration ${path}: ${shown.join('; ')}${more}`, {
    nextStep: 'Fix the listed keys in rubric.json; see docs/rubric.md for every setting.',
    code: 'rubric_config_invalid',
  });
}
