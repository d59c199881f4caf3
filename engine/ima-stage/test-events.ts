/** Builders of file events for the IMA stage's tests (kernel JSON, parsed as the engine does). */
import { createHash } from 'node:crypto';
import type { TsemEvent } from '../event/event.js';
import type { TsemEventJson } from '../../proto/kernel-json.js';
import { parseEventObject } from '../event/parse-json.js';

export interface FileEventSpec {
  readonly path: string;
  /** File contents: the CELL digest is their SHA-256. */
  readonly content: string | Buffer;
  readonly flags?: number;
  readonly uid?: number;
  readonly sMagic?: number;
  readonly capeff?: string;
  readonly dev?: { major: number; minor: number };
}

export const sha256 = (content: string | Buffer): Buffer =>
  createHash('sha256').update(content).digest();

export function fileCell(s: FileEventSpec) {
  return {
    flags: String(s.flags ?? 0o100000),
    inode: {
      uid: '0',
      gid: '0',
      mode: '0100755',
      s_magic: `0x${(s.sMagic ?? 0xef53).toString(16)}`,
      s_id: 'sda1',
      s_uuid: '0123456789abcdef0123456789abcdef',
    },
    path: {
      ...(s.dev ? { dev: { major: String(s.dev.major), minor: String(s.dev.minor) } } : {}),
      type: 'root',
      pathname: s.path,
    },
    digest: sha256(s.content).toString('hex'),
  };
}

function coe(uid: number, capeff: string) {
  const u = String(uid);
  return { uid: u, euid: u, suid: u, gid: u, egid: u, sgid: u, fsuid: u, fsgid: u, capeff };
}

/** The kernel JSON of a file event (`file_open`, or `mmap_file` with `prot`). */
export function fileEventJson(
  type: 'file_open' | 'mmap_file',
  s: FileEventSpec,
  prot = 5
): TsemEventJson {
  const cell =
    type === 'file_open'
      ? { file: fileCell(s) }
      : { file: fileCell(s), prot: String(prot), flags: '2' };
  return {
    event: { pid: '100', process: 'test', type },
    COE: coe(s.uid ?? 0, s.capeff ?? '0x1ffffffffff'),
    [type]: cell,
  } as unknown as TsemEventJson;
}

export function fileEvent(type: 'file_open' | 'mmap_file', s: FileEventSpec, prot = 5): TsemEvent {
  return parseEventObject(fileEventJson(type, s, prot), { digestSize: 32 });
}
