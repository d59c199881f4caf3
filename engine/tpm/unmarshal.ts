/**
 * Unmarshalling of TPM 2.0 response structures (TPM 2.0 Library Part 2). Pure. Every read is
 * bounds-checked: a short or malformed response throws TpmFormatError naming the field.
 */
import { EngineError } from '../../common/errors.js';
import { TPM_ALG, TPM_ST } from './constants.js';
import type { PcrSelection } from './marshal.js';

export class TpmFormatError extends EngineError {
  constructor(message: string) {
    super('TSEM_PARSE', `malformed TPM data: ${message}`);
  }
}

export class TpmReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private take(n: number, what: string): Buffer {
    if (this.pos + n > this.buf.length) {
      throw new TpmFormatError(
        `${what}: needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} left`
      );
    }
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  u8(what: string): number {
    return this.take(1, what)[0]!;
  }
  u16(what: string): number {
    return this.take(2, what).readUInt16BE();
  }
  u32(what: string): number {
    return this.take(4, what).readUInt32BE();
  }
  u64(what: string): bigint {
    return this.take(8, what).readBigUInt64BE();
  }
  bytes(n: number, what: string): Buffer {
    return this.take(n, what);
  }
  tpm2b(what: string): Buffer {
    return this.take(this.u16(`${what} size`), what);
  }
  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  /** Everything consumed since `start`, for hashing a structure as it was marshalled. */
  since(start: number): Buffer {
    return this.buf.subarray(start, this.pos);
  }
}

export interface ResponseHeader {
  readonly tag: number;
  readonly size: number;
  readonly rc: number;
}

/** Response header (Part 1 §18.3): tag u16 || responseSize u32 || responseCode u32. */
export function readResponseHeader(buf: Buffer): ResponseHeader {
  const r = new TpmReader(buf);
  const tag = r.u16('response tag');
  const size = r.u32('responseSize');
  const rc = r.u32('responseCode');
  if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS) {
    throw new TpmFormatError(
      `response tag 0x${tag.toString(16)}, expected TPM_ST_NO_SESSIONS or TPM_ST_SESSIONS`
    );
  }
  if (size !== buf.length)
    throw new TpmFormatError(`responseSize says ${size} bytes, got ${buf.length}`);
  return { tag, size, rc };
}

/** TPML_PCR_SELECTION (Part 2 §10.9.7). */
export function readPcrSelectionList(r: TpmReader): PcrSelection[] {
  const count = r.u32('TPML_PCR_SELECTION count');
  if (count > 16) throw new TpmFormatError(`TPML_PCR_SELECTION count ${count} exceeds 16 banks`);
  const out: PcrSelection[] = [];
  for (let i = 0; i < count; i++) {
    const hashAlg = r.u16('TPMS_PCR_SELECTION hash');
    const map = r.bytes(r.u8('sizeofSelect'), 'pcrSelect');
    const pcrs: number[] = [];
    for (let p = 0; p < map.length * 8; p++) if (map[p >> 3]! & (1 << (p & 7))) pcrs.push(p);
    out.push({ hashAlg, pcrs });
  }
  return out;
}

/** TPML_DIGEST (Part 2 §10.9.2). */
export function readDigestList(r: TpmReader): Buffer[] {
  const count = r.u32('TPML_DIGEST count');
  if (count > 8) throw new TpmFormatError(`TPML_DIGEST count ${count} exceeds 8`);
  return Array.from({ length: count }, (_, i) => Buffer.from(r.tpm2b(`digest ${i}`)));
}

export interface EccPublic {
  readonly nameAlg: number;
  readonly attributes: number;
  readonly curve: number;
  readonly scheme: number;
  readonly schemeHash: number;
  readonly x: Buffer;
  readonly y: Buffer;
  /** The TPMT_PUBLIC as marshalled: its hash gives the object's Name. */
  readonly bytes: Buffer;
}

function readScheme(r: TpmReader, what: string): [number, number] {
  const scheme = r.u16(what);
  return [scheme, scheme === TPM_ALG.NULL ? TPM_ALG.NULL : r.u16(`${what} hashAlg`)];
}

/** TPMT_PUBLIC (Part 2 §12.2.4) of an ECC key; other key types are refused by name. */
export function readEccPublic(r: TpmReader): EccPublic {
  const start = r.offset;
  const type = r.u16('TPMT_PUBLIC type');
  if (type !== TPM_ALG.ECC)
    throw new TpmFormatError(
      `public area type 0x${type.toString(16)}, expected TPM_ALG_ECC (0x23)`
    );
  const nameAlg = r.u16('nameAlg');
  const attributes = r.u32('objectAttributes');
  r.tpm2b('authPolicy');
  const sym = r.u16('symmetric algorithm');
  if (sym !== TPM_ALG.NULL) {
    r.u16('symmetric keyBits');
    r.u16('symmetric mode');
  }
  const [scheme, schemeHash] = readScheme(r, 'ECC scheme');
  const curve = r.u16('curveID');
  readScheme(r, 'KDF scheme');
  const x = Buffer.from(r.tpm2b('unique.x'));
  const y = Buffer.from(r.tpm2b('unique.y'));
  return {
    nameAlg,
    attributes,
    curve,
    scheme,
    schemeHash,
    x,
    y,
    bytes: Buffer.from(r.since(start)),
  };
}

