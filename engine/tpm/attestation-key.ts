/**
 * The attestation key, created once and kept in the TPM at a persistent handle
 * (docs/attestation.md §2): a restricted ECC P-256 signing primary of the endorsement hierarchy,
 * made persistent with TPM2_EvictControl. At every start the handle is read back: an AK there is
 * used as it is, an empty handle gets a new one, anything else there is left alone and refused.
 */
import { EngineError, errorMessage } from '../../common/errors.js';
import type { AttestationKey, TpmClient } from './client.js';
import { TPM_ALG, TPM_ECC_NIST_P256 } from './constants.js';
import { AK_ATTRIBUTES } from './marshal.js';
import { type EccPublic, TpmReader, readEccPublic } from './unmarshal.js';

/** The default persistent handle: in the endorsement range of the TCG handle registry, away
 * from the EK handles 0x81010001 (RSA), 0x81010002 and swtpm's 0x81010016 (ECC). */
export const DEFAULT_AK_HANDLE = 0x81010010;

const hex = (h: number) => `0x${h.toString(16).padStart(8, '0')}`;

/** A persistent handle: 0x81000000-0x817fffff is the owner's range EvictControl may use. */
export function checkAkHandle(handle: number): number {
  if (!Number.isInteger(handle) || handle < 0x81000000 || handle > 0x817fffff) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `attestation key handle: expected a persistent handle 0x81000000-0x817fffff, got ${Number.isInteger(handle) ? hex(handle) : String(handle)}`
    );
  }
  return handle;
}

/** Why this public area is not an attestation key we can quote with, or undefined when it is one. */
function notAnAk(publicArea: Buffer): { pub?: EccPublic; why?: string } {
  let pub: EccPublic;
  try {
    pub = readEccPublic(new TpmReader(publicArea));
  } catch (err) {
    return { why: errorMessage(err) };
  }
  if (pub.curve !== TPM_ECC_NIST_P256 || pub.scheme !== TPM_ALG.ECDSA)
    return { why: 'an ECC key, but not P-256 with ECDSA' };
  if ((pub.attributes & AK_ATTRIBUTES) !== AK_ATTRIBUTES)
    return { why: 'not a fixedTPM restricted signing key' };
  return { pub };
}

export interface PersistentAk extends AttestationKey {
  /** True when this start created it. */
  readonly created: boolean;
}

/** The AK at `handle`, created and made persistent there when the handle is empty. */
export async function ensureAttestationKey(
  tpm: TpmClient,
  handle: number = DEFAULT_AK_HANDLE
): Promise<PersistentAk> {
  checkAkHandle(handle);
  const existing = await tpm.readPublic(handle);
  if (existing) {
    const { pub, why } = notAnAk(existing.publicArea);
    if (!pub)
      throw new EngineError(
        'TSEM_TPM',
        `TPM ${tpm.description}: persistent handle ${hex(handle)} holds another object (${why}); it is left alone: choose another with --ak-handle`
      );
    return { handle, publicArea: pub, name: existing.name, created: false };
  }
  const transient = await tpm.createAttestationKey();
  try {
    await tpm.evictControl(transient.handle, handle);
  } catch (err) {
    throw new EngineError(
      'TSEM_TPM',
      `TPM ${tpm.description}: cannot make the attestation key persistent at ${hex(handle)} (TPM2_EvictControl with the owner's empty password): ${errorMessage(err)}`,
      { cause: err }
    );
  } finally {
    await tpm.flush(transient.handle);
  }
  const made = await tpm.readPublic(handle);
  if (!made)
    throw new EngineError(
      'TSEM_TPM',
      `TPM ${tpm.description}: ${hex(handle)} is empty after TPM2_EvictControl`
    );
  return { handle, publicArea: transient.publicArea, name: made.name, created: true };
}
