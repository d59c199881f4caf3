/**
 * Kernel JSON as kernels write it. TSEM prints pathnames and `comm` into its JSON strings without
 * escaping control characters (only `"` is escaped, tsem-model.md §1.5), so a file named with a raw
 * 0x01 or ESC byte makes a line strict JSON refuses. Such a line is still the kernel's event: this
 * repairs it into strict JSON whose strings decode to the very same bytes, so the CELL hashes the
 * raw pathname. Inside strings a raw control byte becomes `\u00XX` and a backslash that starts no
 * JSON escape stands for itself; nothing outside strings is touched, so what is not JSON even
 * leniently still fails to parse.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HEX = '0123456789abcdef';

/** Characters that may follow a backslash in strict JSON. */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/** Whether a backslash at `i` starts a strict JSON escape. */
function validEscape(b: Uint8Array, i: number): boolean {
  const c = b[i + 1];
  if (c === undefined) return false;
  if (ESCAPES.has(c)) return true;
  return c === 0x75 && isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]);
}

/**
 * The line as strict JSON, or undefined when it needs no repair (the common case: one scan, no
 * copy). Works on bytes, so UTF-8 and invalid UTF-8 pass through untouched.
 */
export function repairKernelJson(line: Uint8Array): Buffer | undefined {
  let inString = false;
  let from = 0;
  const parts: Buffer[] = [];
  const src = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  const flush = (to: number, extra: string) => {
    parts.push(src.subarray(from, to), Buffer.from(extra, 'latin1'));
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (!inString) {
      if (c === QUOTE) inString = true;
      continue;
    }
    if (c === QUOTE) inString = false;
    else if (c === BACKSLASH) {
      if (validEscape(src, i)) i++;
      else {
        flush(i, '\\\\');
        from = i + 1;
      }
    } else if (c < 0x20) {
      flush(i, `\\u00${HEX[c >> 4]}${HEX[c & 15]}`);
      from = i + 1;
    }
  }
  if (parts.length === 0) return undefined;
  parts.push(src.subarray(from));
  return Buffer.concat(parts);
}
