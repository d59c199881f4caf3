/**
 * The TCP protocol of the Microsoft/IBM TPM simulator (mssim), which swtpm's server port also
 * accepts: on the command port, `u32 TPM_SEND_COMMAND(8) || u8 locality || u32 size || command`,
 * answered by `u32 size || response || u32 0`. Power is signalled on a second, platform port:
 *   mssim:  u32 TPM_SIGNAL_POWER_ON(1), then u32 TPM_SIGNAL_NV_ON(11), each answered by u32 0;
 *   swtpm:  its control channel instead takes u32 CMD_INIT(2) || u32 flags, answered by u32 result.
 */
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { EngineError } from '../../common/errors.js';
import { MAX_RESPONSE_BYTES, type TpmTransport } from './transport.js';

const TPM_SEND_COMMAND = 8;
const TPM_SIGNAL_POWER_ON = 1;
const TPM_SIGNAL_NV_ON = 11;
const TPM_SESSION_END = 20;
const SWTPM_CMD_INIT = 2;
const COMMAND_TIMEOUT_MS = 60_000;
/**
 * swtpm and mssim serve one client at a time: a second client's connection is accepted by the
 * kernel but never read, so its first command would wait for the whole command timeout. A
 * simulator answers a command in milliseconds; silence for this long means another client holds it.
 */
const FIRST_ANSWER_TIMEOUT_MS = 1000;

export type PlatformDialect = 'mssim' | 'swtpm';

export interface TcpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly platformPort: number;
  readonly dialect: PlatformDialect;
}

/** Reads exact byte counts from a socket, failing on close, error or timeout. */
class SocketReader {
  private data = Buffer.alloc(0);
  private waiter?: () => void;
  private failure?: Error;

  constructor(
    socket: Socket,
    private readonly where: string
  ) {
    socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.waiter?.();
    });
    socket.on('error', (err) =>
      this.fail(
        new EngineError(
          'TSEM_UNAVAILABLE',
          `${where}: ${(err as NodeJS.ErrnoException).code ?? err.message}`,
          { cause: err }
        )
      )
    );
    socket.on('close', () =>
      this.fail(
        new EngineError('TSEM_UNAVAILABLE', `${where}: connection closed by the TPM simulator`)
      )
    );
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.waiter?.();
  }

  async read(n: number, what: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.data.length < n) {
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new EngineError(
          'TSEM_UNAVAILABLE',
          timeoutMs === FIRST_ANSWER_TIMEOUT_MS
            ? `${this.where}: TPM busy: no answer within ${timeoutMs} ms; the simulator serves one client at a time and another one holds it (a running \`tsem serve --tpm\`?)`
            : `${this.where}: no ${what} within ${timeoutMs} ms`
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const out = this.data.subarray(0, n);
    this.data = this.data.subarray(n);
    return Buffer.from(out);
  }
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

async function connectTo(host: string, port: number, what: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.removeAllListeners('error');
      s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new EngineError(
          'TSEM_UNAVAILABLE',
          `cannot connect to ${what} at ${host}:${port}: ${err.code ?? err.message}`,
          { cause: err }
        )
      );
    });
  });
}

/** Sends the platform power-on signals (see the file comment for both dialects). */
async function signalPowerOn(ep: TcpEndpoint): Promise<void> {
  const where = `${ep.dialect} platform port ${ep.host}:${ep.platformPort}`;
  const socket = await connectTo(ep.host, ep.platformPort, `${ep.dialect} platform port`);
  const reader = new SocketReader(socket, where);
  try {
    const steps: [string, Buffer][] =
      ep.dialect === 'swtpm'
        ? [['CMD_INIT', u32(SWTPM_CMD_INIT, 0)]]
        : [
            ['TPM_SIGNAL_POWER_ON', u32(TPM_SIGNAL_POWER_ON)],
            ['TPM_SIGNAL_NV_ON', u32(TPM_SIGNAL_NV_ON)],
          ];
    for (const [name, msg] of steps) {
      socket.write(msg);
      const result = (
        await reader.read(4, `answer to ${name}`, FIRST_ANSWER_TIMEOUT_MS)
      ).readUInt32BE();
      if (result !== 0)
        throw new EngineError(
          'TSEM_UNAVAILABLE',
          `${where}: ${name} answered 0x${result.toString(16)}, expected 0`
        );
    }
  } finally {
    socket.destroy();
  }
}

export async function openTcpTransport(ep: TcpEndpoint): Promise<TpmTransport> {
  const where = `${ep.dialect} command port ${ep.host}:${ep.port}`;
  const socket = await connectTo(ep.host, ep.port, `${ep.dialect} command port`);
  const reader = new SocketReader(socket, where);
  let queue: Promise<unknown> = Promise.resolve();
  let answered = false;
  const once = async (command: Buffer): Promise<Buffer> => {
    socket.write(
      Buffer.concat([u32(TPM_SEND_COMMAND), Buffer.of(0), u32(command.length), command])
    );
    const first = answered ? COMMAND_TIMEOUT_MS : FIRST_ANSWER_TIMEOUT_MS;
    const size = (await reader.read(4, 'response size', first)).readUInt32BE();
    answered = true;
    if (size > MAX_RESPONSE_BYTES)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        `${where}: response size ${size} exceeds ${MAX_RESPONSE_BYTES} (not a TPM simulator?)`
      );
    const response = await reader.read(size, 'response');
    await reader.read(4, 'trailing acknowledgement');
    return response;
  };
  return {
    description: `${ep.dialect} ${ep.host}:${ep.port}`,
    transmit(command) {
      const next = queue.then(() => once(command));
      queue = next.catch(() => undefined);
      return next;
    },
    powerOn: () => signalPowerOn(ep),
    async close() {
      // mssim expects TPM_SESSION_END before a disconnect; swtpm would read it as a command.
      if (ep.dialect === 'mssim' && !socket.destroyed) socket.write(u32(TPM_SESSION_END));
      await new Promise<void>((resolve) => socket.end(resolve));
      socket.destroy();
    },
  };
}
