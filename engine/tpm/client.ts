/**
 * A small TPM 2.0 client over a transport: Startup, GetCapability (banks), PCR_Read (with paging),
 * PCR_Extend, GetRandom, CreatePrimary (attestation key), Quote, FlushContext. Response codes
 * become TpmResponseError naming the command and the decoded code.
 */
import { randomBytes } from 'node:crypto';
import {
  TPM_RC_HANDLE,
  TPM_RH,
  TPM_ST,
  hashByAlg,
  hashByName,
  HASH_NAMES,
  PCR_COUNT,
} from './constants.js';
import * as cmd from './commands.js';
import * as keys from './key-commands.js';
import type { PcrSelection } from './marshal.js';
import { TPM_RC_FAILURE, TPM_RC_INITIALIZE, TpmResponseError } from './response-code.js';
import type { TpmTransport } from './transport.js';
import { type EccPublic, TpmFormatError, TpmReader, readResponseHeader } from './unmarshal.js';
import { EngineError } from '../../common/errors.js';

/** The TPM2_GetRandom limit is the TPM's largest digest; ask in chunks of this size. */
const RANDOM_CHUNK_BYTES = 32;
/** TPM_RC_YIELDED, TPM_RC_TESTING, TPM_RC_RETRY. */
const RETRY_CODES = new Set([0x908, 0x90a, 0x922]);
const MAX_ATTEMPTS = 10;
const RETRY_DELAY_MS = 5;
/** NV_Read chunk: below every TPM's MAX_NV_BUFFER_SIZE (1024 in the reference implementation). */
const NV_CHUNK = 768;

export interface AttestationKey {
  readonly handle: number;
  readonly publicArea: EccPublic;
  readonly name: Buffer;
}

export interface TpmQuote {
  readonly attest: Buffer;
  /** ECDSA r and s as the TPM returned them. */
  readonly signature: { readonly hashAlg: number; readonly r: Buffer; readonly s: Buffer };
}

export function bankAlg(bank: string): number {
  const h = hashByName(bank);
  if (!h)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `PCR bank '${bank}': expected one of ${HASH_NAMES.join(', ')}`
    );
  return h.alg;
}

export class TpmClient {
  constructor(readonly transport: TpmTransport) {}

  get description(): string {
    return this.transport.description;
  }

  /** Sends a command; returns a reader positioned at the response parameters and any handles. */
  private async run(
    name: string,
    command: Buffer,
    handlesOut = 0
  ): Promise<{ r: TpmReader; handles: number[] }> {
    let response = await this.transport.transmit(command);
    let hdr = readResponseHeader(response);
    // Part 1 §18.9 / Part 2 §6.6.3: RETRY, YIELDED and TESTING ask the caller to send the command again.
    for (let attempt = 1; RETRY_CODES.has(hdr.rc) && attempt < MAX_ATTEMPTS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
      response = await this.transport.transmit(command);
      hdr = readResponseHeader(response);
    }
    if (hdr.rc !== 0) throw new TpmResponseError(name, hdr.rc);
    const r = new TpmReader(response);
    r.bytes(10, 'header');
    const handles = Array.from({ length: handlesOut }, (_, i) => r.u32(`handle ${i}`));
    if (hdr.tag === TPM_ST.SESSIONS) {
      const paramSize = r.u32('parameterSize');
      return { r: new TpmReader(r.bytes(paramSize, 'parameters')), handles };
    }
    return { r, handles };
  }

  /**
   * TPM2_Startup(CLEAR). A simulator that is not powered answers TPM_RC_FAILURE: then power it on
   * through the platform port and retry. TPM_RC_INITIALIZE means it already ran: fine.
   */
  async startup(): Promise<'started' | 'already-started'> {
    try {
      await this.run('Startup', cmd.startupCommand());
      return 'started';
    } catch (err) {
      if (!(err instanceof TpmResponseError)) throw err;
      if (err.rc === TPM_RC_INITIALIZE) return 'already-started';
      if (err.rc !== TPM_RC_FAILURE || !this.transport.powerOn) throw err;
    }
    await this.transport.powerOn();
    return this.startup();
  }

  /** The allocated PCR banks and which PCRs each has. */
  async pcrBanks(): Promise<PcrSelection[]> {
    const { r } = await this.run('GetCapability', cmd.getPcrBanksCommand());
    return cmd.parsePcrBanks(r);
  }

  /**
   * Reads PCRs of one bank. A TPM returns at most 8 digests per PCR_Read (Part 3 §22.4): repeat
   * with the PCRs not yet returned until all are read.
   */
  async pcrRead(bank: string, pcrs: readonly number[]): Promise<Map<number, Buffer>> {
    const hashAlg = bankAlg(bank);
    const out = new Map<number, Buffer>();
    let pending = [...new Set(pcrs)].sort((a, b) => a - b);
    while (pending.length > 0) {
      const { r } = await this.run('PCR_Read', cmd.pcrReadCommand([{ hashAlg, pcrs: pending }]));
      const res = cmd.parsePcrRead(r);
      const got = res.selection.filter((s) => s.hashAlg === hashAlg).flatMap((s) => s.pcrs);
      if (got.length === 0) {
        throw new EngineError(
          'TSEM_UNAVAILABLE',
          `TPM ${this.description}: PCR_Read returned nothing for bank ${bank} PCRs ${pending.join(',')} (bank not allocated?)`
        );
      }
      got.forEach((p, i) => out.set(p, res.digests[i]!));
      pending = pending.filter((p) => !out.has(p));
    }
    return out;
  }

