/**
 * The root IMA log into PCR 10, as the kernel does: every entry the host log appends is extended,
 * per allocated bank, with its template digest in that bank (0xff… for a violation), after the
 * batch that appended it is persisted. A TPM quote over PCR 10 then covers the served log.
 */
import { errorMessage } from '../../common/errors.js';
import { extendValue, type TemplateEntry } from '../ima/template-entry.js';
import type { PipelineStage } from '../ns/stage.js';
import { hashByAlg } from '../tpm/constants.js';
import type { TpmSerial } from './tpm-serial.js';

export class ImaPcr {
  private extended = 0;
  private failed?: string;
  readonly stage: PipelineStage;

  constructor(
    private readonly serial: TpmSerial,
    /** The host IMA log's entries, appended to in order. */
    private readonly entries: () => readonly TemplateEntry[],
    /** TPM_ALG ids of the banks that have PCR 10. */
    private readonly banks: readonly number[],
    private readonly log: (m: string) => void
  ) {
    this.stage = { afterVerdict: () => undefined, afterPersist: () => this.flush() };
  }

  get failure(): string | undefined {
    return this.failed;
  }

  /** Entries restored from the store are already in the TPM's PCR 10 (the TPM kept its state
   * across the engine's restart): extend only what comes after them. */
  skipRestored(count: number): void {
    this.extended = Math.max(this.extended, count);
  }

  flush(): Promise<void> {
    const all = this.entries();
    const fresh = all.slice(this.extended);
    this.extended = all.length;
    if (fresh.length === 0) return Promise.resolve();
    const banks = this.banks.map(hashByAlg).filter((h) => h !== undefined);
    return this.serial
      .run(async (tpm) => {
        for (const e of fresh) {
          await tpm.pcrExtend(e.pcr, banks.map((h) => ({ bank: h.name, digest: extendValue(e, h.name, h.size) })));
        }
      })
      .catch((err: unknown) => {
        const first = this.failed === undefined;
        this.failed ??= `PCR 10 missed IMA entries: ${errorMessage(err)}`;
        if (first) this.log(`tpm: ${this.failed}`);
      });
  }
}
