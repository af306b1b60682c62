import { fileURLToPath } from 'node:url';

/** The package root (where .env.example and golden-set/ live), from src/ or dist/ alike. */
export function projectRoot(): string {
  return fileURLToPath(new URL('../../', import.meta.url));
}
