import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFileSync, readLocalImaXattr } from './local-files.js';
import { readImaStageFiles, shippedPolicy } from './stage-files.js';

const isRoot = process.getuid?.() === 0;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-imastage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('hashFileSync hashes regular files in any kernel algorithm, and nothing else', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'f');
  const big = Buffer.alloc(3 * (1 << 20) + 17, 7); // several read chunks
  writeFileSync(file, big);
  for (const algo of ['sha1', 'sha256', 'sha512'])
    assert.deepEqual(hashFileSync(file, algo), createHash(algo).update(big).digest(), algo);
  assert.equal(hashFileSync(join(dir, 'missing'), 'sha256'), undefined);
  assert.equal(hashFileSync(dir, 'sha256'), undefined, 'a directory');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  assert.equal(
    hashFileSync(join(dir, 'fifo'), 'sha256'),
    undefined,
    'a FIFO is not read (it would block)'
  );
});

test(
  'readLocalImaXattr returns security.ima bytes, undefined when absent',
  {
    skip: isRoot
      ? undefined
      : 'setting security.* xattrs needs root (CI runs as root); skipped as non-root',
  },
  (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'f');
    writeFileSync(file, 'x');
    assert.equal(readLocalImaXattr(file), undefined);
    const value = Buffer.concat([
      Buffer.from([0x04, 0x04]),
      createHash('sha256').update('x').digest(),
    ]);
    execFileSync('setfattr', ['-n', 'security.ima', '-v', `0x${value.toString('hex')}`, file]);
    assert.deepEqual(readLocalImaXattr(file), value);
    assert.equal(readLocalImaXattr(join(dir, 'missing')), undefined);
  }
);

test('policy and key files: the shipped tcb policy, operator files, and clear errors', (t) => {
  const dir = tempDir(t);
  assert.match(shippedPolicy('tcb').text, /^measure func=BPRM_CHECK mask=MAY_EXEC$/m);
  writeFileSync(join(dir, 'p'), 'measure func=BPRM_CHECK\n');
  writeFileSync(join(dir, 'k.pem'), 'key bytes');
  assert.deepEqual(readImaStageFiles(join(dir, 'p'), [join(dir, 'k.pem')]), {
    policy: 'measure func=BPRM_CHECK\n',
    policySource: join(dir, 'p'),
    keys: [{ data: Buffer.from('key bytes'), source: join(dir, 'k.pem') }],
  });
  assert.deepEqual(readImaStageFiles(undefined, []), { keys: [] });
  assert.throws(
    () => readImaStageFiles(join(dir, 'nope'), []),
    /cannot read the IMA policy file .*nope: ENOENT/
  );
});
