/**
 * Reads `security.ima` of real files. Node has no xattr API, so this runs `getfattr` (attr
 * package) with hex encoding, which is binary-safe; reading security.* needs root (CI runs as root).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class XattrReadError extends Error {
  override readonly name = 'XattrReadError';
}

/** `security.ima` bytes of `path`, or undefined when the file has none. */
export async function readImaXattr(path: string): Promise<Buffer | undefined> {
  try {
    const { stdout } = await run('getfattr', ['--absolute-names', '-n', 'security.ima', '-e', 'hex', '--', path], { maxBuffer: 1 << 20 });
    const m = /^security\.ima=0x([0-9a-f]*)$/m.exec(stdout);
    if (!m) throw new XattrReadError(`getfattr printed no security.ima value for ${path}`);
    return Buffer.from(m[1]!, 'hex');
  } catch (err) {
    if (err instanceof XattrReadError) throw err;
    const e = err as { code?: unknown; stderr?: string };
    if (e.code === 'ENOENT') throw new XattrReadError('getfattr not found: install the attr package');
    const stderr = e.stderr ?? '';
    if (/No such attribute|No data available/.test(stderr)) return undefined;
    if (/Operation not supported/.test(stderr)) throw new XattrReadError(`${path}: filesystem has no xattr support`);
    throw new XattrReadError(`cannot read security.ima of ${path}: ${stderr.trim() || String(err)}`);
  }
}
