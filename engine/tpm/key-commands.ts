/**
 * Commands for the keys that certify reports (docs/attestation.md §2; TPM 2.0 Library Part 3):
 * ReadPublic and EvictControl for the persistent attestation key, CreatePrimary of the TCG
 * endorsement key, NV_ReadPublic/NV_Read for its certificate, and a policy session with
 * PolicySecret for ActivateCredential. Pure: bytes in, bytes or structures out.
 */
import { TPM_ALG, TPM_CC, TPM_RH, TPM_SE_POLICY } from './constants.js';
import { TpmWriter, buildCommand, passwordAuth } from './marshal.js';
import { TpmFormatError, TpmReader } from './unmarshal.js';

/** Object attributes (Part 2 §8.3.2) of the TCG EK: fixedTPM, fixedParent, sensitiveDataOrigin,
 * adminWithPolicy, restricted, decrypt. */
export const EK_ATTRIBUTES = (1 << 1) | (1 << 4) | (1 << 5) | (1 << 7) | (1 << 16) | (1 << 17);
/** PolicySecret(TPM_RH_ENDORSEMENT): the EK's authPolicy (TCG EK Credential Profile, template L-1). */
export const EK_AUTH_POLICY = Buffer.from(
  '837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa',
  'hex'
);
/** The TCG EK Credential Profile's handles: the RSA 2048 EK and its certificate's NV index. */
export const EK_RSA_HANDLE = 0x81010001;
export const EK_RSA_CERT_NV_INDEX = 0x01c00002;

/**
 * TPMT_PUBLIC of the RSA 2048 EK (TCG EK Credential Profile, template L-1): SHA-256 name, AES-128
 * CFB for the storage parent, no scheme, exponent 65537 (0), 256 zero bytes of unique.
 */
export function ekTemplateRsa(): Buffer {
  return new TpmWriter()
    .u16(TPM_ALG.RSA)
    .u16(TPM_ALG.SHA256)
    .u32(EK_ATTRIBUTES)
    .tpm2b(EK_AUTH_POLICY)
    .u16(TPM_ALG.AES)
    .u16(128)
    .u16(TPM_ALG.CFB)
    .u16(TPM_ALG.NULL) // scheme
    .u16(2048)
    .u32(0) // exponent: the default 65537
    .tpm2b(Buffer.alloc(256))
    .toBuffer();
}

/** Part 3 §24.1 TPM2_CreatePrimary of `template` under `hierarchy` with empty auth and data. */
export function createPrimaryCommand(hierarchy: number, template: Buffer): Buffer {
  const params = new TpmWriter()
    .tpm2b(new TpmWriter().tpm2b(Buffer.alloc(0)).tpm2b(Buffer.alloc(0)).toBuffer())
    .tpm2b(template)
    .tpm2b(Buffer.alloc(0))
    .u32(0)
    .toBuffer();
  return buildCommand({
    code: TPM_CC.CreatePrimary,
    handles: [hierarchy],
    sessions: [passwordAuth()],
    params,
  });
}

/** Part 3 §12.4 TPM2_ReadPublic. */
export function readPublicCommand(handle: number): Buffer {
  return buildCommand({ code: TPM_CC.ReadPublic, handles: [handle] });
}

export interface ReadPublicResult {
  /** The TPMT_PUBLIC bytes (TPM2B_PUBLIC contents). */
  readonly publicArea: Buffer;
  readonly name: Buffer;
  readonly qualifiedName: Buffer;
}

export function parseReadPublic(r: TpmReader): ReadPublicResult {
  const publicArea = Buffer.from(r.tpm2b('outPublic'));
  const name = Buffer.from(r.tpm2b('name'));
  const qualifiedName = Buffer.from(r.tpm2b('qualifiedName'));
  return { publicArea, name, qualifiedName };
}

/**
 * Part 3 §28.5 TPM2_EvictControl: makes the loaded `object` persistent at `persistent`
 * (owner authorization, empty password), or evicts a persistent object when both are the same.
 */
export function evictControlCommand(object: number, persistent: number): Buffer {
  return buildCommand({
    code: TPM_CC.EvictControl,
    handles: [TPM_RH.OWNER, object],
    sessions: [passwordAuth()],
    params: new TpmWriter().u32(persistent).toBuffer(),
  });
}

