/**
 * Schema combinators that turn the kernel's all-string JSON (tsem-model.md §1.2) into typed values,
 * naming the exact field path when a value is missing or malformed. The typed CELL of every hook is
 * inferred from its schema, so parsing and typing cannot drift apart.
 */

export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message);
  }
}

export interface SchemaContext {
  /** Digest size of the namespace hash: DIGEST fields must be 2·size hex characters (§2.9). */
  readonly digestSize: number;
  /** How strings map to raw bytes: `latin1` when the JSON text came as raw kernel bytes, `utf8`
   * when it came as a JavaScript object built by a source. */
  readonly encoding: 'latin1' | 'utf8';
}

export type Schema<T> = (value: unknown, path: string, ctx: SchemaContext) => T;
export type Infer<S> = S extends Schema<infer T> ? T : never;

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new FieldError(
      path,
      value === undefined ? 'missing' : `expected a string value, got ${typeof value}`
    );
  }
  return value;
}

/** strtol(s, 0): `0x` hex, leading `0` octal, else decimal; an optional sign (§1.2). */
export function parseInteger(s: string): bigint | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body[0] === '0') v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** Fast path for the common case: plain decimal with no sign or leading zero, up to 15 digits. */
function plainDecimal(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 15 || (s.charCodeAt(0) === 48 && n > 1)) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return v;
}

function integer(bits: number, value: unknown, path: string): bigint {
  const s = str(value, path);
  const v = parseInteger(s);
  if (v === undefined)
    throw new FieldError(path, `expected a decimal, 0octal or 0xhex integer, got '${s}'`);
  const max = 1n << BigInt(bits);
  // Negative values are C ints printed signed; they wrap into the unsigned field width.
  if (v >= max || v < -(max >> 1n))
    throw new FieldError(path, `value ${s} does not fit in ${bits} bits`);
  return BigInt.asUintN(bits, v);
}

function smallInteger(bits: 16 | 32): Schema<number> {
  const limit = 2 ** bits;
  return (v, p) => {
    if (typeof v === 'string') {
      const fast = plainDecimal(v);
      if (fast !== undefined && fast < limit) return fast;
    }
    return Number(integer(bits, v, p));
  };
}

export const u16: Schema<number> = smallInteger(16);
export const u32: Schema<number> = smallInteger(32);
export const u64: Schema<bigint> = (v, p) => {
  if (typeof v === 'string') {
    const fast = plainDecimal(v);
    if (fast !== undefined) return BigInt(fast);
  }
  return integer(64, v, p);
};
export const text: Schema<string> = (v, p) => str(v, p);

/** A string whose raw bytes are hashed (pathnames, names): JSON escapes are already undone. */
export const rawBytes: Schema<Buffer> = (v, p, ctx) => Buffer.from(str(v, p), ctx.encoding);

/** Lowercase/uppercase hex of exactly `n` bytes. */
export function hexBytes(n: number): Schema<Buffer> {
  return (v, p) => {
    const s = str(v, p);
    // Buffer.from stops at the first non-hex pair, so a short result means bad characters.
    const b = s.length === 2 * n ? Buffer.from(s, 'hex') : undefined;
    if (!b || b.length !== n) {
      // A whole digest of another size is a namespace fed by another hash: say so, not just "bad".
      const other =
        /^[0-9a-fA-F]+$/.test(s) && s.length !== 2 * n && [40, 56, 64, 96, 128].includes(s.length)
          ? ` (${s.length} hex characters: a ${s.length / 2}-byte digest; the namespace's digest is ${n} bytes, so the source hashes with another digest)`
          : '';
      throw new FieldError(
        p,
        `expected ${2 * n} hex characters, got '${s.length > 24 ? `${s.slice(0, 24)}…` : s}'${other}`
      );
    }
    return b;
  };
}

/** A DIGEST value sized by the namespace hash (§1.2, §2.9). */
export const digest: Schema<Buffer> = (v, p, ctx) => hexBytes(ctx.digestSize)(v, p, ctx);

/** Base64 bytes (inode_setxattr value). */
export const base64: Schema<Buffer> = (v, p) => {
  const s = str(v, p);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0)
    throw new FieldError(p, `expected base64, got '${s}'`);
  return Buffer.from(s, 'base64');
};

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = {
  [K in keyof S]: undefined extends Infer<S[K]> ? K : never;
}[keyof S];
export type ObjectOf<S extends Shape> = {
  readonly [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]>;
} & {
  readonly [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** An object with the given fields; unknown extra keys are ignored (newer kernels add fields). */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return (value, path, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FieldError(path, value === undefined ? 'missing' : 'expected an object');
    }
    const rec = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = shape[k]!(rec[k], path ? `${path}.${k}` : k, ctx);
      if (v !== undefined) out[k] = v;
    }
    return out as ObjectOf<S>;
  };
}

export function optional<T>(schema: Schema<T>): Schema<T | undefined> {
  return (v, p, ctx) => (v === undefined ? undefined : schema(v, p, ctx));
}

/** Exactly one of the named alternatives (e.g. the `addr` families). */
export function oneOf<S extends Shape>(
  shape: S
): Schema<{ [K in keyof S]: { kind: K; value: Infer<S[K]> } }[keyof S]> {
  const keys = Object.keys(shape);
  return (value, path, ctx) => {
    if (typeof value !== 'object' || value === null)
      throw new FieldError(path, value === undefined ? 'missing' : 'expected an object');
    const present = keys.filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    if (present.length !== 1)
      throw new FieldError(path, `expected exactly one of ${keys.join(', ')}`);
    const k = present[0]!;
    return {
      kind: k,
      value: shape[k]!((value as Record<string, unknown>)[k], `${path}.${k}`, ctx),
    } as never;
  };
}
