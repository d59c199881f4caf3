/**
 * `ascii_runtime_measurements[_<alg>]` parse and write (ima.md §1.3, ima_ascii_measurements_show):
 * `%2d <template digest hex> <template name>` then ` <field>` per field, empty fields included.
 */
import { MeasurementListError } from './measurement-list-binary.js';
import { createTemplateEntry, templateDigest, type TemplateEntry } from './template-entry.js';
import { fieldFromAscii, fieldToAscii, templateFieldIds } from './template-fields.js';

/** One ASCII line for `entry`, with the template digest of `bank`; no trailing newline. */
export function entryToAscii(entry: TemplateEntry, bank: string, size: number): string {
  let line = `${String(entry.pcr).padStart(2, ' ')} ${templateDigest(entry, bank, size).toString('hex')} ${entry.templateName}`;
  for (let i = 0; i < entry.fields.length; i++)
    line += ' ' + fieldToAscii(entry.fieldIds[i]!, entry.fields[i]!);
  return line;
}

/** Serialises entries as an ASCII list for `bank`. */
export function writeAsciiList(
  entries: readonly TemplateEntry[],
  bank: string,
  size: number
): string {
  let out = '';
  for (const e of entries) out += entryToAscii(e, bank, size) + '\n';
  return out;
}

/**
 * Parses one ASCII line (1-based `record` for errors). The template digest column must have
 * `digestSize` bytes. Field bytes are rebuilt exactly as the kernel hashed them.
 */
export function parseAsciiLine(
  text: string,
  record: number,
  digestSize = 20,
  line = record
): TemplateEntry {
  const fail = (detail: string): never => {
    throw new MeasurementListError(record, detail, `line ${line}`);
  };
  const m = /^\s*(\d{1,2}) ([0-9a-fA-F]+) (\S+)( .*)?$/.exec(text);
  if (!m)
    fail(
      `expected '<pcr> <template digest> <template name> <fields...>', got '${text.slice(0, 60)}'`
    );
  const [, pcrText, digestHex, name, rest] = m!;
  if (digestHex!.length !== digestSize * 2) {
    fail(
      `template digest has ${digestHex!.length / 2} bytes, expected ${digestSize} (wrong --log-bank?)`
    );
  }
  const ids = templateFieldIds(name!);
  if (typeof ids === 'string') fail(ids);
  const idList = ids as string[];
  // Fields are space-separated; STRING fields cannot hold spaces (the kernel rewrites them to '_').
  const tokens = rest === undefined ? [] : rest.slice(1).split(' ');
  if (tokens.length !== idList.length) {
    fail(`template '${name}' has ${idList.length} fields, the line has ${tokens.length}`);
  }
  const fields = idList.map((id, i) => {
    const f = fieldFromAscii(id, tokens[i]!);
    return typeof f === 'string' ? fail(f) : f;
  });
  if (name === 'ima' && fields[0]!.length !== 20) fail(`template ima: field 'd' must be 20 bytes`);
  return createTemplateEntry(Number(pcrText), name!, fields, {
    loggedDigest: Buffer.from(digestHex!, 'hex'),
  });
}

/** Parses a whole ASCII list; blank lines are skipped, any bad line throws naming its number. */
export function parseAsciiList(text: string, digestSize = 20): TemplateEntry[] {
  const entries: TemplateEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    entries.push(parseAsciiLine(line, entries.length + 1, digestSize, i + 1));
  }
  return entries;
}
