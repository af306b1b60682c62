// Regenerates .env.example, .env.staging.example and the README configuration table from the
// variable table (run after `npm run build`). Tests fail when the committed files drift from it.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable, renderEnvExample } from '../dist/runtime/env-example.js';

writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample('development'));
writeFileSync(new URL('../.env.staging.example', import.meta.url), renderEnvExample('staging'));
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const next = readme.replace(
  /<!-- config-table:start -->\n[\s\S]*?\n<!-- config-table:end -->/,
  `<!-- config-table:start -->\n${renderConfigTable()}\n<!-- config-table:end -->`,
);
writeFileSync(readmeUrl, next);
console.log('wrote .env.example, .env.staging.example and the README configuration table');
