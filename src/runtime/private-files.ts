/**
 * Files that hold state are private (SPEC 5): HIVE_DIR and the folders caio creates in it are 0700;
 * databases, traces, reports and env files 0600. A file is created with its mode (never briefly
 * readable by others), and an existing one of ours is tightened.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` (and missing parents) 0700; an existing folder is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Make sure `path` exists as a 0600 file (created empty if missing), in a 0700 folder if new. */
export function ensurePrivateFile(path: string): void {
  ensurePrivateDir(dirname(path));
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Write `content` to `path` as a 0600 file. */
export function writePrivateFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  writeFileSync(path, content, { mode: PRIVATE_FILE_MODE });
  chmodSync(path, PRIVATE_FILE_MODE);
}
