/**
 * The exit status of every `tsem` command (README "Exit status"): 0 success and nothing found,
 * 1 the command worked and found something, then usage, data, service, internal, I/O and
 * permission failures with the sysexits.h numbers scripts already know. One mapping for every
 * command: from EngineError codes, from gRPC statuses (a failed remote call), from errno values.
 */
import { EngineError, type ErrorCode } from '../common/errors.js';
import { errnoCode } from '../native/addon.js';

export const EXIT = {
  ok: 0,
  /** The command worked and found something: off-contour events, findings, rejected events, a
   * failed verification, an alert. */
  found: 1,
  usage: 2,
  /** Bad input data: a malformed file the command was asked to read, or refused content
   * (EX_DATAERR). */
  dataErr: 65,
  /** Service unavailable: the engine cannot be reached, the TPM is busy (EX_UNAVAILABLE). */
  unavailable: 69,
  /** Internal error: a bug, please report it (EX_SOFTWARE). */
  software: 70,
  /** I/O error: a local file cannot be read or written (EX_IOERR). */
  ioErr: 74,
  /** Permission denied: not root where root is needed, a role missing (EX_NOPERM). */
  noPerm: 77,
} as const;

/** The table as `tsem --help` prints it. */
export const EXIT_STATUS_HELP = [
  'exit status:',
  '  0   success, and nothing found',
  '  1   the command worked and found something (off-contour events, findings, rejected events,',
  '      a failed verification)',
  '  2   usage error (unknown option, missing argument)',
  '  65  bad input data (a malformed file or value; the engine refused the request as invalid)',
  '  69  service unavailable (cannot reach the engine, TPM busy)',
  '  70  internal error (a bug: please report it)',
  '  74  I/O error (cannot read or write a local file)',
  '  77  permission denied (not root where root is needed, a role or token missing)',
].join('\n');

/** One line for every command's `--help`. */
export const EXIT_STATUS_SHORT =
  'exit status: 0 ok and nothing found, 1 found something, 2 usage, 65 bad input data, 69 unavailable, 70 internal error, 74 I/O error, 77 permission denied';

const BY_CODE: Record<ErrorCode, number> = {
  TSEM_PARSE: EXIT.dataErr,
  TSEM_MODEL_FILE: EXIT.dataErr,
  TSEM_DIGEST: EXIT.dataErr,
  TSEM_NAMESPACE: EXIT.dataErr,
  TSEM_INVALID_ARGUMENT: EXIT.usage,
  TSEM_IO: EXIT.ioErr,
  TSEM_STORE: EXIT.ioErr,
  TSEM_PERMISSION: EXIT.noPerm,
  TSEM_UNAUTHENTICATED: EXIT.noPerm,
  TSEM_UNAVAILABLE: EXIT.unavailable,
  TSEM_TPM: EXIT.unavailable,
  TSEM_RESOURCE_EXHAUSTED: EXIT.unavailable,
};

/** gRPC status numbers → exit status, for errors the engine returned to a client command. */
const BY_GRPC: Record<number, number> = {
  1: EXIT.unavailable, // CANCELLED
  2: EXIT.software, // UNKNOWN
  3: EXIT.dataErr, // INVALID_ARGUMENT: the engine refused what we sent (a model, a coefficient)
  4: EXIT.unavailable, // DEADLINE_EXCEEDED
  5: EXIT.dataErr, // NOT_FOUND: no such namespace, point or task
  6: EXIT.dataErr, // ALREADY_EXISTS
  7: EXIT.noPerm, // PERMISSION_DENIED
  8: EXIT.unavailable, // RESOURCE_EXHAUSTED
  9: EXIT.dataErr, // FAILED_PRECONDITION
  10: EXIT.unavailable, // ABORTED
  11: EXIT.dataErr, // OUT_OF_RANGE
  12: EXIT.unavailable, // UNIMPLEMENTED: an older engine
  13: EXIT.software, // INTERNAL
  14: EXIT.unavailable, // UNAVAILABLE
  15: EXIT.software, // DATA_LOSS
  16: EXIT.noPerm, // UNAUTHENTICATED
};

export function exitStatusOfGrpc(code: number | undefined): number {
  return code === undefined ? EXIT.unavailable : (BY_GRPC[code] ?? EXIT.software);
}

/** The exit status for an operational error; anything else is a bug (70). */
export function exitStatusOf(err: unknown): number {
  const e = err as { exitStatus?: unknown } | null;
  if (typeof e?.exitStatus === 'number') return e.exitStatus;
  if (err instanceof EngineError) return BY_CODE[err.code] ?? EXIT.software;
  return EXIT.software;
}

/** The exit status for a failed remote call (a ClientError whose cause is the gRPC error). */
export function remoteExitStatus(err: unknown): number {
  const e = err as { exitStatus?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.exitStatus === 'number') return e.exitStatus;
  const code = e?.cause?.code;
  return typeof code === 'number' ? exitStatusOfGrpc(code) : exitStatusOf(err);
}

/** The exit status for a failed local file operation (errno from fs or the native addon). */
export function fileExitStatus(err: unknown): number {
  const code = errnoCode(err);
  if (code === 'EPERM' || code === 'EACCES') return EXIT.noPerm;
  return EXIT.ioErr;
}

/**
 * The status for a failure reading a command's input files, or undefined when `err` is not one:
 * 74 (77 when denied) when a file cannot be read, 65 when it is malformed.
 */
export function inputExitStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return fileExitStatus(err);
  if (e?.code === 'TSEM_IO') return EXIT.ioErr;
  if (e?.code === 'TSEM_PARSE' || e?.code === 'TSEM_MODEL_FILE' || e?.code === 'TSEM_DIGEST')
    return EXIT.dataErr;
  if (e?.name === 'MeasurementListError') return EXIT.dataErr;
  return undefined;
}
