/**
 * Flag parsing for every command: meow underneath, but unknown flags and bad values become a
 * `UsageError` (exit 2, one line, the fix) instead of meow's own process.exit.
 */
import meow from 'meow';
import { UsageError } from '../runtime/errors.js';

type FlagType = 'string' | 'boolean' | 'number';

export interface FlagSpec {
  type: FlagType;
  shortFlag?: string;
  isMultiple?: boolean;
  default?: string | boolean | number;
  /** Allowed values (strings only). */
  choices?: readonly string[];
}

export type FlagSpecs = Record<string, FlagSpec>;

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F['type'] extends 'number'
    ? F['isMultiple'] extends true
      ? number[]
      : number | undefined
    : F['isMultiple'] extends true
      ? string[]
      : string | undefined;

export type ParsedFlags<S extends FlagSpecs> = { [K in keyof S]: FlagValue<S[K]> } & { help: boolean };

export interface Parsed<S extends FlagSpecs> {
  flags: ParsedFlags<S>;
  input: string[];
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function parseArgs<S extends FlagSpecs>(argv: string[], specs: S, command: string): Parsed<S> {
  const all: FlagSpecs = { ...specs, help: { type: 'boolean', shortFlag: 'h', default: false } };
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?(no-)?/, '').split('=')[0] ?? '';
    const known = Object.entries(all).some(
      ([key, spec]) => kebab(key) === name || key === name || spec.shortFlag === name,
    );
    if (!known) {
      const list = Object.keys(specs).map((key) => `--${kebab(key)}`);
      throw new UsageError(
        `Unknown flag ${arg.split('=')[0]} for \`caio ${command}\``,
        list.length > 0
          ? `Known flags: ${list.join(', ')}. See \`caio ${command} --help\`.`
          : `See \`caio ${command} --help\`.`,
      );
    }
  }
  const cli = meow({
    importMeta: import.meta,
    argv,
    autoHelp: false,
    autoVersion: false,
    allowUnknownFlags: true,
    booleanDefault: undefined,
    flags: Object.fromEntries(
      Object.entries(all).map(([key, spec]) => [
        key,
        {
          type: spec.type,
          ...(spec.shortFlag ? { shortFlag: spec.shortFlag } : {}),
          ...(spec.isMultiple ? { isMultiple: true } : {}),
          ...(spec.default !== undefined ? { default: spec.default } : {}),
        },
      ]),
    ) as never,
  });
  const flags = cli.flags as Record<string, unknown>;
  for (const [key, spec] of Object.entries(all)) {
    const value = flags[key];
    if (spec.type === 'boolean' && value === undefined) flags[key] = false;
    if (spec.type === 'number' && typeof value === 'number' && Number.isNaN(value)) {
      throw new UsageError(`--${kebab(key)} must be a number`, `See \`caio ${command} --help\`.`);
    }
    if (spec.type === 'string' && value === '' && !spec.isMultiple) {
      throw new UsageError(`--${kebab(key)} needs a value`, `See \`caio ${command} --help\`.`);
    }
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new UsageError(
        `--${kebab(key)} must be one of ${spec.choices.join(', ')} (got "${value}")`,
        `See \`caio ${command} --help\`.`,
      );
    }
  }
  return { flags: flags as ParsedFlags<S>, input: cli.input.map(String) };
}

/** Require a string flag, with a usage error naming it. */
export function requireFlag(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`Missing --${flag} for \`caio ${command}\``, `See \`caio ${command} --help\`.`);
  }
  return value;
}
