/**
 * Exit statuses of the conventions (README "Exit status"): what each failure of a command maps
 * to, for the commands that distinguish them.
 */
import { errnoCode } from '../native/addon.js';
import type { ParsedArgs } from './args.js';
import type { TsemClients } from './client.js';
import type { Io } from './command.js';

export const EXIT = {
  ok: 0,
  /** The command worked and found something (a failed verification, an alert). */
  found: 1,
  usage: 2,
  /** Bad input data: a malformed file the command was asked to read, or refused content. */
  dataErr: 65,
  /** Service unavailable: the engine cannot be reached, the TPM is busy. */
  unavailable: 69,
  /** Internal error: a bug. */
  software: 70,
  /** I/O error: a local file cannot be read or written. */
  ioErr: 74,
  /** Permission denied. */
  noPerm: 77,
} as const;

/** gRPC status code → exit status. */
const GRPC: Readonly<Record<number, number>> = {
  3: EXIT.dataErr, // INVALID_ARGUMENT: the server refused what we sent
  4: EXIT.unavailable, // DEADLINE_EXCEEDED
  7: EXIT.noPerm, // PERMISSION_DENIED
  13: EXIT.software, // INTERNAL
  14: EXIT.unavailable, // UNAVAILABLE
  16: EXIT.noPerm, // UNAUTHENTICATED
};

/** The exit status for a failed remote call (a ClientError whose cause is the gRPC error). */
export function remoteExitStatus(err: unknown): number {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'number' ? (GRPC[code] ?? EXIT.found) : EXIT.found;
}

/** The exit status for a failed local file operation (errno from fs or the native addon). */
export function fileExitStatus(err: unknown): number {
  const code = errnoCode(err);
  if (code === 'EPERM' || code === 'EACCES') return EXIT.noPerm;
  return EXIT.ioErr;
}

/**
 * `runRemote` with the conventions' statuses: connects, runs `body`, closes; an operational failure
 * is one line `tsem <command>: …` and the status of its cause (69 unreachable, 77 denied, 65
 * refused input, else 1).
 */
export async function runRemoteStatus(
  command: string,
  args: ParsedArgs,
  io: Io,
  body: (c: TsemClients) => Promise<number>
): Promise<number> {
  const { connect, isReportable } = await import('./client.js');
  let clients: TsemClients | undefined;
  try {
    clients = await connect(args);
    return await body(clients);
  } catch (err) {
    if (!isReportable(err)) throw err;
    io.err(`tsem ${command}: ${err.message}\n`);
    return remoteExitStatus(err);
  } finally {
    clients?.close();
  }
}

/**
 * The status for a failure reading a command's input files, or undefined when `err` is not one:
 * 74 when a file cannot be read, 65 when it is malformed.
 */
export function inputExitStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return fileExitStatus(err);
  if (e?.code === 'TSEM_INVALID_ARGUMENT' && /^cannot read /.test(String(e.message)))
    return EXIT.ioErr;
  if (e?.code === 'TSEM_PARSE' || e?.code === 'TSEM_MODEL_FILE' || e?.code === 'TSEM_DIGEST')
    return EXIT.dataErr;
  if (e?.name === 'MeasurementListError') return EXIT.dataErr;
  return undefined;
}
