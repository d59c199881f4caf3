/**
 * JSON for documents whose meaning must be unambiguous (signed reports, identities files):
 * JSON.parse keeps the last of two equal keys, so `{"nonce": A, …, "nonce": B}` would show one
 * value to a reader and another to the code. This parses with JSON.parse and, only when that
 * succeeds, scans the text once for an object with a repeated key, naming its path.
 */

export class DuplicateKeyError extends SyntaxError {
  constructor(
    readonly key: string,
    readonly path: string
  ) {
    super(`duplicate key ${JSON.stringify(key)} in ${path || 'the top-level object'}`);
  }
}

/** Most nesting accepted; JSON.parse itself has no limit short of the stack. */
export const MAX_JSON_DEPTH = 64;

/** JSON.parse, then refuses repeated keys in any object and nesting deeper than MAX_JSON_DEPTH. */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  checkKeys(text);
  return value;
}

/** One pass over text JSON.parse accepted: objects' key sets on a stack. */
function checkKeys(text: string): void {
  const stack: { keys: Set<string> | undefined; path: string; key?: string }[] = [];
  let i = 0;
  let expectKey = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) throw new DuplicateKeyError(key, top.path);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= MAX_JSON_DEPTH)
        throw new SyntaxError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      const parent = stack.at(-1);
      const seg = parent === undefined ? '' : parent.keys ? `.${parent.key ?? ''}` : '[]';
      const path = parent === undefined ? '' : `${parent.path}${seg}`;
      stack.push({ keys: c === '{' ? new Set() : undefined, path });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack.at(-1)?.keys !== undefined;
    }
    i++;
  }
}
