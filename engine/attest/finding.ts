/** One failed check of a verification, named so a script can act on it. */
export interface Finding {
  /** Dotted id: `report.signature`, `report.nonce`, `quote.pcr_digest`, `pcr.10`, `state.measurement`, ... */
  readonly id: string;
  readonly reason: string;
}