export interface Attest {
  readonly magic: number;
  readonly type: number;
  readonly qualifiedSigner: Buffer;
  readonly extraData: Buffer;
  readonly clock: bigint;
  readonly resetCount: number;
  readonly restartCount: number;
  readonly safe: boolean;
  readonly firmwareVersion: bigint;
  readonly pcrSelect: PcrSelection[];
  readonly pcrDigest: Buffer;
}

/** TPMS_ATTEST with TPMS_QUOTE_INFO (Part 2 §10.12.8, §10.12.4). */
export function readQuoteAttest(buf: Buffer): Attest {
  const r = new TpmReader(buf);
  const magic = r.u32('TPMS_ATTEST magic');
  const type = r.u16('TPMS_ATTEST type');
  if (type !== TPM_ST.ATTEST_QUOTE)
    throw new TpmFormatError(
      `TPMS_ATTEST type 0x${type.toString(16)}, expected TPM_ST_ATTEST_QUOTE (0x8018)`
    );
  const qualifiedSigner = Buffer.from(r.tpm2b('qualifiedSigner'));
  const extraData = Buffer.from(r.tpm2b('extraData'));
  const clock = r.u64('clockInfo.clock');
  const resetCount = r.u32('clockInfo.resetCount');
  const restartCount = r.u32('clockInfo.restartCount');
  const safe = r.u8('clockInfo.safe') === 1;
  const firmwareVersion = r.u64('firmwareVersion');
  const pcrSelect = readPcrSelectionList(r);
  const pcrDigest = Buffer.from(r.tpm2b('pcrDigest'));
  if (r.remaining !== 0)
    throw new TpmFormatError(`${r.remaining} trailing bytes after TPMS_QUOTE_INFO`);
  return {
    magic,
    type,
    qualifiedSigner,
    extraData,
    clock,
    resetCount,
    restartCount,
    safe,
    firmwareVersion,
    pcrSelect,
    pcrDigest,
  };
}

export interface TpmSignature {
  readonly sigAlg: number;
  readonly hashAlg: number;
  /** ECDSA r and s (unpadded as the TPM sent them). */
  readonly r: Buffer;
  readonly s: Buffer;
}

/** TPMT_SIGNATURE (Part 2 §11.3.4); only ECDSA is accepted (our AK is ECC). */
export function readSignature(r: TpmReader): TpmSignature {
  const sigAlg = r.u16('TPMT_SIGNATURE sigAlg');
  if (sigAlg !== TPM_ALG.ECDSA)
    throw new TpmFormatError(
      `signature algorithm 0x${sigAlg.toString(16)}, expected TPM_ALG_ECDSA (0x18)`
    );
  const hashAlg = r.u16('signature hash');
  return {
    sigAlg,
    hashAlg,
    r: Buffer.from(r.tpm2b('signatureR')),
    s: Buffer.from(r.tpm2b('signatureS')),
  };
}

export interface RsaPublic {
  readonly nameAlg: number;
  readonly attributes: number;
  readonly authPolicy: Buffer;
  readonly symmetric: number;
  readonly keyBits: number;
  /** 0 means the default, 65537. */
  readonly exponent: number;
  readonly modulus: Buffer;
  /** The TPMT_PUBLIC as marshalled. */
  readonly bytes: Buffer;
}

/** TPMT_PUBLIC (Part 2 §12.2.4) of an RSA key, such as the endorsement key. */
export function readRsaPublic(r: TpmReader): RsaPublic {
  const start = r.offset;
  const type = r.u16('TPMT_PUBLIC type');
  if (type !== TPM_ALG.RSA)
    throw new TpmFormatError(`public area type 0x${type.toString(16)}, expected TPM_ALG_RSA (0x1)`);
  const nameAlg = r.u16('nameAlg');
  const attributes = r.u32('objectAttributes');
  const authPolicy = Buffer.from(r.tpm2b('authPolicy'));
  const symmetric = r.u16('symmetric algorithm');
  if (symmetric !== TPM_ALG.NULL) {
    r.u16('symmetric keyBits');
    r.u16('symmetric mode');
  }
  readScheme(r, 'RSA scheme');
  const keyBits = r.u16('keyBits');
  const exponent = r.u32('exponent');
  const modulus = Buffer.from(r.tpm2b('unique.rsa'));
  return {
    nameAlg,
    attributes,
    authPolicy,
    symmetric,
    keyBits,
    exponent,
    modulus,
    bytes: Buffer.from(r.since(start)),
  };
}
