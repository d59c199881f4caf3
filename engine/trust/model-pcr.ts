/**
 * The root namespace's coefficients into the model PCR (tsem-model.md §2.6, last bullet of the
 * event rule: "if namespace id == 0 and TPM: PCR[11] extend with c", for valid and forensic points
 * alike; trust.c copies c into every allocated bank, truncated or zero-padded).
 *
 * Extends cannot be undone, so they follow persistence: after each persisted batch of the root
 * namespace, its event points (trajectory and forensics, in first-seen order; model loads do not
 * extend) not yet extended go in. At start, resume() extends what the store holds and the TPM
 * lacks. A report flushes earlier (flush()), so that its quote covers the points it reports.
 */
import { errorMessage } from '../../common/errors.js';
import { hashBytes } from '../ima/hash-algo.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { PipelineStage } from '../ns/stage.js';
import { coefficientDigests } from '../tpm/aggregate.js';
import { hashByAlg } from '../tpm/constants.js';
import type { TpmSerial } from './tpm-serial.js';

export class ModelPcr {
  /** Trajectory and forensics entries of the root namespace already extended. */
  private trajectoryDone = 0;
  private forensicsDone = 0;
  /** The root namespace as last seen (flush() without a namespace extends its points). */
  private root: NamespaceModel | undefined;
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
      afterVerdict: () => undefined,
      afterPersist: (ns) => (ns.id === this.rootNamespace ? this.flush(ns) : Promise.resolve()),
    };
  }

  /** Why the PCR no longer holds every root coefficient, once an extend failed. */
  get failure(): string | undefined {
    return this.failed;
  }

  private fail(why: string): void {
    const first = this.failed === undefined;
    this.failed ??= why;
    if (first) this.log(`tpm: ${this.failed}`);
  }

  /** The root's event points after the given counts of trajectory and forensics entries, in map order. */
  private fresh(ns: NamespaceModel, t: number, f: number): Buffer[] {
    const entries = [...ns.trajectory().slice(t), ...ns.forensics().slice(f)];
    const index = (c: Buffer) => ns.point(c.toString('hex'))?.index ?? 0;
    return entries.map((e) => e.coefficient).sort((a, b) => index(a) - index(b));
  }

  /**
   * At start: PCR `pcr` may hold a prefix of the root's event points (the TPM kept its state
   * across the engine's restart) or nothing (a fresh TPM). Extends the rest; when no prefix
   * matches, the PCR holds something else and is left alone (said once, reports then refuse).
   */
  async resume(ns: NamespaceModel | undefined): Promise<void> {
    if (!ns) return;
    this.root = ns;
    const all = this.fresh(ns, 0, 0);
    const banks = this.banks.map(hashByAlg).filter((h) => h !== undefined);
    this.trajectoryDone = ns.trajectory().length;
    this.forensicsDone = ns.forensics().length;
    if (banks.length === 0) return;
    const current = await this.serial.run(async (tpm) => {
      const out = new Map<string, Buffer>();
      for (const h of banks)
        out.set(h.name, (await tpm.pcrRead(h.name, [this.pcr])).get(this.pcr)!);
      return out;
    });
    const replay = new Map<string, Buffer>(banks.map((h) => [h.name, Buffer.alloc(h.size)]));
    const same = () => banks.every((h) => replay.get(h.name)!.equals(current.get(h.name)!));
    let matched = same() ? 0 : -1;
    all.forEach((c, i) => {
      for (const d of coefficientDigests(c, this.banks))
        replay.set(d.bank, hashBytes(d.bank, replay.get(d.bank)!, d.digest));
      if (same()) matched = i + 1;
    });
    if (matched < 0) {
      this.fail(
        `PCR ${this.pcr} matches no prefix of namespace ${this.rootNamespace}'s points (another model was extended into this TPM); not extending it`
      );
      return;
    }
    await this.extend(all.slice(matched));
  }

  /**
   * Extends the root namespace's event points not extended yet (of `ns`, else the root last seen).
   * A failure is logged and remembered (reports then refuse); it does not fail the engine's batch,
   * which is already persisted.
   */
  flush(ns: NamespaceModel | undefined = this.root): Promise<void> {
    if (!ns) return Promise.resolve();
    this.root = ns;
    const t = ns.trajectory().length;
    const f = ns.forensics().length;
    if (t < this.trajectoryDone || f < this.forensicsDone) {
      // Reloaded after a failed write with fewer points than a report had extended already.
      this.fail(`PCR ${this.pcr} holds root coefficients the store lost in a failed write`);
      this.trajectoryDone = t;
      this.forensicsDone = f;
      return Promise.resolve();
    }
    const coefficients = this.fresh(ns, this.trajectoryDone, this.forensicsDone);
    this.trajectoryDone = t;
    this.forensicsDone = f;
    return this.extend(coefficients);
  }

  private extend(coefficients: readonly Buffer[]): Promise<void> {
    if (coefficients.length === 0) return Promise.resolve();
    return this.serial
      .run(async (tpm) => {
        for (const c of coefficients)
          await tpm.pcrExtend(this.pcr, coefficientDigests(c, this.banks));
      })
      .catch((err: unknown) =>
        this.fail(`PCR ${this.pcr} missed root coefficients: ${errorMessage(err)}`)
      );
  }
}
