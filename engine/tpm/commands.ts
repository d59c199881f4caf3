/**
 * Command builders and response parsers for the TPM2 commands this client uses (TPM 2.0 Library
 * Part 3). Pure: bytes in, bytes or structures out. The client sends them.
 */
import { TPM_CAP_PCRS, TPM_CC, TPM_ALG, TPM_SU_CLEAR } from './constants.js';
import {
  TpmWriter,
  akTemplateEcc,
  buildCommand,
  passwordAuth,
  type PcrSelection,
  writeDigestValues,
  writePcrSelectionList,
} from './marshal.js';
import {
  type EccPublic,
  TpmFormatError,
  TpmReader,
  readDigestList,
  readEccPublic,
  readPcrSelectionList,
  readSignature,
  type TpmSignature,
} from './unmarshal.js';

/** Part 3 §9.3 TPM2_Startup(TPM_SU_CLEAR). */
export function startupCommand(): Buffer {
  return buildCommand({
    code: TPM_CC.Startup,
    params: new TpmWriter().u16(TPM_SU_CLEAR).toBuffer(),
  });
}

/** Part 3 §30.2 TPM2_GetCapability(TPM_CAP_PCRS): the allocated banks. */
export function getPcrBanksCommand(): Buffer {
  return buildCommand({
    code: TPM_CC.GetCapability,
    params: new TpmWriter().u32(TPM_CAP_PCRS).u32(0).u32(1).toBuffer(),
  });
}

/** Response: moreData u8 || TPMS_CAPABILITY_DATA { capability u32 || TPML_PCR_SELECTION }. */
export function parsePcrBanks(r: TpmReader): PcrSelection[] {
  r.u8('moreData');
  const cap = r.u32('capability');
  if (cap !== TPM_CAP_PCRS)
    throw new TpmFormatError(`capability 0x${cap.toString(16)}, expected TPM_CAP_PCRS`);
  return readPcrSelectionList(r);
}

/** Part 3 §22.4 TPM2_PCR_Read. */
export function pcrReadCommand(selection: readonly PcrSelection[]): Buffer {
  return buildCommand({
    code: TPM_CC.PCR_Read,
    params: writePcrSelectionList(new TpmWriter(), selection).toBuffer(),
  });
}

export interface PcrReadResult {
  readonly updateCounter: number;
  /** What the TPM actually read: at most 8 PCRs per response. */
  readonly selection: PcrSelection[];
  readonly digests: Buffer[];
}

export function parsePcrRead(r: TpmReader): PcrReadResult {
  const updateCounter = r.u32('pcrUpdateCounter');
  const selection = readPcrSelectionList(r);
  const digests = readDigestList(r);
  const selected = selection.reduce((n, s) => n + s.pcrs.length, 0);
  if (selected !== digests.length)
    throw new TpmFormatError(
      `PCR_Read selected ${selected} PCRs but returned ${digests.length} digests`
    );
  return { updateCounter, selection, digests };
}

/** Part 3 §22.2 TPM2_PCR_Extend: PCR handle with a password session; one TPMT_HA per bank. */
export function pcrExtendCommand(
  pcr: number,
  digests: readonly { hashAlg: number; digest: Buffer }[]
): Buffer {
  return buildCommand({
    code: TPM_CC.PCR_Extend,
    handles: [pcr],
    sessions: [passwordAuth()],
    params: writeDigestValues(new TpmWriter(), digests).toBuffer(),
  });
}

/** Part 3 §16.1 TPM2_GetRandom. */
export function getRandomCommand(bytes: number): Buffer {
  return buildCommand({ code: TPM_CC.GetRandom, params: new TpmWriter().u16(bytes).toBuffer() });
}

export function parseGetRandom(r: TpmReader): Buffer {
  return Buffer.from(r.tpm2b('randomBytes'));
}

/**
 * Part 3 §24.1 TPM2_CreatePrimary of the attestation key under `hierarchy` (empty auth):
 * inSensitive (empty userAuth and data) || inPublic || outsideInfo || creationPCR (none).
 */
export function createPrimaryAkCommand(hierarchy: number): Buffer {
  const params = new TpmWriter()
    .tpm2b(new TpmWriter().tpm2b(Buffer.alloc(0)).tpm2b(Buffer.alloc(0)).toBuffer())
    .tpm2b(akTemplateEcc())
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

export interface CreatedKey {
  readonly handle: number;
  readonly publicArea: EccPublic;
  /** The Name the TPM reports: nameAlg || H(TPMT_PUBLIC). */
  readonly name: Buffer;
}

/** Response: handle, then (after parameterSize) outPublic, creationData, creationHash, ticket, name. */
export function parseCreatePrimary(handle: number, r: TpmReader): CreatedKey {
  const pub = r.tpm2b('outPublic');
  const publicArea = readEccPublic(new TpmReader(Buffer.from(pub)));
  r.tpm2b('creationData');
  r.tpm2b('creationHash');
  r.u16('creationTicket tag');
  r.u32('creationTicket hierarchy');
  r.tpm2b('creationTicket digest');
  return { handle, publicArea, name: Buffer.from(r.tpm2b('name')) };
}

/** Part 3 §18.4 TPM2_Quote with the key's own scheme (inScheme TPM_ALG_NULL). */
export function quoteCommand(
  keyHandle: number,
  qualifyingData: Buffer,
  selection: readonly PcrSelection[]
): Buffer {
  const w = new TpmWriter().tpm2b(qualifyingData).u16(TPM_ALG.NULL);
  writePcrSelectionList(w, selection);
  return buildCommand({
    code: TPM_CC.Quote,
    handles: [keyHandle],
    sessions: [passwordAuth()],
    params: w.toBuffer(),
  });
}

export interface QuoteResponse {
  /** TPM2B_ATTEST payload: the signed TPMS_ATTEST bytes. */
  readonly attest: Buffer;
  readonly signature: TpmSignature;
}

export function parseQuote(r: TpmReader): QuoteResponse {
  const attest = Buffer.from(r.tpm2b('quoted'));
  return { attest, signature: readSignature(r) };
}

/** Part 3 §28.4 TPM2_FlushContext: the handle is a parameter, not a handle. */
export function flushContextCommand(handle: number): Buffer {
  return buildCommand({
    code: TPM_CC.FlushContext,
    params: new TpmWriter().u32(handle).toBuffer(),
  });
}
