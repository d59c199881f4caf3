/**
 * ECDSA verification over a prehashed digest. IMA signs the file digest itself (ima.md §4.1
 * "Signature bytes"), and node:crypto only verifies ECDSA over data it hashes, so the curve
 * arithmetic is done here with BigInt (Jacobian coordinates, Shamir's trick).
 */

interface Curve {
  readonly p: bigint;
  readonly a: bigint;
  readonly n: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
}

/** SEC 2 / FIPS 186-4 domain parameters, keyed by the JWK `crv` names Node exports. */
const CURVES: Readonly<Record<string, Curve>> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  secp256k1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
    gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
  },
};

type Jac = [bigint, bigint, bigint];
const INF: Jac = [0n, 1n, 0n];

function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

function inv(x: bigint, m: bigint): bigint {
  let [a, b, u, v] = [mod(x, m), m, 1n, 0n];
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  return mod(v, m);
}

function dbl([x, y, z]: Jac, c: Curve): Jac {
  if (z === 0n || y === 0n) return INF;
  const p = c.p;
  const yy = (y * y) % p;
  const s = (4n * x * yy) % p;
  const z2 = (z * z) % p;
  const m = mod(3n * x * x + c.a * z2 * z2, p);
  const x3 = mod(m * m - 2n * s, p);
  return [x3, mod(m * (s - x3) - 8n * yy * yy, p), (2n * y * z) % p];
}

function add(P: Jac, Q: Jac, c: Curve): Jac {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const p = c.p;
  const z1s = (P[2] * P[2]) % p,
    z2s = (Q[2] * Q[2]) % p;
  const u1 = (P[0] * z2s) % p,
    u2 = (Q[0] * z1s) % p;
  const s1 = (P[1] * z2s * Q[2]) % p,
    s2 = (Q[1] * z1s * P[2]) % p;
  if (u1 === u2) return s1 === s2 ? dbl(P, c) : INF;
  const h = mod(u2 - u1, p),
    r = mod(s2 - s1, p);
  const hh = (h * h) % p,
    hhh = (hh * h) % p;
  const x3 = mod(r * r - hhh - 2n * u1 * hh, p);
  return [x3, mod(r * (u1 * hh - x3) - s1 * hhh, p), (h * P[2] * Q[2]) % p];
}

function toBig(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
}

/** Reads DER SEQUENCE { INTEGER r, INTEGER s }; undefined when malformed. */
function parseDerSig(sig: Uint8Array): [bigint, bigint] | undefined {
  const b = Buffer.from(sig);
  let o = 0;
  const len = (): number | undefined => {
    const first = b[o++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n > 2) return undefined;
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 8) | (b[o++] ?? 0);
    return v;
  };
  if (b[o++] !== 0x30 || len() === undefined) return undefined;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (b[o++] !== 0x02) return undefined;
    const l = len();
    if (l === undefined || o + l > b.length) return undefined;
    ints.push(toBig(b.subarray(o, o + l)));
    o += l;
  }
  return [ints[0]!, ints[1]!];
}

/** True when `curveName` is one this module can verify on. */
export function isSupportedCurve(curveName: string): boolean {
  return CURVES[curveName] !== undefined;
}

/** ECDSA verify of DER `sig` over `digest` for public point (x, y) on `curveName` (SEC 1 §4.1.4). */
export function ecdsaVerifyPrehashed(
  curveName: string,
  x: Uint8Array,
  y: Uint8Array,
  digest: Uint8Array,
  sig: Uint8Array
): boolean {
  const c = CURVES[curveName];
  const rs = parseDerSig(sig);
  if (!c || !rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const nBits = c.n.toString(2).length;
  let e = toBig(digest);
  if (digest.length * 8 > nBits) e >>= BigInt(digest.length * 8 - nBits);
  const w = inv(s, c.n);
  const u1 = mod(e * w, c.n),
    u2 = mod(r * w, c.n);
  const G: Jac = [c.gx, c.gy, 1n];
  const Q: Jac = [toBig(x), toBig(y), 1n];
  const GQ = add(G, Q, c);
  let R: Jac = INF;
  for (let i = Math.max(u1.toString(2).length, u2.toString(2).length) - 1; i >= 0; i--) {
    R = dbl(R, c);
    const b1 = (u1 >> BigInt(i)) & 1n,
      b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) R = add(R, GQ, c);
    else if (b1) R = add(R, G, c);
    else if (b2) R = add(R, Q, c);
  }
  if (R[2] === 0n) return false;
  const zi = inv(R[2], c.p);
  const ax = (R[0] * zi * zi) % c.p;
  return mod(ax, c.n) === r;
}
