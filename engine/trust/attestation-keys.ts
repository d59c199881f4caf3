/**
 * What the engine's TPM side offers about its keys (docs/attestation.md §2), declared here for the
 * Control service (engine/server/attest-control.ts) and implemented by tpm-keys.ts.
 */

export interface AttestationKeyInfo {
  /** TPMT_PUBLIC of the attestation key. */
  readonly akPublic: Buffer;
  readonly akName: Buffer;
  readonly akHandle: number;
  readonly akPem: string;
  /** TPMT_PUBLIC of the RSA endorsement key. */
  readonly ekPublic: Buffer;
  readonly ekCertificate?: Buffer;
}

/** What the TPM side offers (engine/trust). */
export interface AttestationKeys {
  describe(): Promise<AttestationKeyInfo>;
  activateCredential(credentialBlob: Buffer, encryptedSecret: Buffer): Promise<Buffer>;
}
