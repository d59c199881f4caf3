/**
 * The root namespace's coefficients into the model PCR (tsem-model.md §2.6, last bullet of the
 * event rule: "if namespace id == 0 and TPM: PCR[11] extend with c", for valid and forensic points
 * alike; trust.c copies c into every allocated bank, truncated or zero-padded).
 *
 * New points are noted in afterVerdict, in the namespace's order, and extended after the batch is
 * persisted (afterPersist) or, earlier, when a report needs the PCR to cover them (flush()).
 */
import { errorMessage } from '../../common/errors.js';
import type { PipelineStage } from '../ns/stage.js';
import { coefficientDigests } from '../tpm/aggregate.js';
import type { TpmSerial } from './tpm-serial.js';

export class ModelPcr {
  /** Coefficients noted but not yet handed to the TPM, in first-seen order. */
  private pending: Buffer[] = [];
  private failed?: string;
  readonly stage: PipelineStage;

  constructor(
    private readonly serial: TpmSerial,
    readonly rootNamespace: string,
    readonly pcr: number,
    /** TPM_ALG ids of the banks that have `pcr`, read once at start. */
    private readonly banks: readonly number[],
    private readonly log: (m: string) => void
  ) {
    this.stage = {
      afterVerdict: (ns, _event, verdict) => {
        if (ns.id === this.rootNamespace && verdict.newPoint && verdict.coefficient)
          this.pending.push(verdict.coefficient);
        return undefined;
      },
      afterPersist: () => this.flush(),
    };
  }

  /** Why the PCR no longer holds every root coefficient, once an extend failed. */
  get failure(): string | undefined {
    return this.failed;
  }

  /**
   * Queues the noted extends on the TPM now (synchronously) and resolves when they are done. A
   * failure is logged and remembered (reports then refuse); it does not fail the engine's batch,
   * which is already persisted.
   */
  flush(): Promise<void> {
    const coefficients = this.pending.splice(0);
    if (coefficients.length === 0) return Promise.resolve();
    return this.serial
      .run(async (tpm) => {
        for (const c of coefficients)
          await tpm.pcrExtend(this.pcr, coefficientDigests(c, this.banks));
      })
      .catch((err: unknown) => {
        const first = this.failed === undefined;
        this.failed ??= `PCR ${this.pcr} missed root coefficients: ${errorMessage(err)}`;
        if (first) this.log(`tpm: ${this.failed}`);
      });
  }
}
