/**
 * The Control service's TPM key calls (docs/attestation.md §2): the attestation key that quotes reports
 * and the endorsement key that certifies it through credential activation.
 */
import type { ControlHandlers } from '../../proto/gen/tsem/v1/Control.js';
import { EngineError } from '../../common/errors.js';
import type { AuthConfig } from './auth.js';
import type { AttestationKeys } from '../trust/attestation-keys.js';
import { invalid } from './to-status.js';
import { unary } from './unary.js';

type KeyHandlers = Pick<ControlHandlers, 'GetAttestationKey' | 'ActivateCredential'>;

/** A TPM2B payload is at most 64 KiB; MakeCredential's are a few hundred bytes. */
const MAX_BLOB = 4096;

export function attestControlHandlers(
  auth: AuthConfig,
  keys: AttestationKeys | undefined
): KeyHandlers {
  const tpm = (): AttestationKeys => {
    if (!keys)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        'no TPM is configured on this server (serve --tpm)'
      );
    return keys;
  };
  return {
    GetAttestationKey: unary(auth, 'viewer', async () => {
      const k = await tpm().describe();
      return {
        ak_public: k.akPublic,
        ak_name: k.akName.toString('hex'),
        ak_handle: k.akHandle,
        ak_pem: k.akPem,
        ek_public: k.ekPublic,
        ek_certificate: k.ekCertificate ?? Buffer.alloc(0),
      };
    }),
    ActivateCredential: unary(auth, 'viewer', async (req) => {
      for (const [field, v] of [
        ['credential_blob', req.credential_blob],
        ['encrypted_secret', req.encrypted_secret],
      ] as const) {
        if (v.length === 0 || v.length > MAX_BLOB)
          throw invalid(`${field}: expected 1 to ${MAX_BLOB} bytes, got ${v.length}`);
      }
      return {
        secret: await tpm().activateCredential(req.credential_blob, req.encrypted_secret),
      };
    }),
  };
}
