/**
 * `tsem serve --config FILE`: a JSON object whose keys are serve's long option names, so the file
 * and the command line are one option set, validated by the same code. Values: a string (or number)
 * for options that take one, true/false for flags, a list for repeatable options (a single value is
 * taken as a list of one; `alert` entries may also be objects). Options given on the command line
 * win over the file. Secrets stay out of the file: webhook keys come from environment variables.
 */
import { readFileSync } from 'node:fs';
import type { CommandSpec, OptionSpec, ParsedArgs } from './args.js';

/** A configuration file that cannot be used: exit status 65 (bad input data). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function valueOf(key: string, v: unknown, file: string, opt: OptionSpec): string {
  if (typeof v === 'string') {
    if (opt.choices && !opt.choices.includes(v))
      throw new ConfigError(
        `${file}: "${key}": expected one of ${opt.choices.join('|')}, got '${v}'`
      );
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (v !== null && typeof v === 'object' && opt.kind === 'list' && !Array.isArray(v))
    return JSON.stringify(v); // an object form (alert outputs), parsed where the list is read
  throw new ConfigError(
    `${file}: "${key}": expected ${opt.kind === 'list' ? 'a string or a list of strings' : 'a string or a number'}, got ${JSON.stringify(v)}`
  );
}

/** Reads FILE into parsed arguments (the same shape the command line gives). */
export function readConfig(spec: CommandSpec, file: string): ParsedArgs {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read the configuration file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`
    );
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: expected a JSON object (${(err as Error).message})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new ConfigError(`${file}: expected a JSON object of option names and values`);
  const byName = new Map(spec.options.map((o) => [o.name, o]));
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const [key, v] of Object.entries(obj as Record<string, unknown>)) {
    const opt = byName.get(key);
    if (!opt || key === 'config')
      throw new ConfigError(
        `${file}: unknown key "${key}" (keys are the long options of 'tsem serve --help')`
      );
    if (opt.kind === 'flag') {
      if (typeof v !== 'boolean')
        throw new ConfigError(
          `${file}: "${key}": expected true or false, got ${JSON.stringify(v)}`
        );
      if (v) flags.add(key);
    } else if (opt.kind === 'list') {
      lists.set(
        key,
        (Array.isArray(v) ? v : [v]).map((x, i) => valueOf(`${key}[${i}]`, x, file, opt))
      );
    } else {
      values.set(key, valueOf(key, v, file, opt));
    }
  }
  return { positionals: [], flags, values, lists };
}

/** The command line over the file: a value, list or flag given on the command line wins. */
export function overlay(file: ParsedArgs, cli: ParsedArgs): ParsedArgs {
  return {
    positionals: cli.positionals,
    flags: new Set([...file.flags, ...cli.flags]),
    values: new Map([...file.values, ...cli.values]),
    lists: new Map([...file.lists, ...cli.lists]),
  };
}