  /** Extends `pcr` in each given bank (Part 3 §22.2): PCR := H(PCR || digest). */
  async pcrExtend(
    pcr: number,
    digests: readonly { bank: string; digest: Buffer }[]
  ): Promise<void> {
    if (!Number.isInteger(pcr) || pcr < 0 || pcr >= PCR_COUNT)
      throw new RangeError(`PCR index ${pcr} is outside 0-${PCR_COUNT - 1}`);
    const values = digests.map((d) => {
      const hashAlg = bankAlg(d.bank);
      const size = hashByAlg(hashAlg)!.size;
      if (d.digest.length !== size)
        throw new RangeError(
          `${d.bank} extend digest must be ${size} bytes, got ${d.digest.length}`
        );
      return { hashAlg, digest: d.digest };
    });
    await this.run('PCR_Extend', cmd.pcrExtendCommand(pcr, values));
  }

  async getRandom(bytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < bytes) {
      const { r } = await this.run(
        'GetRandom',
        cmd.getRandomCommand(Math.min(RANDOM_CHUNK_BYTES, bytes - have))
      );
      const chunk = cmd.parseGetRandom(r);
      if (chunk.length === 0) throw new TpmFormatError('GetRandom returned no bytes');
      parts.push(chunk);
      have += chunk.length;
    }
    return Buffer.concat(parts).subarray(0, bytes);
  }

  /**
   * Creates the attestation key: a restricted ECC P-256 ECDSA/SHA-256 signing key, primary in the
   * endorsement hierarchy. The same template on the same TPM gives the same key.
   */
  async createAttestationKey(hierarchy: number = TPM_RH.ENDORSEMENT): Promise<AttestationKey> {
    const { r, handles } = await this.run(
      'CreatePrimary',
      cmd.createPrimaryAkCommand(hierarchy),
      1
    );
    return cmd.parseCreatePrimary(handles[0]!, r);
  }

  /** TPM2_Quote over PCRs of one bank with `nonce` as qualifyingData. */
  async quote(
    key: AttestationKey,
    nonce: Buffer,
    bank: string,
    pcrs: readonly number[]
  ): Promise<TpmQuote> {
    const { r } = await this.run(
      'Quote',
      cmd.quoteCommand(key.handle, nonce, [{ hashAlg: bankAlg(bank), pcrs }])
    );
    return cmd.parseQuote(r);
  }

  /** TPM2_ReadPublic of a loaded or persistent object; undefined when the handle holds nothing. */
  async readPublic(handle: number): Promise<keys.ReadPublicResult | undefined> {
    try {
      const { r } = await this.run('ReadPublic', keys.readPublicCommand(handle));
      return keys.parseReadPublic(r);
    } catch (err) {
      if (err instanceof TpmResponseError && err.decoded.base === TPM_RC_HANDLE) return undefined;
      throw err;
    }
  }

  /** TPM2_EvictControl: the loaded `object` becomes persistent at `persistent` (owner auth). */
  async evictControl(object: number, persistent: number): Promise<void> {
    await this.run('EvictControl', keys.evictControlCommand(object, persistent));
  }

  /** CreatePrimary of the TCG RSA EK (template L-1): a transient handle and its TPMT_PUBLIC. */
  async createEndorsementKey(): Promise<{ handle: number; publicArea: Buffer }> {
    const { r, handles } = await this.run(
      'CreatePrimary',
      keys.createPrimaryCommand(TPM_RH.ENDORSEMENT, keys.ekTemplateRsa()),
      1
    );
    return { handle: handles[0]!, publicArea: Buffer.from(r.tpm2b('outPublic')) };
  }

  /** The whole data of an NV index, read in chunks; undefined when the index is not defined. */
  async nvRead(index: number): Promise<Buffer | undefined> {
    let size: number;
    try {
      const { r } = await this.run('NV_ReadPublic', keys.nvReadPublicCommand(index));
      size = keys.parseNvReadPublic(r).dataSize;
    } catch (err) {
      if (err instanceof TpmResponseError && err.decoded.base === TPM_RC_HANDLE) return undefined;
      throw err;
    }
    const parts: Buffer[] = [];
    // TPM2_NV_Read returns at most MAX_NV_BUFFER_SIZE (1024 in the reference code) per call.
    for (let offset = 0; offset < size; offset += NV_CHUNK) {
      const n = Math.min(NV_CHUNK, size - offset);
      const { r } = await this.run('NV_Read', keys.nvReadCommand(index, index, n, offset));
      parts.push(keys.parseNvRead(r));
    }
    return Buffer.concat(parts);
  }

  /**
   * TPM2_ActivateCredential: the EK (`ek`, authorized by a PolicySecret(endorsement) session)
   * unwraps the credential MakeCredential made for the AK (`ak`). Returns the credential.
   */
  async activateCredential(
    ak: number,
    ek: number,
    credentialBlob: Buffer,
    encryptedSecret: Buffer
  ): Promise<Buffer> {
    const { handles } = await this.run(
      'StartAuthSession',
      keys.startPolicySessionCommand(randomBytes(16)),
      1
    );
    const session = handles[0]!;
    try {
      await this.run('PolicySecret', keys.policySecretCommand(TPM_RH.ENDORSEMENT, session));
      const { r } = await this.run(
        'ActivateCredential',
        keys.activateCredentialCommand(ak, ek, session, credentialBlob, encryptedSecret)
      );
      return keys.parseActivateCredential(r);
    } catch (err) {
      // The session ends with a successful ActivateCredential; after a failure it is still open.
      await this.flush(session).catch(() => undefined);
      throw err;
    }
  }

  async flush(handle: number): Promise<void> {
    await this.run('FlushContext', cmd.flushContextCommand(handle));
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}
