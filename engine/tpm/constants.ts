/**
 * TPM 2.0 constants used by this client (TPM 2.0 Library Part 2, "Structures": §6 constants,
 * §6.3 TPM_ALG_ID, §6.5 TPM_CC, §6.9 TPM_ST, §7.4 TPM_RH/TPM_RS). Only what we send or parse.
 */

/** §6.9 TPM_ST: command/response tags and attestation structure types. */
export const TPM_ST = {
  NO_SESSIONS: 0x8001,
  SESSIONS: 0x8002,
  ATTEST_QUOTE: 0x8018,
} as const;

/** §6.5.2 TPM_CC: command codes. */
export const TPM_CC = {
  EvictControl: 0x0120,
  CreatePrimary: 0x0131,
  ActivateCredential: 0x0147,
  NV_Read: 0x014e,
  PolicySecret: 0x0151,
  Startup: 0x0144,
  Quote: 0x0158,
  FlushContext: 0x0165,
  GetCapability: 0x017a,
  GetRandom: 0x017b,
  NV_ReadPublic: 0x0169,
  ReadPublic: 0x0173,
  StartAuthSession: 0x0176,
  PCR_Read: 0x017e,
  PCR_Extend: 0x0182,
} as const;

/** §6.3 TPM_ALG_ID (the subset we use). */
export const TPM_ALG = {
  RSA: 0x0001,
  SHA1: 0x0004,
  AES: 0x0006,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  NULL: 0x0010,
  SM3_256: 0x0012,
  RSASSA: 0x0014,
  ECDSA: 0x0018,
  ECC: 0x0023,
  SHA3_256: 0x0027,
  SHA3_384: 0x0028,
  SHA3_512: 0x0029,
  CFB: 0x0043,
} as const;

/** §7.4 permanent handles. */
export const TPM_RH = {
  OWNER: 0x40000001,
  NULL: 0x40000007,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
  /** TPM_RS_PW: the password authorization session. */
  RS_PW: 0x40000009,
} as const;

/** §6.14 TPM_SE_POLICY: a policy session (StartAuthSession sessionType). */
export const TPM_SE_POLICY = 0x01;
/** TPM_RC_HANDLE (§6.6.3, format 1): the handle does not refer to an object, e.g. an empty persistent handle. */
export const TPM_RC_HANDLE = 0x08b;

/** §6.12 TPM_CAP_PCRS: GetCapability of the allocated PCR banks. */
export const TPM_CAP_PCRS = 0x00000005;
/** §6.2 TPM_GENERATED_VALUE: "\xffTCG", the magic of every TPMS_ATTEST the TPM produces. */
export const TPM_GENERATED_VALUE = 0xff544347;
/** §6.4 TPM_ECC_CURVE NIST P-256. */
export const TPM_ECC_NIST_P256 = 0x0003;
/** §6.5 TPM_SU_CLEAR for Startup. */
export const TPM_SU_CLEAR = 0x0000;
/** Number of PCRs per bank in a PC-client TPM; the selection bitmap is 3 bytes. */
export const PCR_COUNT = 24;
export const PCR_SELECT_BYTES = 3;

export interface HashAlgInfo {
  readonly alg: number;
  /** node:crypto name. */
  readonly name: string;
  readonly size: number;
}

const HASHES: readonly HashAlgInfo[] = [
  { alg: TPM_ALG.SHA1, name: 'sha1', size: 20 },
  { alg: TPM_ALG.SHA256, name: 'sha256', size: 32 },
  { alg: TPM_ALG.SHA384, name: 'sha384', size: 48 },
  { alg: TPM_ALG.SHA512, name: 'sha512', size: 64 },
  { alg: TPM_ALG.SM3_256, name: 'sm3', size: 32 },
  { alg: TPM_ALG.SHA3_256, name: 'sha3-256', size: 32 },
  { alg: TPM_ALG.SHA3_384, name: 'sha3-384', size: 48 },
  { alg: TPM_ALG.SHA3_512, name: 'sha3-512', size: 64 },
];

/** The hash behind a TPM_ALG_ID, or undefined for one we do not know. */
export function hashByAlg(alg: number): HashAlgInfo | undefined {
  return HASHES.find((h) => h.alg === alg);
}

/** The hash for a bank name such as `sha256`, or undefined. */
export function hashByName(name: string): HashAlgInfo | undefined {
  const key = name.toLowerCase();
  return HASHES.find((h) => h.name === key);
}

export const HASH_NAMES: readonly string[] = HASHES.map((h) => h.name);
