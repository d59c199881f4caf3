/**
 * Marshalling of TPM 2.0 structures (TPM 2.0 Library Part 2; all integers big-endian, TPM2B_* is a
 * u16 size followed by that many bytes) and of command frames (Part 1 §18, Part 3 "Command and
 * Response Formats"). Pure: builds bytes, does no I/O.
 */
import {
  PCR_COUNT,
  PCR_SELECT_BYTES,
  TPM_ALG,
  TPM_ECC_NIST_P256,
  TPM_RH,
  TPM_ST,
} from './constants.js';

/** A growable big-endian writer. */
export class TpmWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  u8(v: number): this {
    return this.push(Buffer.of(v & 0xff));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    return this.push(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    return this.push(b);
  }
  bytes(b: Uint8Array): this {
    return this.push(Buffer.from(b));
  }
  /** TPM2B_*: u16 size || bytes. */
  tpm2b(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError(`TPM2B payload of ${b.length} bytes exceeds 65535`);
    return this.u16(b.length).bytes(b);
  }
  get size(): number {
    return this.length;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

export interface PcrSelection {
  /** TPM_ALG_ID of the bank. */
  readonly hashAlg: number;
  /** PCR indices, 0-23. */
  readonly pcrs: readonly number[];
}

/** TPMS_PCR_SELECTION bitmap (Part 2 §10.6.2): bit j of byte i selects PCR 8i+j. */
export function pcrBitmap(pcrs: readonly number[]): Buffer {
  const map = Buffer.alloc(PCR_SELECT_BYTES);
  for (const p of pcrs) {
    if (!Number.isInteger(p) || p < 0 || p >= PCR_COUNT)
      throw new RangeError(`PCR index ${p} is outside 0-${PCR_COUNT - 1}`);
    map[p >> 3]! |= 1 << (p & 7);
  }
  return map;
}

/** TPML_PCR_SELECTION (Part 2 §10.9.7): u32 count, then hash || sizeofSelect || pcrSelect. */
export function writePcrSelectionList(w: TpmWriter, list: readonly PcrSelection[]): TpmWriter {
  w.u32(list.length);
  for (const s of list) w.u16(s.hashAlg).u8(PCR_SELECT_BYTES).bytes(pcrBitmap(s.pcrs));
  return w;
}

/** TPMS_AUTH_COMMAND for the password session with an empty password (Part 1 §19.8.4). */
export function passwordAuth(password: Uint8Array = Buffer.alloc(0)): Buffer {
  return new TpmWriter().u32(TPM_RH.RS_PW).tpm2b(Buffer.alloc(0)).u8(0).tpm2b(password).toBuffer();
}

export interface CommandFrame {
  readonly code: number;
  readonly handles?: readonly number[];
  /** TPMS_AUTH_COMMAND entries; when present the tag is TPM_ST_SESSIONS. */
  readonly sessions?: readonly Buffer[];
  readonly params?: Buffer;
}

/**
 * A command (Part 1 §18.2): tag u16 || commandSize u32 || commandCode u32 || handles ||
 * [authorizationSize u32 || sessions] || parameters.
 */
export function buildCommand(f: CommandFrame): Buffer {
  const withSessions = (f.sessions?.length ?? 0) > 0;
  const body = new TpmWriter();
  for (const h of f.handles ?? []) body.u32(h);
  if (withSessions) {
    const auth = Buffer.concat(f.sessions!);
    body.u32(auth.length).bytes(auth);
  }
  if (f.params) body.bytes(f.params);
  const payload = body.toBuffer();
  return new TpmWriter()
    .u16(withSessions ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS)
    .u32(10 + payload.length)
    .u32(f.code)
    .bytes(payload)
    .toBuffer();
}

/** Object attributes (Part 2 §8.3.2) of a restricted signing attestation key. */
export const AK_ATTRIBUTES =
  (1 << 1) | // fixedTPM
  (1 << 4) | // fixedParent
  (1 << 5) | // sensitiveDataOrigin
  (1 << 6) | // userWithAuth
  (1 << 16) | // restricted
  (1 << 18); // sign

/**
 * TPMT_PUBLIC template (Part 2 §12.2.4) of the attestation key: ECC NIST P-256, ECDSA with
 * SHA-256, nameAlg SHA-256, no symmetric algorithm, no KDF, empty unique (the TPM fills it in).
 */
export function akTemplateEcc(): Buffer {
  return new TpmWriter()
    .u16(TPM_ALG.ECC)
    .u16(TPM_ALG.SHA256)
    .u32(AK_ATTRIBUTES)
    .tpm2b(Buffer.alloc(0)) // authPolicy
    .u16(TPM_ALG.NULL) // symmetric
    .u16(TPM_ALG.ECDSA)
    .u16(TPM_ALG.SHA256) // scheme details
    .u16(TPM_ECC_NIST_P256)
    .u16(TPM_ALG.NULL) // kdf
    .tpm2b(Buffer.alloc(0)) // unique.x
    .tpm2b(Buffer.alloc(0)) // unique.y
    .toBuffer();
}

/** TPML_DIGEST_VALUES (Part 2 §10.9.6) with one TPMT_HA per bank. */
export function writeDigestValues(
  w: TpmWriter,
  digests: readonly { hashAlg: number; digest: Buffer }[]
): TpmWriter {
  w.u32(digests.length);
  for (const d of digests) w.u16(d.hashAlg).bytes(d.digest);
  return w;
}
