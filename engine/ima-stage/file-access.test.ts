import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEventObject } from '../event/parse-json.js';
import { fileAccessOf, openMask } from './file-access.js';
import { fileCell, fileEvent, sha256 } from './test-events.js';

const MAY_EXEC = 1,
  MAY_WRITE = 2,
  MAY_READ = 4,
  MAY_APPEND = 8;

test('open modes map to MAY_* bits (ACC_MODE, O_APPEND)', () => {
  const cases: [string, number, number][] = [
    ['O_RDONLY|O_LARGEFILE', 0o100000, MAY_READ],
    ['O_WRONLY', 0o1, MAY_WRITE],
    ['O_RDWR', 0o2, MAY_READ | MAY_WRITE],
    ['O_WRONLY|O_APPEND', 0o2001, MAY_WRITE | MAY_APPEND],
  ];
  for (const [name, flags, mask] of cases) assert.equal(openMask(flags), mask, name);
});

test('file_open maps to FILE_CHECK, or BPRM_CHECK with __FMODE_EXEC; mmap PROT_EXEC to MMAP_CHECK', () => {
  const spec = { path: '/usr/bin/true', content: 'x', dev: { major: 8, minor: 3 } };
  const exec = fileAccessOf(fileEvent('file_open', { ...spec, flags: 32800 }))!;
  assert.equal(exec.func, 'BPRM_CHECK');
  assert.equal(exec.mask, MAY_EXEC);
  const read = fileAccessOf(fileEvent('file_open', { ...spec, flags: 32768 }))!;
  assert.equal(read.func, 'FILE_CHECK');
  assert.equal(read.mask, MAY_READ);
  const write = fileAccessOf(fileEvent('file_open', { ...spec, flags: 0o100001 }))!;
  assert.equal(write.mask, MAY_WRITE);
  const mmap = fileAccessOf(fileEvent('mmap_file', spec, 5))!;
  assert.equal(mmap.func, 'MMAP_CHECK');
  assert.equal(mmap.mask, MAY_EXEC);
  assert.equal(
    fileAccessOf(fileEvent('mmap_file', spec, 3)),
    undefined,
    'PROT_READ|PROT_WRITE is not an exec mapping'
  );
  // The file identity and policy context come from the CELL.
  assert.equal(read.path, '/usr/bin/true');
  assert.equal(read.dev, (8 << 20) | 3);
  assert.deepEqual(read.digest, sha256('x'));
  assert.equal(read.fsmagic, 0xef53);
  assert.equal(read.fsuuid, '01234567-89ab-cdef-0123-456789abcdef');
  assert.equal(read.fowner, 0);
});

test('credentials come from the COE, CAP_SETUID/CAP_SETGID from capeff', () => {
  const plain = fileAccessOf(
    fileEvent('file_open', { path: '/f', content: 'x', uid: 1000, capeff: '0x0' })
  )!;
  assert.deepEqual(plain.cred, {
    uid: 1000,
    euid: 1000,
    suid: 1000,
    gid: 1000,
    egid: 1000,
    sgid: 1000,
    capSetuid: false,
    capSetgid: false,
  });
  const setuid = fileAccessOf(
    fileEvent('file_open', { path: '/f', content: 'x', uid: 1000, capeff: '0x80' })
  )!;
  assert.equal(setuid.cred.capSetuid, true);
  assert.equal(setuid.cred.capSetgid, false);
});

test('anonymous mmaps and other hooks are not IMA events', () => {
  const anon = parseEventObject(
    {
      event: { pid: '1', process: 'p', type: 'mmap_file' },
      COE: {
        uid: '0',
        euid: '0',
        suid: '0',
        gid: '0',
        egid: '0',
        sgid: '0',
        fsuid: '0',
        fsgid: '0',
        capeff: '0x0',
      },
      mmap_file: { prot: '5', flags: '34' },
    },
    { digestSize: 32 }
  );
  assert.equal(fileAccessOf(anon), undefined);
  const creds = parseEventObject(
    {
      event: { pid: '1', process: 'p', type: 'bprm_committed_creds' },
      COE: {
        uid: '0',
        euid: '0',
        suid: '0',
        gid: '0',
        egid: '0',
        sgid: '0',
        fsuid: '0',
        fsgid: '0',
        capeff: '0x0',
      },
      bprm_committed_creds: { file: fileCell({ path: '/bin/sh', content: 'x', flags: 32800 }) },
    },
    { digestSize: 32 }
  );
  assert.equal(creds.cell.hook, 'bprm_committed_creds');
  assert.equal(fileAccessOf(creds), undefined, 'the exec was counted at its file_open');
});
