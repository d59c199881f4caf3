/**
 * One TPM, used in turns: the root namespace's PCR extends and report quotes share the TPM and
 * must not interleave, so that a quote sees exactly the extends queued before it.
 */
import { collectQuote, REPORT_PCRS } from '../attest/tpm-quote.js';
import type { AttestationKey, TpmClient } from '../tpm/client.js';
import type { QuoteEvidence } from '../tpm/quote-verify.js';

/** A turn on the TPM reserved now and used later, once the agent has given the qualifying data. */
export interface QuoteSlot {
  /** Quotes with `qualifyingData` in the reserved turn. */
  quote(qualifyingData: Buffer): Promise<QuoteEvidence>;
  /** Gives the turn back unused (no-op once quote() was called). Must be called on every path. */
  release(): void;
}

export class TpmSerial {
  /** The last queued turn; every turn starts after it settles (invariant: never rejects). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly tpm: TpmClient,
    /** The persistent attestation key quotes are signed with, given the turn's TPM. */
    private readonly ak: (tpm: TpmClient) => Promise<AttestationKey>
  ) {}

  /** Runs `fn` after every turn queued before it. */
  run<T>(fn: (tpm: TpmClient) => Promise<T>): Promise<T> {
    const turn = this.tail.then(() => fn(this.tpm));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Reserves the next turn synchronously. Extends queued later wait until the slot is used or
   * released, so the quote covers the PCRs as they were when the report body was taken.
   */
  reserveQuote(pcrs: readonly number[] = REPORT_PCRS): QuoteSlot {
    let give!: (qualifyingData: Buffer | undefined) => void;
    const data = new Promise<Buffer | undefined>((resolve) => (give = resolve));
    const turn = this.run(async (tpm) => {
      const qualifyingData = await data;
      return qualifyingData
        ? collectQuote(tpm, await this.ak(tpm), qualifyingData, pcrs)
        : undefined;
    });
    return {
      quote: async (qualifyingData) => {
        give(qualifyingData);
        const q = await turn;
        if (!q) throw new RangeError('quote slot was released before it was used');
        return q;
      },
      release: () => give(undefined),
    };
  }
}
