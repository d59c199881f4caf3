/**
 * The client side shared by the commands that talk to a running engine (`tsem serve`): connection
 * options, token resolution, typed Ingest/Monitor/Control clients, and one-line error messages.
 * grpc is loaded inside connect(), so command modules can import this file and keep --help fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { ControlClient } from '../proto/gen/tsem/v1/Control.js';
import type { IngestClient } from '../proto/gen/tsem/v1/Ingest.js';
import type { MonitorClient } from '../proto/gen/tsem/v1/Monitor.js';
import type { OperationsClient } from '../proto/gen/tsem/v1/Operations.js';
import { type OptionSpec, type ParsedArgs, UsageError } from './args.js';
import type { Io } from './command.js';
import { EXIT, exitStatusOf, exitStatusOfGrpc } from './exit-status.js';
import { MAX_CLIENT_RECEIVE_BYTES } from '../proto/limits.js';
import { escapeText } from '../common/escape.js';

export const DEFAULT_SERVER = '127.0.0.1:50551';
/** Written by the server on first start (mode 0600) in its data dir. */
export const ADMIN_TOKEN_FILE = 'admin.token';
/** Unary calls give up after this long (model loads of large maps included). */
export const UNARY_DEADLINE_MS = 120_000;
/** Exported models can be large; grpc's 4 MiB default would cut them off. */

export const SERVER_OPTION: OptionSpec = {
  name: 'server',
  kind: 'string',
  arg: 'ADDR',
  help: `engine address (default ${DEFAULT_SERVER})`,
};

/** --server plus the credential options every remote command takes. */
export const CONNECTION_OPTIONS: readonly OptionSpec[] = [
  SERVER_OPTION,
  { name: 'tls-ca', kind: 'string', arg: 'FILE', help: 'server CA certificate (PEM); enables TLS' },
  {
    name: 'tls-cert',
    kind: 'string',
    arg: 'FILE',
    help: 'client certificate (PEM) for mutual TLS',
  },
  { name: 'tls-key', kind: 'string', arg: 'FILE', help: 'client private key (PEM) for mutual TLS' },
  {
    name: 'token-file',
    kind: 'string',
    arg: 'FILE',
    help: "file holding the bearer token (default $TSEM_TOKEN, else the admin.token of the server's data dir, sent only to that server)",
  },
  {
    name: 'token',
    kind: 'string',
    arg: 'TOKEN',
    help: 'refused: a token on the command line shows in ps; use --token-file or $TSEM_TOKEN',
  },
  {
    name: 'data',
    kind: 'string',
    arg: 'DIR',
    help: "the server's data dir, to read its admin.token (sent only to the address that server records)",
  },
  {
    name: 'insecure',
    kind: 'flag',
    help: 'send a --token-file or $TSEM_TOKEN token without TLS to a server off loopback (plain text)',
  },
];

/** An operational failure of a remote command, already phrased as one line for the user. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code = 'TSEM_UNAVAILABLE';
  /** The command's exit status (cli/exit-status.ts): from the gRPC status when there is one. */
  readonly exitStatus: number;
  constructor(message: string, options?: { cause?: unknown }, exitStatus?: number) {
    super(message, options);
    const grpcCode = (options?.cause as { code?: unknown } | undefined)?.code;
    this.exitStatus =
      exitStatus ?? exitStatusOfGrpc(typeof grpcCode === 'number' ? grpcCode : undefined);
  }
}

export interface TsemClients {
  readonly address: string;
  readonly ingest: IngestClient;
  readonly monitor: MonitorClient;
  readonly control: ControlClient;
  readonly operations: OperationsClient;
  /** Per-call metadata: `authorization: Bearer <token>` when a token was found. */
  readonly metadata: grpc.Metadata;
  /** Whether a token was sent (for error hints). */
  readonly hasToken: boolean;
  /** Why a token found in a data dir was not sent (for error hints). */
  readonly withheld?: string;
  close(): void;
}

/** The token to send, or why none is sent (a hint for errors). */
export interface ResolvedToken {
  readonly token?: string;
  readonly withheld?: string;
}

/**
 * The bearer token, and whether it may go to `address`. `--token-file`, else $TSEM_TOKEN: the
 * user's choice, sent as given, but never in plain text off loopback without `--insecure`. Else
 * the admin token of a data dir (`--data`, else the default one): credentials stay home, so it
 * goes only to the server that wrote it (the address it recorded) and only over loopback, a unix
 * socket or TLS; a token found for another server is withheld.
 */
