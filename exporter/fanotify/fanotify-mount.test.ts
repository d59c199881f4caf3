import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JsonCell } from '../../proto/kernel-json.js';
import { rootSkipReason } from '../../test/helpers/repo.js';
import type { SourcedEvent } from '../source.js';
import { FanotifySource, fanotifyUnavailableReason } from './fanotify-source.js';

/** A private tmpfs keeps the mount mark narrow: only this test's files are on it. */
function mountTmpfs(): { dir: string; skip?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fanmnt-'));
  if (rootSkipReason()) return { dir, skip: rootSkipReason() };
  const why = fanotifyUnavailableReason(false);
  if (why) return { dir, skip: `fanotify unavailable here: ${why}` };
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tsem-test', dir], { stdio: 'pipe' });
    return { dir };
  } catch (err) {
    return { dir, skip: `cannot mount a tmpfs here: ${(err as Error).message.split('\n')[0]}` };
  }
}

const mnt = mountTmpfs();

test(
  'a mount mark on a tmpfs reports its files with the tmpfs magic, s_id and device',
  { skip: mnt.skip },
  async (t) => {
    t.after(() => {
      execFileSync('umount', [mnt.dir]);
      rmSync(mnt.dir, { recursive: true, force: true });
    });
    const file = join(mnt.dir, 'on-tmpfs.txt');
    writeFileSync(file, 'tmpfs content');
    const src = new FanotifySource({ watch: [mnt.dir], ignoreChildren: false });
    await src.start();
    const seen: SourcedEvent[] = [];
    const consuming = (async () => {
      for await (const e of src) seen.push(e);
    })();
    const child = spawn('cat', [file], { stdio: 'ignore' });
    await new Promise((r) => child.on('close', r));
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await src.stop();
    await consuming;
    const ev = seen.find((e) => e.event.event.type === 'file_open');
    assert.ok(ev, 'no file_open on the tmpfs mount');
    const f = (ev.event['file_open'] as JsonCell)['file'] as JsonCell;
    const inode = f['inode'] as JsonCell;
    assert.equal(inode['s_magic'], '0x1021994');
    assert.equal(inode['s_id'], 'tmpfs');
    const [major, minor] = execFileSync('stat', ['-c', '%Hd %Ld', file])
      .toString()
      .trim()
      .split(' ');
    assert.deepEqual((f['path'] as JsonCell)['dev'], { major, minor });
    assert.equal((f['path'] as JsonCell)['pathname'], file);
  }
);

if (mnt.skip) rmSync(mnt.dir, { recursive: true, force: true });
