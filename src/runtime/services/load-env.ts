/**
 * Read env files (override semantics: a value in the file wins over the process environment, so a
 * validator run is deterministic) and build the typed config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig, resolveMode, type Config, type Mode, type RawEnv } from '../config.js';
import { envEntries, parseEnvFile } from '../env-file.js';
import { UserError, errorMessage } from '../errors.js';

export interface LoadEnvOptions {
  cwd: string;
  processEnv: RawEnv;
  /** Explicit --env-file: must exist. Without it, `.env` in cwd is read when present. */
  envFile?: string | undefined;
}

export interface LoadedEnv {
  env: RawEnv;
  /** The file actually read, if any. */
  file: string | undefined;
  /** The entries of that file alone (validate checks these when a file is named). */
  fileEntries: Record<string, string>;
}

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `Env file not found: ${path}`
        : `Cannot read env file ${path}: ${errorMessage(error)}`,
      {
        nextStep:
          code === 'ENOENT'
            ? `Create it with \`caio bootstrap --mode <mode> --env-file ${path}\`, or copy .env.example.`
            : 'Check the path and its permissions.',
        code: 'env_file_unreadable',
      },
    );
  }
  return envEntries(parseEnvFile(text, path));
}

export function loadEnv({ cwd, processEnv, envFile }: LoadEnvOptions): LoadedEnv {
  const path = envFile ? resolve(cwd, envFile) : resolve(cwd, '.env');
  if (!envFile && !existsSync(path)) return { env: { ...processEnv }, file: undefined, fileEntries: {} };
  const fileEntries = readEnvFile(path);
  return { env: { ...processEnv, ...fileEntries }, file: path, fileEntries };
}

export interface LoadConfigOptions extends LoadEnvOptions {
  mode?: string | undefined;
}

export function loadConfig(options: LoadConfigOptions): { config: Config; mode: Mode; loaded: LoadedEnv } {
  const loaded = loadEnv(options);
  const mode = resolveMode(loaded.env, options.mode);
  const config = parseConfig(loaded.env, mode);
  return { config, mode, loaded };
}

/** Values of the shipped example files: a secret equal to one of them is a placeholder. */
export function exampleValues(projectRoot: string): Set<string> {
  const values = new Set<string>();
  for (const name of ['.env.example', '.env.staging.example']) {
    const path = resolve(projectRoot, name);
    if (!existsSync(path)) continue;
    try {
      for (const value of Object.values(readEnvFile(path))) if (value.length >= 6) values.add(value);
    } catch {
      // An unreadable example file only weakens the placeholder check; validate still runs.
    }
  }
  return values;
}