export async function resolveToken(
  args: ParsedArgs,
  address: string,
  tls: boolean,
  env: NodeJS.ProcessEnv = process.env
): Promise<ResolvedToken> {
  const { isLoopback, readServerRecord } = await import('../engine/server/admin-token.js');
  if (args.values.has('token'))
    throw new UsageError(
      '--token would show the token to every user in ps: put it in a file (--token-file FILE, mode 0600) or in $TSEM_TOKEN'
    );
  const file = args.values.get('token-file');
  let given = env['TSEM_TOKEN'];
  if (file !== undefined) {
    try {
      given = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ClientError(
        `cannot read --token-file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        undefined,
        EXIT.ioErr
      );
    }
    if (given === '')
      throw new ClientError(`--token-file '${file}' is empty`, undefined, EXIT.dataErr);
  }
  if (given !== undefined && given !== '') {
    if (!tls && !isLoopback(address) && !args.flags.has('insecure'))
      throw new ClientError(
        `refusing to send a bearer token in plain text to ${address}: use TLS (--tls-ca) or pass --insecure`,
        undefined,
        EXIT.usage
      );
    return { token: given };
  }
  const dataDir = args.values.get('data');
  const dirs =
    dataDir !== undefined
      ? [dataDir]
      : (await import('../engine/store/data-dir.js')).dataDirCandidates(env);
  let withheld: string | undefined;
  for (const dir of dirs) {
    let token: string;
    try {
      token = readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8').trim();
    } catch {
      continue; // no readable token file here: try the next place
    }
    if (token === '') continue;
    const home = readServerRecord(dir);
    if (home?.address !== address) {
      withheld ??= `the admin token in ${dir} belongs to the server at ${home?.address ?? 'an unrecorded address'}, not ${address}`;
      continue;
    }
    if (!tls && !home.tls && !isLoopback(address)) {
      withheld ??= `the admin token in ${dir} is sent only over TLS or loopback`;
      continue;
    }
    return { token };
  }
  return { withheld }; // no token for this server: it decides whether anonymous calls pass
}

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClientError(
      `cannot read --${option} file '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      undefined,
      EXIT.ioErr
    );
  }
}

/** The engine address: `--server`, or its alias `--to` (export), else the default. */
export function serverAddress(args: ParsedArgs): string {
  const server = args.values.get('server');
  const to = args.values.get('to');
  if (server !== undefined && to !== undefined && server !== to)
    throw new UsageError(
      `--to is an alias of --server: give one address, got '${server}' and '${to}'`
    );
  const address = server ?? to ?? DEFAULT_SERVER;
  if (address.trim() === '')
    throw new UsageError(
      `--${server !== undefined ? 'server' : 'to'} expects HOST:PORT, got an empty string`
    );
  return address;
}

/** Connects lazily (the first call dials). */
export async function connect(args: ParsedArgs): Promise<TsemClients> {
  const address = serverAddress(args);
  const [ca, cert, key] = [
    args.values.get('tls-ca'),
    args.values.get('tls-cert'),
    args.values.get('tls-key'),
  ];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('--tls-cert and --tls-key go together (client certificate and its key)');
  if (cert !== undefined && ca === undefined)
    throw new UsageError("--tls-cert needs --tls-ca (the server's CA certificate)");
  const grpcJs = await import('@grpc/grpc-js');
  const { loadTsemProto } = await import('../proto/load.js');
  const creds =
    ca === undefined
      ? grpcJs.credentials.createInsecure()
      : grpcJs.credentials.createSsl(
          readPem(ca, 'tls-ca'),
          key === undefined ? null : readPem(key, 'tls-key'),
          cert === undefined ? null : readPem(cert, 'tls-cert')
        );
  const { token, withheld } = await resolveToken(args, address, ca !== undefined);
  const metadata = new grpcJs.Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const v1 = loadTsemProto().proto.tsem.v1;
  const options = { 'grpc.max_receive_message_length': MAX_CLIENT_RECEIVE_BYTES };
  const control = new v1.Control(address, creds, options);
  // One channel for the three services.
  const channelOverride = control.getChannel();
  return {
    address,
    control,
    ingest: new v1.Ingest(address, creds, { ...options, channelOverride }),
    monitor: new v1.Monitor(address, creds, { ...options, channelOverride }),
    operations: new v1.Operations(address, creds, { ...options, channelOverride }),
    metadata,
    hasToken: token !== undefined,
    withheld,
    close: () => control.close(),
  };
}

const STATUS_NAMES: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/** One line for a failed call: what went wrong where, and what to try (grpc status codes). */
export function describeCallError(
  err: unknown,
  address: string,
  hasToken = true,
  withheld?: string
): string {
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof e.code !== 'number')
    return escapeText(err instanceof Error ? err.message : String(err));
  const details = escapeText(
    (typeof e.details === 'string' && e.details !== '' ? e.details : String(e.message))
      .replace(/\s+/g, ' ')
      .replace(/ ?Resolution note: ?$/, '') // grpc-js appends an empty note when name resolution was fine
      .replace(/Last error: Error: /, 'last error: ')
      .trim()
  );
  switch (e.code) {
    case 14: // UNAVAILABLE
    case 4: // DEADLINE_EXCEEDED before any answer
      return `cannot connect to ${address}: ${details} (is \`tsem serve\` running?)`;
    case 16: // UNAUTHENTICATED
      return `${address} refused the call: ${details} (${hasToken ? 'the token was not accepted: check --token-file or TSEM_TOKEN' : (withheld ?? "no token found: pass --token-file, set TSEM_TOKEN or point --data at the server's data dir")})`;
    case 7: // PERMISSION_DENIED
      return `${address} denied the call: ${details} (pass a --token-file with the needed role)`;
    default:
      return `${address}: ${STATUS_NAMES[e.code] ?? `status ${e.code}`}: ${details}`;
  }
}

