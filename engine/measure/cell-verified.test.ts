/**
 * Every CELL layout tsem-model.md §2.3 marks VERIFIED, as a table of named cases: the event JSON and
 * the preimage the §2.3 formula gives (the published coefficients of §7 are in test/tsem-vectors).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TsemEvent } from '../event/event.js';
import { parseRecordLine } from '../event/parse-json.js';
import { ByteWriter } from './byte-writer.js';
import { KERNEL_CELL_WRITERS } from './cell-kernel.js';
import type { CellEnv } from './cell-parts.js';
import { createDigest } from './digest.js';

const sha = createDigest('sha256');
const T = '5a'.repeat(32);
const COE = {
  uid: '0',
  euid: '0',
  suid: '0',
  gid: '0',
  egid: '0',
  sgid: '0',
  fsuid: '0',
  fsgid: '0',
  capeff: '0x0',
};
const le = (bytes: number, v: bigint | number) => {
  const b = Buffer.alloc(bytes);
  if (bytes === 2) b.writeUInt16LE(Number(v));
  else if (bytes === 4) b.writeUInt32LE(Number(v));
  else b.writeBigUInt64LE(BigInt(v));
  return b.toString('hex');
};
const u16 = (v: number) => le(2, v);
const u32 = (v: number) => le(4, v);
const u64 = (v: number | bigint) => le(8, v);
const str = (s: string) => u32(Buffer.byteLength(s)) + Buffer.from(s).toString('hex');
const zeros = (n: number) => '00'.repeat(n);
const INODE = {
  uid: '0',
  gid: '0',
  mode: '040755',
  s_magic: '0xef53',
  s_id: 'sda3',
  s_uuid: 'e896110b42b24dbca89c7caa36961685',
};
const inodeHex =
  u32(0) +
  u32(0) +
  u32(0o40755) +
  u32(0xef53) +
  Buffer.from('sda3').toString('hex') +
  zeros(28) +
  'e896110b42b24dbca89c7caa36961685';
const PATH = { dev: { major: '8', minor: '3' }, type: 'root', pathname: '/etc' };
const pathHex = u32(8) + u32(3) + str('root') + str('/etc');
const dpathHex = u32(8) + u32(3) + str('/etc');
const DENTRY = { inode: INODE, path: PATH };
const dentryHex = inodeHex + dpathHex;
const SOCK = { family: '1', type: '1', protocol: '0', owner: T };
const sockHex = u32(1) + u32(1) + u32(0) + T + zeros(32);

function preimage(type: string, cell: object): string {
  const r = parseRecordLine(
    JSON.stringify({ event: { process: 'p', type, task_id: T, p_task_id: T }, COE, [type]: cell }),
    { digestSize: 32 }
  );
  const e = (r as { event: TsemEvent }).event;
  if (e.cell.hook === 'generic') throw new Error(`${type} parsed as generic`);
  const w = new ByteWriter();
  const env: CellEnv = { ds: 32, zeroDigest: sha.zeroDigest };
  (KERNEL_CELL_WRITERS[e.cell.hook] as (w: ByteWriter, c: unknown, env: CellEnv) => void)(
    w,
    e.cell.value,
    env
  );
  return w.view().toString('hex');
}

const CASES: [string, string, object, string][] = [
  [
    'capget: target[32] || u64 eff || u64 inh || u64 perm',
    'capget',
    { target: T, effective: '0x1ff', inheritable: '0', permitted: '0x1ff' },
    T + u64(0x1ff) + u64(0) + u64(0x1ff),
  ],
  [
    'capset: u64 eff || u64 inh || u64 perm',
    'capset',
    { effective: '1', inheritable: '2', permitted: '3' },
    u64(1) + u64(2) + u64(3),
  ],
  ['task_getscheduler: target[32]', 'task_getscheduler', { task: T }, T],
  [
    'task_setrlimit: target[32] || u32 resource || u64 cur || u64 max',
    'task_setrlimit',
    { task: T, new_rlim: { resource: '7', current: '1024', max: '4096' } },
    T + u32(7) + u64(1024) + u64(4096),
  ],
  [
    'ptrace_access_check: child[32] || u32 mode',
    'ptrace_access_check',
    { child: T, mode: '0x11' },
    T + u32(0x11),
  ],
  ['socket_sendmsg without addr: sock(s)', 'socket_sendmsg', { sock: SOCK }, sockHex],
  ['socket_recvmsg without addr: sock(s)', 'socket_recvmsg', { sock: SOCK }, sockHex],
  [
    'socket_socketpair: sock(a) || sock(b)',
    'socket_socketpair',
    { socka: SOCK, sockb: SOCK },
    sockHex + sockHex,
  ],
  [
    'inode_symlink: inode(dir) || dentry || str(old_name)',
    'inode_symlink',
    { dir: INODE, dentry: DENTRY, old_name: '/usr/bin/x' },
    inodeHex + dentryHex + str('/usr/bin/x'),
  ],
  [
    'inode_setattr: dentry || u32 valid,mode,uid,gid || u64 size',
    'inode_setattr',
    { dentry: DENTRY, attr: { valid: '0x60', mode: '0', uid: '0', gid: '0', size: '0' } },
    dentryHex + u32(0x60) + u32(0) + u32(0) + u32(0) + u64(0),
  ],
  ['sb_statfs: dentry', 'sb_statfs', { dentry: DENTRY }, dentryHex],
  [
    'sb_mount: str(dev_name) || path (with type) || str(fstype) || u64 flags',
    'sb_mount',
    { dev_name: 'devpts', path: PATH, type: 'devpts', flags: '0xa' },
    str('devpts') + pathHex + str('devpts') + u64(0xa),
  ],
  [
    'sb_umount: dentry(mnt) || u32 flags',
    'sb_umount',
    { mnt: DENTRY, flags: '2' },
    dentryHex + u32(2),
  ],
  [
    'sb_pivotroot: path(old) || path(new), both with type',
    'sb_pivotroot',
    { old_path: PATH, new_path: PATH },
    pathHex + pathHex,
  ],
  [
    'inode_mkdir on tmpfs: zeroed uuid and u16 mode',
    'inode_mkdir',
    { dir: { ...INODE, s_magic: '0x01021994' }, dentry: DENTRY, mode: '0755' },
    inodeHex
      .replace(u32(0xef53), u32(0x01021994))
      .replace('e896110b42b24dbca89c7caa36961685', zeros(16)) +
      dentryHex +
      u16(0o755),
  ],
];

for (const [name, type, cell, expected] of CASES) {
  test(`VERIFIED layout ${name}`, () => {
    assert.equal(preimage(type, cell), expected);
  });
}
