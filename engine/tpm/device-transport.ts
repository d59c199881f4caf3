/**
 * The kernel TPM character devices: `/dev/tpmrm0` (with the in-kernel resource manager, which
 * flushes our transient objects when we close) or `/dev/tpm0`. One write() is one command, the
 * next read() returns the whole response.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { EngineError } from '../../common/errors.js';
import { MAX_RESPONSE_BYTES, type TpmTransport } from './transport.js';

export async function openDeviceTransport(path: string): Promise<TpmTransport> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new EngineError('TSEM_UNAVAILABLE', `cannot open TPM device '${path}': ${code}`, {
      cause: err,
    });
  }
  let queue: Promise<unknown> = Promise.resolve();
  const once = async (command: Buffer): Promise<Buffer> => {
    try {
      await fh.write(command, 0, command.length);
      const buf = Buffer.alloc(MAX_RESPONSE_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      return buf.subarray(0, bytesRead);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new EngineError('TSEM_UNAVAILABLE', `TPM device '${path}': ${code}`, { cause: err });
    }
  };
  return {
    description: path,
    transmit(command) {
      // The device takes one command at a time: chain them.
      const next = queue.then(() => once(command));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await fh.close();
    },
  };
}