type UnaryMethod<Req, Res> = (
  req: Req,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: grpc.requestCallback<Res>
) => grpc.ClientUnaryCall;

/** The Control service's RPCs (tsem.proto), by their proto names. */
export type ControlMethod =
  | 'CreateNamespace'
  | 'DeleteNamespace'
  | 'ListNamespaces'
  | 'GetNamespace'
  | 'SetMode'
  | 'LoadModel'
  | 'ExportModel'
  | 'GetPoints'
  | 'GetTrajectory'
  | 'GetForensics'
  | 'GetRejected'
  | 'GetConvergence'
  | 'Attest'
  | 'GetImaLog'
  | 'SetImaPolicy'
  | 'GetImaPolicy'
  | 'AddImaKey'
  | 'RemoveImaKey'
  | 'ListImaKeys'
  | 'GetAttestationKey'
  | 'ActivateCredential'
  | 'ListCanisters'
  | 'ListLabels'
  | 'GetLabelModel'
  | 'SaveLabelModel'
  | 'DeleteLabel'
  | 'ListPoints'
  | 'ListFindings'
  | 'Explain'
  | 'AcceptPoints'
  | 'SetConvergence';
// The last overload of each generated method is (argument, callback): it names both message types.
type RequestOf<M extends ControlMethod> = Parameters<ControlClient[M]>[0];
type ResponseOf<M extends ControlMethod> =
  Parameters<ControlClient[M]>[1] extends grpc.requestCallback<infer R> ? R : never;

/** Calls one Control method; a failure rejects with a ClientError phrased by describeCallError. */
export function callControl<M extends ControlMethod>(
  c: TsemClients,
  method: M,
  req: RequestOf<M>
): Promise<ResponseOf<M>> {
  const fn = c.control[method] as unknown as UnaryMethod<RequestOf<M>, ResponseOf<M>>;
  return new Promise((resolve, reject) => {
    fn.call(
      c.control,
      req,
      c.metadata,
      { deadline: Date.now() + UNARY_DEADLINE_MS },
      (err, res) => {
        if (err || res === undefined)
          reject(
            new ClientError(describeCallError(err, c.address, c.hasToken, c.withheld), {
              cause: err,
            })
          );
        else resolve(res);
      }
    );
  });
}

/** The Operations service's RPCs (tsem.proto). */
export type OperationsMethod = 'GetVersion' | 'ListIncidents' | 'ListTasks' | 'ReleaseTask';
type OpsRequestOf<M extends OperationsMethod> = Parameters<OperationsClient[M]>[0];
type OpsResponseOf<M extends OperationsMethod> =
  Parameters<OperationsClient[M]>[1] extends grpc.requestCallback<infer R> ? R : never;

/** Calls one Operations method; a failure rejects with a ClientError phrased by describeCallError. */
export function callOperations<M extends OperationsMethod>(
  c: TsemClients,
  method: M,
  req: OpsRequestOf<M>
): Promise<OpsResponseOf<M>> {
  const fn = c.operations[method] as unknown as UnaryMethod<OpsRequestOf<M>, OpsResponseOf<M>>;
  return new Promise((resolve, reject) => {
    fn.call(
      c.operations,
      req,
      c.metadata,
      { deadline: Date.now() + UNARY_DEADLINE_MS },
      (err, res) => {
        if (err || res === undefined)
          reject(new ClientError(describeCallError(err, c.address, c.hasToken), { cause: err }));
        else resolve(res);
      }
    );
  });
}

/** Whether `err` is an operational error to report in one line (not a programmer mistake). */
export function isReportable(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('TSEM_');
}

/**
 * Connects, runs `body`, closes. Operational errors (ClientError and the exporter's TSEM_* errors)
 * become one line `tsem <command>: …` on io.err and their exit status (cli/exit-status.ts).
 */
export async function runRemote(
  command: string,
  args: ParsedArgs,
  io: Io,
  body: (c: TsemClients) => Promise<number>
): Promise<number> {
  let clients: TsemClients | undefined;
  try {
    clients = await connect(args);
    return await body(clients);
  } catch (err) {
    if (!isReportable(err)) throw err;
    io.err(`tsem ${command}: ${escapeText(err.message)}\n`);
    return exitStatusOf(err);
  } finally {
    clients?.close();
  }
}

/** The name some commands use for runRemote (the conventions' exit statuses either way). */
export const runRemoteStatus = runRemote;
