/**
 * The root IMA log into PCR 10, as the kernel does: every entry the host log appends is extended,
 * per allocated bank, with its template digest in that bank (0xff… for a violation), after the
 * batch that appended it is persisted. A TPM quote over PCR 10 then covers the served log.
 */
import { errorMessage } from '../../common/errors.js';
import { hashBytes } from '../ima/hash-algo.js';
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

  /**
   * At start, after the log is restored from the store: the TPM may already hold a prefix of it
   * (it kept its state across the engine's restart) or nothing (a fresh TPM). Extends cannot be
   * undone, so find the longest prefix whose replay equals PCR 10 in every bank and extend only
   * the rest; when no prefix matches, PCR 10 holds something else and is left alone (said once).
   */
  async resume(): Promise<void> {
    const entries = this.entries();
    const banks = this.banks.map(hashByAlg).filter((h) => h !== undefined);
    if (banks.length === 0) return;
    const current = await this.serial.run(async (tpm) => {
      const out = new Map<string, Buffer>();
      for (const h of banks) out.set(h.name, (await tpm.pcrRead(h.name, [10])).get(10)!);
      return out;
    });
    let matched = -1;
    const replay = new Map<string, Buffer>(banks.map((h) => [h.name, Buffer.alloc(h.size)]));
    const same = () => banks.every((h) => replay.get(h.name)!.equals(current.get(h.name)!));
    if (same()) matched = 0;
    entries.forEach((e, i) => {
      for (const h of banks)
        replay.set(
          h.name,
          hashBytes(h.name, Buffer.concat([replay.get(h.name)!, extendValue(e, h.name, h.size)]))
        );
      if (same()) matched = i + 1;
    });
    if (matched < 0) {
      this.extended = entries.length;
      this.failed =
        'PCR 10 matches no prefix of the host IMA log (another log was extended into this TPM)';
      this.log(`tpm: ${this.failed}; not extending it`);
      return;
    }
    this.extended = matched;
    await this.flush();
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
          await tpm.pcrExtend(
            e.pcr,
            banks.map((h) => ({ bank: h.name, digest: extendValue(e, h.name, h.size) }))
          );
        }
      })
      .catch((err: unknown) => {
        const first = this.failed === undefined;
        this.failed ??= `PCR 10 missed IMA entries: ${errorMessage(err)}`;
        if (first) this.log(`tpm: ${this.failed}`);
      });
  }
}
