// Regenerates .env.example and .env.staging.example from the variable table (run after `npm run build`).
// A unit test fails when the committed files drift from the table.
import { writeFileSync } from 'node:fs';
import { renderEnvExample } from '../dist/runtime/env-example.js';

writeFileSync(new URL('../.env.example', import.meta.url), renderEnvExample('development'));
writeFileSync(new URL('../.env.staging.example', import.meta.url), renderEnvExample('staging'));
console.log('wrote .env.example and .env.staging.example');
