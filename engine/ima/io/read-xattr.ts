/**
 * Reads `security.ima` of real files with getxattr(2) through the native addon (Node has no xattr
 * API). Reading security.* needs root (CI runs as root).
 */
import { errnoCode, loadNativeAddon } from '../../../native/addon.js';

export class XattrReadError extends Error {
  override readonly name = 'XattrReadError';
}

/** errno codes that mean "nothing to read here" rather than a failure. */
const ABSENT = new Set(['ENODATA', 'ENOATTR']);

/** `security.ima` bytes of `path`, or undefined when the file has none; throws XattrReadError. */
export function readImaXattrSync(path: string): Buffer | undefined {
  const addon = loadNativeAddon(); // throws a clear EngineError when the addon is not built
  try {
    return addon.getXattr(path, 'security.ima') ?? undefined;
  } catch (err) {
    const code = errnoCode(err);
    if (code && ABSENT.has(code)) return undefined;
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP')
      throw new XattrReadError(`${path}: filesystem has no xattr support`);
    throw new XattrReadError(
      `cannot read security.ima of ${path}: ${code ?? (err as Error).message}`
    );
  }
}

/** Promise form for callers that gather several file facts at once. */
export async function readImaXattr(path: string): Promise<Buffer | undefined> {
  return readImaXattrSync(path);
}
