import { EngineError } from '../../common/errors.js';

/** The store's errors: one code (TSEM_STORE), the cause kept. */
export function storeError(message: string, cause?: unknown): EngineError {
  return new EngineError('TSEM_STORE', message, cause === undefined ? undefined : { cause });
}
