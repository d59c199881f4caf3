/**
 * Operational errors carry a stable `code` (TSEM_*) and say what was expected and what was got.
 * Their messages quote outside input, so they are escaped and bounded here (common/escape.ts):
 * wherever one is printed or logged it cannot forge a line or echo binary.
 * Programmer mistakes stay TypeError/RangeError and are never caught.
 */
import { errorText } from './escape.js';

export type ErrorCode =
  | 'TSEM_PARSE'
  | 'TSEM_MODEL_FILE'
  | 'TSEM_DIGEST'
  | 'TSEM_NAMESPACE'
  | 'TSEM_STORE'
  /** A local file cannot be read or written (the file, not its contents, is the problem). */
  | 'TSEM_IO'
  | 'TSEM_INVALID_ARGUMENT'
  | 'TSEM_PERMISSION'
  /** No credentials, or credentials nobody issued: the caller is unknown (vs. known but not allowed). */
  | 'TSEM_UNAUTHENTICATED'
  | 'TSEM_UNAVAILABLE'
  /** A per-identity or server limit (event size, namespaces, subscribers): RESOURCE_EXHAUSTED. */
  | 'TSEM_RESOURCE_EXHAUSTED'
  | 'TSEM_TPM';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(errorText(message), options);
  }
}

/** A malformed input line: names the source, the line number and the field path that is wrong. */
export class ParseError extends EngineError {
  constructor(
    message: string,
    readonly line?: number,
    readonly field?: string,
    readonly source?: string
  ) {
    const where = [source, line !== undefined ? `line ${line}` : undefined]
      .filter(Boolean)
      .join(' ');
    super(
      'TSEM_PARSE',
      `${where ? `${where}: ` : ''}${field ? `field '${field}': ` : ''}${message}`
    );
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
