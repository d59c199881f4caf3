/**
 * The attestation key and its certification against swtpm manufactured with an EK certificate
 * (swtpm_setup --create-ek-cert): the AK is created once at its persistent handle and is the same
 * after a TPM restart; a handle holding another object is refused; the EK certificate read from NV
 * is for the EK the standard template gives; software MakeCredential for the AK's Name comes back
 * through TPM2_ActivateCredential, and for any other Name it does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ekCertSkipReason, startSwtpm } from '../../test/helpers/swtpm.js';
import { DEFAULT_AK_HANDLE, ensureAttestationKey } from './attestation-key.js';
import { EK_RSA_CERT_NV_INDEX, EK_RSA_HANDLE } from './key-commands.js';
import { makeCredential, rsaPublicKey } from './make-credential.js';
import { openTpm } from './open-tpm.js';
import { objectName } from './quote-verify.js';
import { TpmReader, readRsaPublic } from './unmarshal.js';

const skip = ekCertSkipReason();

test(
  'the AK is created once at its persistent handle and survives a TPM restart',
  { skip },
  async (t) => {
    const sw = await startSwtpm({ ekCert: true });
    t.after(() => sw.stop());
    let tpm = await openTpm(sw.spec);
    try {
      const first = await ensureAttestationKey(tpm);
      assert.equal(first.created, true);
      assert.equal(first.handle, DEFAULT_AK_HANDLE);
      assert.deepEqual(first.name, objectName(first.publicArea));
      const again = await ensureAttestationKey(tpm);
      assert.equal(again.created, false);
      assert.deepEqual(again.name, first.name);
      await tpm.close();
      await sw.restart();
      tpm = await openTpm(sw.spec);
      const afterRestart = await ensureAttestationKey(tpm);
      assert.equal(afterRestart.created, false);
      assert.deepEqual(afterRestart.publicArea.bytes, first.publicArea.bytes);
      // The EK's handle holds another object: it is refused, never evicted.
      await assert.rejects(
        ensureAttestationKey(tpm, EK_RSA_HANDLE),
        /persistent handle 0x81010001 holds another object \(.*TPM_ALG_ECC.*\); it is left alone: choose another with --ak-handle/
      );
      assert.ok(await tpm.readPublic(EK_RSA_HANDLE), 'the EK is still there');
      await assert.rejects(ensureAttestationKey(tpm, 0x80000001), /expected a persistent handle/);
    } finally {
      await tpm.close();
    }
  }
);

test(
  'the EK certificate is for the EK; credential activation returns the secret for the AK only',
  { skip },
  async (t) => {
    const sw = await startSwtpm({ ekCert: true });
    t.after(() => sw.stop());
    const tpm = await openTpm(sw.spec);
    t.after(() => tpm.close());
    const ak = await ensureAttestationKey(tpm);
    const der = await tpm.nvRead(EK_RSA_CERT_NV_INDEX);
    assert.ok(der, 'swtpm_setup wrote an EK certificate');
    const cert = new X509Certificate(der);
    const issuer = new X509Certificate(readFileSync(sw.caFiles[1]!));
    assert.equal(cert.verify(issuer.publicKey), true, 'issued by the swtpm_localca issuer');
    assert.equal(await tpm.nvRead(0x01c0ffff), undefined, 'an undefined index reads as nothing');

    // The persistent EK and the one the TCG template creates are the same key, the certificate's.
    const persistent = await tpm.readPublic(EK_RSA_HANDLE);
    const ek = readRsaPublic(new TpmReader(persistent!.publicArea));
    const created = await tpm.createEndorsementKey();
    await tpm.flush(created.handle);
    assert.deepEqual(readRsaPublic(new TpmReader(created.publicArea)).modulus, ek.modulus);
    const spki = (k: { export(o: object): unknown }) =>
      (k.export({ type: 'spki', format: 'der' }) as Buffer).toString('hex');
    assert.equal(spki(rsaPublicKey(ek)), spki(cert.publicKey));

    const secret = randomBytes(32);
    const cred = makeCredential(ek, ak.name, secret);
    assert.deepEqual(
      await tpm.activateCredential(
        ak.handle,
        EK_RSA_HANDLE,
        cred.credentialBlob,
        cred.encryptedSecret
      ),
      secret
    );
    // Made for another object's Name: the TPM refuses to unwrap it for this AK.
    const other = Buffer.from(ak.name);
    other[other.length - 1]! ^= 1;
    const forged = makeCredential(ek, other, secret);
    await assert.rejects(
      tpm.activateCredential(
        ak.handle,
        EK_RSA_HANDLE,
        forged.credentialBlob,
        forged.encryptedSecret
      ),
      /TPM2_ActivateCredential failed: TPM_RC_INTEGRITY/
    );
  }
);
