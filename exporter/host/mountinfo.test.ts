import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { test } from 'node:test';
import {
  devMajor,
  devMinor,
  extUuid,
  MountTable,
  parseMountInfo,
  superblockId,
} from './mountinfo.js';

// Hand-written /proc/self/mountinfo lines (fs/proc_namespace.c show_mountinfo format).
const MOUNTINFO = [
  '22 1 8:3 / / rw,relatime shared:1 - ext4 /dev/sda3 rw,errors=remount-ro',
  '35 22 0:31 / /run/my\\040dir rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=1024k',
  '40 22 0:5 / /dev rw,nosuid master:2 - devtmpfs udev rw,size=4k',
  'short line',
].join('\n');

test('mountinfo: device, mount point (octal escapes), fs type, source; s_id as the kernel names it', () => {
  const m = parseMountInfo(MOUNTINFO);
  assert.equal(m.length, 3);
  assert.deepEqual(m[0], {
    major: 8,
    minor: 3,
    mountPoint: '/',
    fsType: 'ext4',
    source: '/dev/sda3',
  });
  assert.equal(m[1]!.mountPoint, '/run/my dir');
  assert.equal(superblockId(m[0]), 'sda3');
  assert.equal(superblockId(m[1]), 'tmpfs');
  assert.equal(superblockId(m[2]), 'devtmpfs');
  assert.equal(superblockId(undefined), '');
});

test('ext4 superblock UUID at offset 0x68, only with the 0xef53 magic', () => {
  const sb = Buffer.alloc(0x100);
  sb.writeUInt16LE(0xef53, 0x38);
  Buffer.from('e896110b42b24dbca89c7caa36961685', 'hex').copy(sb, 0x68);
  assert.equal(extUuid(sb), 'e896110b42b24dbca89c7caa36961685');
  sb.writeUInt16LE(0x1234, 0x38);
  assert.equal(extUuid(sb), undefined);
});

test('device numbers split as glibc major()/minor(); the root mount is found by device', () => {
  assert.equal(devMajor(0x803n), 8);
  assert.equal(devMinor(0x803n), 3);
  // A large minor spreads over both halves of dev_t: makedev(259, 0x12345).
  const dev = (259n << 8n) | 0x45n | (0x123n << 20n);
  assert.equal(devMajor(dev), 259);
  assert.equal(devMinor(dev), 0x12345);
  const st = statSync('/', { bigint: true });
  const root = new MountTable().byDevice(devMajor(st.dev), devMinor(st.dev));
  assert.ok(root, 'root filesystem not in mountinfo');
  assert.match(new MountTable().uuid(devMajor(st.dev), devMinor(st.dev)), /^[0-9a-f]{32}$/);
});
