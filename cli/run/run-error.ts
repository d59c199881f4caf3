/** A failure of `tsem run` itself (not of its workload): one line for the user and an exit status
 * from the run's own range, 125 unless the command could not be executed (126) or found (127). */
export class RunError extends Error {
  override readonly name = 'RunError';
  constructor(
    message: string,
    readonly status = 125,
    options?: { cause?: unknown }
  ) {
    super(message, options);
  }
}
