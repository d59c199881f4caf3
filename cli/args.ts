/**
 * A small declarative argument parser shared by every `tsem` command.
 * Wrong arguments throw UsageError, which main() turns into a usage message and exit status 2.
 */

import { EXIT_STATUS_SHORT } from './exit-status.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** Long name without dashes, e.g. `digest` for `--digest`. */
  readonly name: string;
  /** Optional one-letter alias, e.g. `o` for `-o`. */
  readonly short?: string;
  /** `flag` takes no value; `string` takes one; `list` may repeat and collects values. */
  readonly kind: 'flag' | 'string' | 'list';
  readonly help: string;
  /** Value placeholder shown in help, e.g. `FILE`. */
  readonly arg?: string;
  /** For `string` options: the allowed values. */
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  /** Full command path, e.g. `model build`. */
  readonly name: string;
  readonly summary: string;
  /** Positional synopsis, e.g. `<trajectory-file>`. */
  readonly usage: string;
  readonly options: readonly OptionSpec[];
  /** Minimum and maximum number of positional arguments. */
  readonly positionals: readonly [min: number, max: number];
  readonly details?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, string[]>;
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const byLong = new Map(spec.options.map((o) => [o.name, o]));
  const byShort = new Map(spec.options.filter((o) => o.short).map((o) => [o.short!, o]));
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    let opt: OptionSpec | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      opt = byLong.get(name);
    } else {
      name = arg.slice(1);
      opt = byShort.get(name);
    }
    if (!opt) throw new UsageError(`unknown option '${arg}' for 'tsem ${spec.name}'`);
    if (opt.kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`option --${opt.name} takes no value`);
      flags.add(opt.name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined)
        throw new UsageError(`option --${opt.name} expects ${opt.arg ?? 'a value'}`);
      value = next;
      i++;
    }
    if (opt.choices && !opt.choices.includes(value)) {
      throw new UsageError(
        `option --${opt.name} expects one of ${opt.choices.join('|')}, got '${value}'`
      );
    }
    if (opt.kind === 'list') {
      const l = lists.get(opt.name) ?? [];
      l.push(value);
      lists.set(opt.name, l);
    } else {
      if (values.has(opt.name)) throw new UsageError(`option --${opt.name} given twice`);
      values.set(opt.name, value);
    }
  }
  const [min, max] = spec.positionals;
  if (positionals.length < min)
    throw new UsageError(`'tsem ${spec.name}' expects ${spec.usage || 'arguments'}`);
  if (positionals.length > max) {
    throw new UsageError(`'tsem ${spec.name}' got unexpected argument '${positionals[max]}'`);
  }
  return { positionals, flags, values, lists };
}

/** Parses a whole number option; `what` names the option in the error. */
export function intOption(raw: string | undefined, what: string, dflt: number, min = 0): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${what} expects a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min) throw new UsageError(`${what} expects at least ${min}, got ${n}`);
  return n;
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [
    `usage: tsem ${spec.name}${spec.options.length ? ' [options]' : ''} ${spec.usage}`.trimEnd(),
    '',
    spec.summary,
  ];
  if (spec.details) lines.push('', spec.details);
  if (spec.options.length) {
    lines.push('', 'options:');
    for (const o of spec.options) {
      const names = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.kind === 'flag' ? '' : ` ${o.arg ?? 'VALUE'}`}`;
      const extra = o.choices ? ` (${o.choices.join('|')})` : '';
      lines.push(`  ${names.padEnd(28)} ${o.help}${extra}`);
    }
  }
  lines.push(`  ${'-h, --help'.padEnd(28)} show this help`);
  lines.push('', EXIT_STATUS_SHORT);
  return lines.join('\n') + '\n';
}
