import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FileStat } from './file-cell.js';
import { FileDigester } from './file-digest.js';
import { LARGE_FILE_BYTES, offloadedDigests } from './hash-offload.js';

function statOf(path: string): FileStat {
  const s = statSync(path, { bigint: true });
  return {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
  };
}

test('large files are hashed in the worker thread, small ones on the loop, with the same digests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-digest-'));
  try {
    const big = join(dir, 'big');
    const small = join(dir, 'small');
    const bigData = Buffer.alloc(Number(LARGE_FILE_BYTES) * 3 + 12345, 7);
    bigData.write('not all the same', 1 << 20);
    writeFileSync(big, bigData);
    writeFileSync(small, 'small file');
    for (const alg of ['sha256', 'sha384']) {
      const d = new FileDigester(alg);
      const before = offloadedDigests();
      assert.equal(await d.ofPath(big, statOf(big)), createHash(alg).update(bigData).digest('hex'));
      assert.equal(offloadedDigests(), before + 1, 'the large file went to the worker');
      assert.equal(
        await d.ofPath(small, statOf(small)),
        createHash(alg).update('small file').digest('hex')
      );
      assert.equal(offloadedDigests(), before + 1, 'the small file stayed on the loop');
      // The digest is cached per inode and change time: no second trip to the worker.
      await d.ofPath(big, statOf(big));
      assert.equal(offloadedDigests(), before + 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker read error rejects with its code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-digest-'));
  try {
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(Number(LARGE_FILE_BYTES), 1));
    const st = statOf(big);
    const fd = openSync(dir, 'r'); // a directory: read(2) fails with EISDIR in the worker
    try {
      await assert.rejects(new FileDigester('sha256').ofFd(fd, st), { code: 'EISDIR' });
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
