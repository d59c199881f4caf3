/** The single mapping from engine errors to gRPC statuses. */
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { EngineError, errorMessage } from '../../common/errors.js';
import { escapeText } from '../../common/escape.js';

const CODES: Record<string, status> = {
  TSEM_PARSE: status.INVALID_ARGUMENT,
  TSEM_MODEL_FILE: status.INVALID_ARGUMENT,
  TSEM_DIGEST: status.INVALID_ARGUMENT,
  TSEM_INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  TSEM_NAMESPACE: status.NOT_FOUND,
  TSEM_PERMISSION: status.PERMISSION_DENIED,
  TSEM_UNAUTHENTICATED: status.UNAUTHENTICATED,
  TSEM_STORE: status.INTERNAL,
  TSEM_IO: status.INTERNAL,
  TSEM_UNAVAILABLE: status.UNAVAILABLE,
  TSEM_RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  TSEM_TPM: status.UNAVAILABLE,
};

export function toStatus(err: unknown): Partial<ServiceError> {
  const code = err instanceof EngineError ? (CODES[err.code] ?? status.UNKNOWN) : status.INTERNAL;
  return {
    code,
    // Messages quote outside input: escaped, they can never forge lines where a client prints them.
    details: escapeText(
      err instanceof EngineError ? err.message : `internal error: ${errorMessage(err)}`
    ),
    metadata: new Metadata(),
  };
}

export function invalid(message: string): EngineError {
  return new EngineError('TSEM_INVALID_ARGUMENT', message);
}
