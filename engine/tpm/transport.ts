/** How the client reaches a TPM: one command in, one response out, in order. */
export interface TpmTransport {
  /** For messages, e.g. `swtpm 127.0.0.1:2321` or `/dev/tpmrm0`. */
  readonly description: string;
  /** Sends one marshalled command and resolves with the whole response. */
  transmit(command: Buffer): Promise<Buffer>;
  /**
   * Simulators only: signals power-on through the platform port so that the TPM accepts
   * commands. Absent for hardware, which the firmware has already started.
   */
  powerOn?(): Promise<void>;
  close(): Promise<void>;
}

/** Largest response we accept (the kernel's TPM_BUFSIZE); a bigger length is a framing error. */
export const MAX_RESPONSE_BYTES = 4096;
