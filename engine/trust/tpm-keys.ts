/**
 * The TPM's keys as the Control service offers them (docs/attestation.md §2): the persistent
 * attestation key (ensured once, then kept), the RSA endorsement key and its certificate, and
 * credential activation. Every TPM command runs in a TpmSerial turn.
 */
import { ensureAttestationKey, type PersistentAk } from '../tpm/attestation-key.js';
import type { TpmClient } from '../tpm/client.js';
import { EK_RSA_CERT_NV_INDEX, EK_RSA_HANDLE } from '../tpm/key-commands.js';
import { akPublicKey } from '../tpm/quote-verify.js';
import { TpmReader, readRsaPublic } from '../tpm/unmarshal.js';
import type { AttestationKeyInfo, AttestationKeys } from './attestation-keys.js';
import type { TpmSerial } from './tpm-serial.js';

interface Endorsement {
  readonly publicArea: Buffer;
  readonly certificate?: Buffer;
}

export class TpmKeys implements AttestationKeys {
  private ak?: Promise<PersistentAk>;
  private ek?: Endorsement;

  constructor(
    private readonly serial: TpmSerial,
    readonly akHandle: number
  ) {}

  /** The AK, ensured on first use; call only inside a TpmSerial turn (`tpm` is the turn's). */
  akIn(tpm: TpmClient): Promise<PersistentAk> {
    this.ak ??= ensureAttestationKey(tpm, this.akHandle).catch((err: unknown) => {
      this.ak = undefined; // the next use tries again
      throw err;
    });
    return this.ak;
  }

  /** The AK, from outside a turn. */
  attestationKey(): Promise<PersistentAk> {
    return this.ak ?? this.serial.run((tpm) => this.akIn(tpm));
  }

  describe(): Promise<AttestationKeyInfo> {
    return this.serial.run(async (tpm) => {
      const ak = await this.akIn(tpm);
      const ek = await this.endorsement(tpm);
      return {
        akPublic: ak.publicArea.bytes,
        akName: ak.name,
        akHandle: ak.handle,
        akPem: akPublicKey(ak.publicArea).export({ type: 'spki', format: 'pem' }).toString(),
        ekPublic: ek.publicArea,
        ...(ek.certificate ? { ekCertificate: ek.certificate } : {}),
      };
    });
  }

  activateCredential(credentialBlob: Buffer, encryptedSecret: Buffer): Promise<Buffer> {
    return this.serial.run(async (tpm) => {
      const ak = await this.akIn(tpm);
      // The persistent EK when provisioned (swtpm_setup, most platforms), else the template's.
      if (await tpm.readPublic(EK_RSA_HANDLE))
        return tpm.activateCredential(ak.handle, EK_RSA_HANDLE, credentialBlob, encryptedSecret);
      const ek = await tpm.createEndorsementKey();
      try {
        return await tpm.activateCredential(ak.handle, ek.handle, credentialBlob, encryptedSecret);
      } finally {
        await tpm.flush(ek.handle);
      }
    });
  }

  /** The RSA EK's public area and certificate, read once (they do not change). */
  private async endorsement(tpm: TpmClient): Promise<Endorsement> {
    if (this.ek) return this.ek;
    let publicArea = (await tpm.readPublic(EK_RSA_HANDLE))?.publicArea;
    if (publicArea) readRsaPublic(new TpmReader(publicArea)); // an RSA key, or a clear error
    if (!publicArea) {
      const made = await tpm.createEndorsementKey();
      await tpm.flush(made.handle);
      publicArea = made.publicArea;
    }
    const certificate = await tpm.nvRead(EK_RSA_CERT_NV_INDEX);
    this.ek = { publicArea, ...(certificate ? { certificate } : {}) };
    return this.ek;
  }
}
