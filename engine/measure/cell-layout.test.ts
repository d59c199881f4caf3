/** CELL layouts and kernel quirks of tsem-model.md §2.1/§2.3, checked byte by byte. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRecordLine } from '../event/parse-json.js';
import type { TsemEvent } from '../event/event.js';
import { ByteWriter } from './byte-writer.js';
import { KERNEL_CELL_WRITERS } from './cell-kernel.js';
import type { CellEnv } from './cell-parts.js';
import { createDigest } from './digest.js';
import { Mapper, pseudonym } from './mapper.js';

const sha = createDigest('sha256');
const T = 'ab'.repeat(32);
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
function ev(type: string, cell: object, digestSize = 32): TsemEvent {
  const t = 'ab'.repeat(digestSize);
  const r = parseRecordLine(
    JSON.stringify({ event: { process: 'p', type, task_id: t, p_task_id: t }, COE, [type]: cell }),
    { digestSize }
  );
  if (r.kind !== 'event') throw new Error('not an event');
  return r.event;
}
function preimage(e: TsemEvent, env: Partial<CellEnv> = {}): string {
  const w = new ByteWriter();
  const full: CellEnv = { ds: 32, zeroDigest: sha.zeroDigest, ...env };
  if (e.cell.hook === 'generic') throw new Error('generic');
  (KERNEL_CELL_WRITERS[e.cell.hook] as (w: ByteWriter, c: unknown, e: CellEnv) => void)(
    w,
    e.cell.value,
    full
  );
  return w.view().toString('hex');
}
const u32 = (n: number) => Buffer.from(Uint32Array.of(n).buffer).toString('hex');
const u16 = (n: number) => Buffer.from(Uint16Array.of(n).buffer).toString('hex');
const u64 = (n: bigint) => Buffer.from(BigUint64Array.of(n).buffer).toString('hex');
const str = (s: string) => u32(s.length) + Buffer.from(s).toString('hex');
const inode = (magic: string, uuid = '11'.repeat(16)) => ({
  uid: '1',
  gid: '2',
  mode: '0100644',
  s_magic: magic,
  s_id: 'sda1',
  s_uuid: uuid,
});
const inodeHex = (magic: number, uuid = '11'.repeat(16)) =>
  u32(1) +
  u32(2) +
  u32(0o100644) +
  u32(magic) +
  Buffer.from('sda1').toString('hex') +
  '00'.repeat(28) +
  uuid;
const dentry = {
  inode: inode('0xef53'),
  path: { dev: { major: '8', minor: '1' }, type: 'root', pathname: '/d/f' },
};
const dentryHex = inodeHex(0xef53) + u32(8) + u32(1) + str('/d/f');

test('tmpfs s_uuid is leveled to zeros', () => {
  const e = ev('inode_getattr', {
    path: { inode: inode('0x01021994'), path: { type: 'root', pathname: '/x' } },
  });
  assert.equal(preimage(e), inodeHex(0x01021994, '00'.repeat(16)) + str('/x'));
});

test('dentry paths carry no type string; file paths do', () => {
  const g = ev('inode_getattr', { path: dentry });
  assert.equal(preimage(g), dentryHex);
  const f = ev('file_open', {
    file: { flags: '0', inode: inode('0xef53'), path: dentry.path, digest: 'cd'.repeat(32) },
  });
  assert.equal(
    preimage(f),
    u32(0) + inodeHex(0xef53) + u32(8) + u32(1) + str('root') + str('/d/f') + 'cd'.repeat(32)
  );
});

test('mode argument is u16 for inode_create/mkdir; mknod dev is (major<<20)|minor', () => {
  const c = ev('inode_mkdir', { dir: inode('0xef53'), dentry, mode: '040755' });
  assert.equal(preimage(c), inodeHex(0xef53) + dentryHex + u16(0o40755));
  const n = ev('inode_mknod', {
    dir: inode('0xef53'),
    dentry,
    mode: '020644',
    dev: { major: '4', minor: '64' },
  });
  assert.equal(preimage(n), inodeHex(0xef53) + dentryHex + u16(0o20644) + u32((4 << 20) | 64));
});

test('creds are truncated to u32 uid (add_creds early exit)', () => {
  const cred = {
    uid: '7',
    euid: '8',
    suid: '9',
    gid: '1',
    egid: '1',
    sgid: '1',
    fsuid: '1',
    fsgid: '1',
    capeff: '0x1',
    securebits: '0',
  };
  assert.equal(preimage(ev('key_alloc', { cred, flags: '3' })), u32(7) + u64(3n));
  assert.equal(
    preimage(ev('task_prlimit', { cred, tcred: { ...cred, uid: '5' }, flags: '2' })),
    u32(7) + u32(5) + u32(2)
  );
  assert.equal(
    preimage(
      ev('key_permission', {
        key_ref: { possessed: '1', uid: '3', gid: '4', flags: '5' },
        cred,
        perm: '6',
      })
    ),
    u32(1) + u16(3) + u16(4) + u64(5n) + u32(7) + u32(6)
  );
});

test('sock owner and task_setpgid/setnice ids are zero-padded to 64 bytes; add_task ids are not', () => {
  const sock = { family: '2', type: '1', protocol: '6', owner: T };
  assert.equal(
    preimage(ev('socket_listen', { sock, backlog: '5' })),
    u32(2) + u32(1) + u32(6) + T + '00'.repeat(32) + u32(5)
  );
  assert.equal(
    preimage(ev('task_setpgid', { task: T, source: T })),
    T + '00'.repeat(32) + T + '00'.repeat(32)
  );
  assert.equal(
    preimage(ev('task_setnice', { task: T, nice: '-5' })),
    T + '00'.repeat(32) + u32(0xfffffffb)
  );
  assert.equal(
    preimage(ev('task_kill', { target: T, sig: '9', cross_ns: '0' })),
    T + u32(9) + u32(0)
  );
});

test('task_prctl: arg5 is not hashed (TSEM-6.12)', () => {
  const a = preimage(ev('task_prctl', { option: '1', arg2: '2', arg3: '3', arg4: '4', arg5: '5' }));
  assert.equal(a, u32(1) + u64(2n) + u64(3n) + u64(4n));
});

test('socket addresses: inet port and address in raw network order, unix path with no length', () => {
  const sock = { family: '2', type: '1', protocol: '6', owner: T };
  const sockHex = u32(2) + u32(1) + u32(6) + T + '00'.repeat(32);
  assert.equal(
    preimage(
      ev('socket_connect', { sock, addr: { af_inet: { port: '80', address: '127.0.0.1' } } })
    ),
    sockHex + '0050' + '7f000001'
  );
  assert.equal(
    preimage(ev('socket_bind', { sock, addr: { af_unix: { address: '/run/s' } } })),
    sockHex + Buffer.from('/run/s').toString('hex')
  );
  const v6 = { port: '443', flow: '1', scope: '2', address: '00'.repeat(15) + '01' };
  assert.equal(
    preimage(ev('socket_connect', { sock, addr: { af_inet6: v6 } })),
    sockHex + '01bb' + v6.address + u32(1) + u32(2)
  );
  assert.equal(
    preimage(ev('socket_accept', { sock, addr: { af_inet6: v6 } })),
    sockHex + '01bb' + v6.address
  );
});

test('bpf helpers hash only their first field; netlink hashes nsid_set twice', () => {
  assert.equal(preimage(ev('bpf', { cmd: '5', attr: { size: '72' } })), u32(5));
  assert.equal(preimage(ev('bpf_map', { map: { map_type: '2', fmode: '3' } })), u32(2));
  const sock = { family: '16', type: '3', protocol: '0', owner: T };
  const nl = preimage(
    ev('netlink_send', {
      sock,
      uid: '0',
      gid: '0',
      portid: '9',
      dst_group: '1',
      nsid_set: '1',
      nsid: '42',
    })
  );
  assert.ok(nl.endsWith(u32(9) + u32(1) + u32(1) + u32(1)));
});

test('inode created in the namespace: dir/ || instance || owner instead of the pathname', () => {
  const path = { type: 'root', pathname: '/tmp/new', instance: '3', owner: T };
  const e = ev('inode_create', { dir: inode('0xef53'), dentry: { path }, mode: '0100600' });
  assert.equal(preimage(e), inodeHex(0xef53) + str('/tmp/') + u64(3n) + T + u16(0o100600));
});

test('generic hooks map as H(name || H(""))', () => {
  const m = new Mapper(sha);
  assert.deepEqual(
    m.cellId({ hook: 'generic', name: 'tun_dev_open' }),
    sha.hash(Buffer.from('tun_dev_open'), sha.zeroDigest)
  );
});

test('pseudonyms replace the file digest with the zero digest', () => {
  const file = {
    flags: '1',
    inode: inode('0xef53'),
    path: { type: 'root', pathname: '/root/.bash_history' },
    digest: 'cd'.repeat(32),
  };
  const e = ev('file_open', { file });
  const plain = new Mapper(sha).cellId(e.cell);
  const p = new Mapper(sha, {
    pseudonyms: new Set([pseudonym(sha, Buffer.from('/root/.bash_history')).toString('hex')]),
  });
  const zeroed = ev('file_open', { file: { ...file, digest: sha.zeroDigest.toString('hex') } });
  assert.notDeepEqual(p.cellId(e.cell), plain);
  assert.deepEqual(p.cellId(e.cell), new Mapper(sha).cellId(zeroed.cell));
});

test('every field is sized by the namespace digest (sha384)', () => {
  const alg = createDigest('sha384');
  const e = ev('task_kill', { target: 'ab'.repeat(48), sig: '9', cross_ns: '0' }, 48);
  const m = new Mapper(alg);
  const c = m.coefficient('task_kill', e.header.pTaskId!, e.header.taskId!, e.coe, e.cell);
  assert.equal(c.length, 48);
  const cell = alg.hash(
    Buffer.concat([Buffer.from('ab'.repeat(48), 'hex'), Buffer.from(u32(9) + u32(0), 'hex')])
  );
  assert.deepEqual(
    c,
    alg.hash(Buffer.from('task_kill'), e.header.pTaskId!, e.header.taskId!, m.coeId(e.coe), cell)
  );
});

test('quixote-us dialect: no PTASK_ID, fsuid twice in the COE, task_kill reordered', () => {
  const e = ev('task_kill', { target: T, sig: '9', cross_ns: '1' });
  const us = new Mapper(sha, { dialect: 'quixote-us' });
  const coe = { ...e.coe, fsuid: 5, fsgid: 6 };
  const coeUs = sha.hash(Buffer.from(u32(0).repeat(6) + u32(5) + u32(5) + u64(0n), 'hex'));
  assert.deepEqual(us.coeId(coe), coeUs);
  const cellUs = sha.hash(Buffer.from(u32(1) + u32(9) + T, 'hex'));
  assert.deepEqual(
    us.coefficient('task_kill', e.header.pTaskId!, e.header.taskId!, coe, e.cell),
    sha.hash(Buffer.from('task_kill'), e.header.taskId!, coeUs, cellUs)
  );
  // Hooks without a userspace layout map generically there.
  const cap = ev('capable', { cap: '1', opts: '0' });
  assert.deepEqual(us.cellId(cap.cell), sha.hash(Buffer.from('capable'), sha.zeroDigest));
});
