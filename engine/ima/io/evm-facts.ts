/**
 * The facts EVM hashes, read from a real file (ima.md §9.5): the protected xattrs and
 * `security.evm` (getxattr(2)), inode number, owner, group and mode (stat), the generation
 * (FS_IOC_GETVERSION) and the filesystem UUID. Reading security.* xattrs needs root.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, loadNativeAddon } from '../../../native/addon.js';
import {
  EVM_IMA_XATTR_DIGSIG,
  EVM_PROTECTED_XATTRS,
  EVM_XATTR_HMAC,
  type EvmFacts,
} from '../evm.js';

export class EvmFactsError extends Error {
  override readonly name = 'EvmFactsError';
  constructor(
    message: string,
    readonly code?: string
  ) {
    super(message);
  }
}

export interface EvmFactOptions {
  /** The filesystem UUID to hash: a UUID, '' for none, undefined to look it up. */
  readonly uuid?: string;
  /** The generation to hash, when the filesystem cannot report it. */
  readonly generation?: number;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** A UUID as EVM hashes it: 16 raw bytes. */
export function uuidBytes(text: string): Buffer {
  if (!UUID.test(text))
    throw new EvmFactsError(`expected a UUID such as 0b3b0d6e-6a4e-…, got '${text}'`);
  return Buffer.from(text.replace(/-/g, ''), 'hex');
}

function majorMinor(dev: bigint): [number, number] {
  const d = Number(dev);
  return [(d >>> 8) & 0xfff, (d & 0xff) | ((d >>> 12) & 0xfff00)];
}

/**
 * The UUID of the filesystem holding `path`, as evmctl finds it: the /dev/disk/by-uuid link to the
 * block device, else `blkid` on the device sysfs names. Throws when neither knows it.
 */
export function filesystemUuid(path: string): Buffer {
  const dev = statSync(path, { bigint: true }).dev;
  try {
    for (const name of readdirSync('/dev/disk/by-uuid')) {
      const target = realpathSync(join('/dev/disk/by-uuid', name));
      if (statSync(target, { bigint: true }).rdev === dev) return uuidBytes(name);
    }
  } catch {
    // no udev links here: ask blkid below
  }
  const [major, minor] = majorMinor(dev);
  try {
    const uevent = readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, 'utf8');
    const devname = /^DEVNAME=(.+)$/m.exec(uevent)?.[1];
    if (devname) {
      const out = execFileSync('blkid', ['-s', 'UUID', '-o', 'value', `/dev/${devname}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (out) return uuidBytes(out);
    }
  } catch {
    // not a block device, or no blkid: said below
  }
  throw new EvmFactsError(
    `cannot find the UUID of the filesystem holding ${path} (device ${major}:${minor}); give it with --uuid, or --uuid '' when EVM leaves it out`
  );
}

/** `name` of `path`, or undefined when absent; throws EvmFactsError naming the errno. */
function xattr(path: string, name: string): Buffer | undefined {
  try {
    return loadNativeAddon().getXattr(path, name) ?? undefined;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENODATA') return undefined;
    throw new EvmFactsError(`cannot read ${name} of ${path}: ${code ?? String(err)}`, code);
  }
}

export function readEvmFacts(path: string, opts: EvmFactOptions = {}): EvmFacts {
  const st = statSync(path, { bigint: true });
  const xattrs = new Map<string, Buffer>();
  for (const name of EVM_PROTECTED_XATTRS) {
    const v = xattr(path, name);
    if (v !== undefined) xattrs.set(name, v);
  }
  let generation = opts.generation;
  if (generation === undefined) {
    try {
      generation = loadNativeAddon().fileGeneration(path);
    } catch (err) {
      throw new EvmFactsError(
        `cannot read the inode generation of ${path} (${errnoCode(err) ?? String(err)}); give it with --generation`,
        errnoCode(err)
      );
    }
  }
  const evm = xattr(path, 'security.evm');
  // Only the HMAC and the non-portable signature hash the UUID: look it up only for them.
  const hashesUuid = evm?.[0] === EVM_XATTR_HMAC || evm?.[0] === EVM_IMA_XATTR_DIGSIG;
  const fsuuid =
    opts.uuid === undefined
      ? hashesUuid
        ? filesystemUuid(path)
        : undefined
      : opts.uuid === ''
        ? undefined
        : uuidBytes(opts.uuid);
  return {
    xattrs,
    evm,
    ino: st.ino,
    generation,
    uid: Number(st.uid),
    gid: Number(st.gid),
    mode: Number(st.mode),
    ...(fsuuid ? { fsuuid } : {}),
  };
}
