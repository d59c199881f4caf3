/**
 * How commands print records: human lines with control characters escaped (process names and
 * pathnames come from the watched system), or with `--json` one JSON object per line and a final
 * summary object `{"summary": {...}}`, so that a script reads only JSON.
 */
import { escapeText } from '../common/escape.js';
import type { OptionSpec, ParsedArgs } from './args.js';
import type { Io } from './command.js';

export const JSON_OPTION: OptionSpec = {
  name: 'json',
  kind: 'flag',
  help: 'one JSON object per line, then a {"summary": …} object',
};

/** Control characters, line separators and bidi overrides as visible escapes (common/escape.ts). */
export const escapeControl = escapeText;

export class Printer {
  readonly json: boolean;
  constructor(
    private readonly io: Io,
    args: ParsedArgs | boolean
  ) {
    this.json = typeof args === 'boolean' ? args : args.flags.has('json');
  }

  /** One record: `obj` as a JSON line, else the human line (escaped here). */
  record(obj: object, human: string | (() => string)): void {
    if (this.json) this.io.out(`${JSON.stringify(obj)}\n`);
    else this.io.out(`${escapeControl(typeof human === 'string' ? human : human())}\n`);
  }

  /** A human-only line (headers, notes): nothing in JSON mode. */
  text(human: string): void {
    if (!this.json) this.io.out(human.endsWith('\n') ? human : `${human}\n`);
  }

  /** The final summary: `{"summary": obj}` in JSON mode, else the human text as given. */
  summary(obj: object, human?: string): void {
    if (this.json) this.io.out(`${JSON.stringify({ summary: obj })}\n`);
    else if (human !== undefined) this.io.out(human.endsWith('\n') ? human : `${human}\n`);
  }
}
