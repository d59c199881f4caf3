/**
 * Loads the native addon (fanotify, audit netlink, getxattr) (binding.gyp → build/Release/tsem_native.node, built by `npm ci`) and
 * types its functions. A missing build is one clear error naming the file and how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../common/errors.js';

export interface FanRawEvent {
  readonly id: number;
  readonly fd: number;
  readonly pid: number;
  readonly mask: number;
  readonly perm: boolean;
}

export interface FanOpenOptions {
  readonly enforce: boolean;
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly ignorePids: readonly number[];
  readonly ignoreChildren: boolean;
}

export interface AuditRawMessage {
  readonly type: number;
  readonly seq: number;
  readonly data: Buffer;
}

declare const handleBrand: unique symbol;
export type NativeHandle = { readonly [handleBrand]: true };

export interface NativeAddon {
  fanOpen(opts: FanOpenOptions, onEvents: (batch: FanRawEvent[]) => void): NativeHandle;
  /** kind: 0 inode (directory with its children), 1 mount, 2 filesystem. */
  fanMark(h: NativeHandle, path: string, kind: 0 | 1 | 2, mask: number, remove: boolean): void;
  fanRespond(h: NativeHandle, id: number, allow: boolean): boolean;
  fanRelease(h: NativeHandle, id: number): void;
  fanStats(h: NativeHandle): {
    received: number;
    autoAllowed: number;
    timedOut: number;
    overflows: number;
    pending: number;
  };
  fanClose(h: NativeHandle): void;
  statfsType(fd: number): number;
  auditOpen(multicast: boolean, onMessages: (batch: AuditRawMessage[]) => void): NativeHandle;
  auditSend(h: NativeHandle, type: number, payload: Buffer): number;
  auditStats(h: NativeHandle): { socketOverruns: number };
  auditClose(h: NativeHandle): void;
  /** getxattr(2): the value, or null when the file has no such attribute; throws with an errno code. */
  getXattr(path: string, name: string): Buffer | null;
  /** One datagram to an AF_UNIX datagram socket (`@name` = abstract); bytes sent, throws with an errno code. */
  sendUnixDgram(path: string, data: Buffer): number;
  /** setxattr(2), creating or replacing the attribute; throws with an errno code. */
  setXattr(path: string, name: string, value: Buffer): void;
  /** The inode's i_generation (ioctl FS_IOC_GETVERSION); throws with an errno code (ENOTTY when
   * the filesystem has none). */
  fileGeneration(path: string): number;
  /** Landlock's highest ABI version here, or a negative errno (-ENOSYS not built, -EOPNOTSUPP off). */
  landlockAbi(): number;
}

const ADDON_RELATIVE = join('build', 'Release', 'tsem_native.node');

/** The tsem-engine package root (where build/ is), found from the compiled code. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsem-engine'
    )
      return dir;
    const up = resolve(dir, '..');
    if (up === dir)
      throw new EngineError(
        'TSEM_UNAVAILABLE',
        'native addon: the tsem-engine package.json was not found above the compiled code'
      );
    dir = up;
  }
}

let cached: NativeAddon | undefined;

/** The addon, loaded once; throws EngineError TSEM_UNAVAILABLE naming what is missing. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  if (process.platform !== 'linux') {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `fanotify and audit sources need Linux, this is ${process.platform}`
    );
  }
  const file = join(packageRoot(), ADDON_RELATIVE);
  if (!existsSync(file)) {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `native addon ${ADDON_RELATIVE} is missing: run \`npm ci\` (node-gyp builds it from binding.gyp; needs make and a C++ compiler)`
    );
  }
  try {
    cached = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    throw new EngineError(
      'TSEM_UNAVAILABLE',
      `native addon ${ADDON_RELATIVE} failed to load (${(err as Error).message}): rebuild it with \`npm rebuild\``,
      { cause: err }
    );
  }
  return cached;
}

/** errno code of an error thrown by the addon (EPERM, EINVAL, ...), if any. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
