/** Builders of kernel-JSON events for tests (all values strings, as the kernel emits them). */
import type { TsemEventJson } from '../../proto/kernel-json.js';
import type { HeldEntry } from '../../engine/ns/namespace-model.js';

export const ROOT_COE = {
  uid: '0',
  euid: '0',
  suid: '0',
  gid: '0',
  egid: '0',
  sgid: '0',
  fsuid: '0',
  fsgid: '0',
  capeff: '0x1ffffffffff',
};

export function fileCell(pathname: string, digestHex: string, flags = '32768') {
  return {
    flags,
    inode: {
      uid: '0',
      gid: '0',
      mode: '0100644',
      s_magic: '0xef53',
      s_id: 'sda1',
      s_uuid: '0123456789abcdef0123456789abcdef',
    },
    path: { dev: { major: '8', minor: '1' }, type: 'root', pathname },
    digest: digestHex,
  };
}

/** An event from a non-kernel source: pid/ppid, no task ids (the task table derives them). */
export function sourceEvent(
  pid: number,
  type: string,
  cell: object,
  opts: { ppid?: number; process?: string; coe?: object } = {}
): TsemEventJson {
  return {
    event: {
      pid: String(pid),
      ...(opts.ppid !== undefined ? { ppid: String(opts.ppid) } : {}),
      process: opts.process ?? 'proc',
      type,
    },
    COE: (opts.coe ?? ROOT_COE) as TsemEventJson['COE'],
    [type]: cell,
  } as unknown as TsemEventJson;
}

/**
 * The line of an entry the model still holds in memory (the newest DEFAULT_LINE_TAIL of each list
 * of a store-backed namespace, every entry of one without a store); a test that reads an older one
 * must read it through entry-lines.ts.
 */
export function heldLine(e: HeldEntry): string {
  if (e.line === undefined)
    throw new Error('entry line released to the store: read it with entriesWithLines()');
  return e.line;
}
