/**
 * The attestation key a verifier pins (docs/attestation.md §2): what `tsem attest ak` writes and
 * `tsem attest verify|watch --ak` reads, either that JSON file or the bare hex Name.
 */
import { EngineError } from '../../common/errors.js';
import type { EkCertificateInfo } from './ak-certify.js';

export interface AkPin {
  readonly version: 1;
  /** hex Name: nameAlg ‖ H(TPMT_PUBLIC). */
  readonly akName: string;
  readonly akHandle: string;
  /** hex TPMT_PUBLIC. */
  readonly akPublic: string;
  readonly akPem: string;
  /** True when credential activation with a CA-issued EK certificate succeeded. */
  readonly certified: boolean;
  readonly ek?: EkCertificateInfo;
}

/** A Name: a 2-byte nameAlg (SHA-256 0x000b, SHA-384 0x000c, …) and its digest. */
const NAME = /^000[4bcd]([0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/;

/** The pinned Name from a `tsem attest ak` file's text or a hex Name. */
export function parseAkPin(text: string, source: string): string {
  const t = text.trim().toLowerCase();
  if (NAME.test(t)) return t;
  let pin: Partial<AkPin>;
  try {
    pin = JSON.parse(text) as Partial<AkPin>;
  } catch {
    throw new EngineError(
      'TSEM_PARSE',
      `${source}: expected a 'tsem attest ak' file or an attestation key Name in hex (000b…)`
    );
  }
  if (typeof pin.akName !== 'string' || !NAME.test(pin.akName))
    throw new EngineError('TSEM_PARSE', `${source}: field 'akName': expected a hex Name (000b…)`);
  return pin.akName;
}
