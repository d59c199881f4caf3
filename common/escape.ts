/**
 * Output hygiene: every name, path, process or piece of outside input that reaches a terminal or a
 * log goes through here, so that it can never forge a line, move the cursor or recolour the
 * screen. Control characters (C0, DEL, C1), line and paragraph separators and bidirectional
 * overrides become visible escapes (`\n`, `\x1b`, `\u{202e}`). Escaping is idempotent (escaped
 * text has nothing left to escape), so layers that each escape what they print never double up.
 */

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/** The text with every control character shown as an escape (one line, nothing interpreted). */
export function escapeText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * JSON text safe to print: the same characters as escapeText become `\uXXXX`, which in valid JSON
 * can only stand inside strings, so the output is still the same JSON (a trajectory line stays one).
 */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Bytes as text: printable ASCII as is, every other byte as `\xNN` (binary is never echoed raw). */
export function escapeBytes(b: Uint8Array): string {
  let out = '';
  for (const byte of b) {
    if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += escapeChar(String.fromCharCode(byte));
  }
  return out;
}

/** Longest error message kept: a message quoting a huge input is cut, never echoed whole. */
export const MAX_ERROR_CHARS = 2000;

/** An error message as errors carry it: escaped (it quotes outside input) and bounded. */
export function errorText(message: string): string {
  const e = escapeText(message);
  return e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS)}… (cut)` : e;
}

/** Longest quoted excerpt of outside input in an error message. */
export const QUOTE_MAX_CHARS = 80;

/**
 * Outside input quoted for an error message: escaped, in single quotes, cut after `max`
 * characters with `…` and the full length so the reader knows it was cut.
 */
export function quoteInput(v: string | Uint8Array, max = QUOTE_MAX_CHARS): string {
  const length = v.length;
  const cut = length > max ? v.slice(0, max) : v;
  const text = typeof cut === 'string' ? escapeText(cut) : escapeBytes(cut);
  return length > max
    ? `'${text}…' (${length} ${typeof v === 'string' ? 'characters' : 'bytes'})`
    : `'${text}'`;
}