/** Part 3 §31.6 TPM2_NV_ReadPublic. */
export function nvReadPublicCommand(index: number): Buffer {
  return buildCommand({ code: TPM_CC.NV_ReadPublic, handles: [index] });
}

/** The size of an NV index's data (TPMS_NV_PUBLIC.dataSize). */
export function parseNvReadPublic(r: TpmReader): { readonly dataSize: number } {
  const pub = new TpmReader(Buffer.from(r.tpm2b('nvPublic')));
  pub.u32('nvIndex');
  pub.u16('nameAlg');
  pub.u32('attributes');
  pub.tpm2b('authPolicy');
  return { dataSize: pub.u16('dataSize') };
}

/** Part 3 §31.13 TPM2_NV_Read of `size` bytes at `offset`, authorized by `authHandle` (empty auth). */
export function nvReadCommand(
  authHandle: number,
  index: number,
  size: number,
  offset: number
): Buffer {
  return buildCommand({
    code: TPM_CC.NV_Read,
    handles: [authHandle, index],
    sessions: [passwordAuth()],
    params: new TpmWriter().u16(size).u16(offset).toBuffer(),
  });
}

export function parseNvRead(r: TpmReader): Buffer {
  return Buffer.from(r.tpm2b('data'));
}

/**
 * Part 3 §11.1 TPM2_StartAuthSession: an unbound, unsalted policy session with SHA-256, no
 * parameter encryption. `nonceCaller` must be 16 to 32 bytes.
 */
export function startPolicySessionCommand(nonceCaller: Buffer): Buffer {
  return buildCommand({
    code: TPM_CC.StartAuthSession,
    handles: [TPM_RH.NULL, TPM_RH.NULL],
    params: new TpmWriter()
      .tpm2b(nonceCaller)
      .tpm2b(Buffer.alloc(0)) // encryptedSalt
      .u8(TPM_SE_POLICY)
      .u16(TPM_ALG.NULL) // symmetric
      .u16(TPM_ALG.SHA256)
      .toBuffer(),
  });
}

/** Part 3 §23.4 TPM2_PolicySecret: `authHandle`'s (empty) password satisfies the policy session. */
export function policySecretCommand(authHandle: number, session: number): Buffer {
  return buildCommand({
    code: TPM_CC.PolicySecret,
    handles: [authHandle, session],
    sessions: [passwordAuth()],
    params: new TpmWriter()
      .tpm2b(Buffer.alloc(0)) // nonceTPM
      .tpm2b(Buffer.alloc(0)) // cpHashA
      .tpm2b(Buffer.alloc(0)) // policyRef
      .u32(0) // expiration
      .toBuffer(),
  });
}

/** TPMS_AUTH_COMMAND for a policy session (no HMAC: no PolicyAuthValue was used); not continued. */
function policyAuth(session: number): Buffer {
  return new TpmWriter()
    .u32(session)
    .tpm2b(Buffer.alloc(0))
    .u8(0)
    .tpm2b(Buffer.alloc(0))
    .toBuffer();
}

/**
 * Part 3 §12.5 TPM2_ActivateCredential: `activate` (the AK, password) and `key` (the EK, through
 * the policy session) recover the credential MakeCredential wrapped for the AK's Name.
 */
export function activateCredentialCommand(
  activate: number,
  key: number,
  session: number,
  credentialBlob: Buffer,
  encryptedSecret: Buffer
): Buffer {
  return buildCommand({
    code: TPM_CC.ActivateCredential,
    handles: [activate, key],
    sessions: [passwordAuth(), policyAuth(session)],
    params: new TpmWriter().tpm2b(credentialBlob).tpm2b(encryptedSecret).toBuffer(),
  });
}

export function parseActivateCredential(r: TpmReader): Buffer {
  return Buffer.from(r.tpm2b('certInfo'));
}

/** TPMT_PUBLIC's type (its first field), to tell RSA from ECC objects. */
export function publicType(publicArea: Buffer): number {
  if (publicArea.length < 2) throw new TpmFormatError('TPMT_PUBLIC shorter than its type field');
  return publicArea.readUInt16BE(0);
}
