/**
 * One NATS connection from command-line style options: URL, TLS (CA, optional client
 * certificate) and credentials (user and password from a file, or an nkey seed file). A password
 * never travels in plain text off loopback: without TLS such a connection is refused.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import { EngineError, errorMessage } from '../../common/errors.js';

export interface NatsOptions {
  /** nats://HOST:PORT or tls://HOST:PORT; several separated by commas. */
  readonly url: string;
  readonly user?: string;
  readonly passwordFile?: string;
  /** A file holding an nkey seed (SU…): challenge-response, no secret on the wire. */
  readonly nkeyFile?: string;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The connection's name in the server's monitoring. */
  readonly name?: string;
  /** Reply subjects' prefix: a host or watcher credential may subscribe to its own only. */
  readonly inboxPrefix?: string;
}

function readSecret(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `cannot read the NATS ${what} file '${path}': ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`
    );
  }
}

const LOOPBACK = /^(?:(?:nats|tls):\/\/)?(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?$/;

export function connectionOptions(o: NatsOptions): ConnectionOptions {
  const servers = o.url.split(',').map((s) => s.trim());
  for (const s of servers)
    if (!/^(?:(?:nats|tls):\/\/)?[^\s/]+$/.test(s))
      throw new EngineError(
        'TSEM_INVALID_ARGUMENT',
        `--nats expects nats://HOST:PORT or tls://HOST:PORT, got '${s}'`
      );
  if ((o.certFile === undefined) !== (o.keyFile === undefined))
    throw new EngineError('TSEM_INVALID_ARGUMENT', '--nats-cert and --nats-key go together');
  if (o.passwordFile !== undefined && o.user === undefined)
    throw new EngineError('TSEM_INVALID_ARGUMENT', '--nats-password-file needs --nats-user');
  if (o.user !== undefined && o.nkeyFile !== undefined)
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      '--nats-user and --nats-nkey exclude each other'
    );
  const tls =
    o.caFile !== undefined ||
    o.certFile !== undefined ||
    servers.some((s) => s.startsWith('tls://'));
  if (o.passwordFile !== undefined && !tls && !servers.every((s) => LOOPBACK.test(s)))
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `refusing to send a NATS password to ${o.url} in plain text: give --nats-ca (TLS), use an nkey, or connect on loopback`
    );
  return {
    servers,
    name: o.name,
    ...(o.inboxPrefix !== undefined ? { inboxPrefix: o.inboxPrefix } : {}),
    ...(o.user !== undefined
      ? { user: o.user, pass: o.passwordFile ? readSecret(o.passwordFile, 'password') : undefined }
      : {}),
    ...(o.nkeyFile !== undefined
      ? {
          authenticator: nkeyAuthenticator(
            new TextEncoder().encode(readSecret(o.nkeyFile, 'nkey seed'))
          ),
        }
      : {}),
    ...(tls
      ? {
          tls: {
            ...(o.caFile !== undefined ? { caFile: o.caFile } : {}),
            ...(o.certFile !== undefined ? { certFile: o.certFile, keyFile: o.keyFile } : {}),
          },
        }
      : {}),
    // The fleet rides out a server restart: reconnect for ever, buffering what is being sent.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
  };
}

/** Connects; a server that cannot be reached or refuses the credentials is TSEM_UNAVAILABLE. */
export async function connectNats(o: NatsOptions): Promise<NatsConnection> {
  const opts = connectionOptions(o);
  try {
    return await connect(opts);
  } catch (err) {
    const auth = /authorization|authentication/i.test(errorMessage(err));
    throw new EngineError(
      auth ? 'TSEM_UNAUTHENTICATED' : 'TSEM_UNAVAILABLE',
      `cannot connect to NATS at ${o.url}: ${errorMessage(err)}`,
      { cause: err }
    );
  }
}
