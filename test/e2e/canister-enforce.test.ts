/**
 * Two canisters at once with different models (root: fanotify permission events on a tmpfs the
 * test mounts, cgroups): each is trained under its label, then both run in enforce mode side by
 * side. An exec outside its model in one is denied with EPERM and makes only that canister's task
 * untrusted, while the other (in its own pid and mount namespaces) runs on untouched.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import {
  canisterCgroups,
  canisterSkipReason,
  mountTmpfs,
  runSummaryOf,
  tsem,
} from '../helpers/canister.js';
import { heldLine } from '../helpers/events.js';

const skip = canisterSkipReason();

test(
  'two canisters, two models: an off-model exec is denied in one, the other runs on',
  { skip },
  async () => {
    const fs = mountTmpfs();
    const data = mkdtempSync(join(tmpdir(), 'tsem-canister-data-'));
    const marks = mkdtempSync(join(tmpdir(), 'tsem-canister-marks-'));
    let engine: RunningEngine | undefined;
    try {
      const progA = fs.program('/bin/true', 'prog-a');
      const progB = fs.program('/bin/true', 'prog-b');
      engine = await startEngine({
        listen: '127.0.0.1:0',
        dataDir: data,
        log: () => undefined,
        // A filesystem mark: it follows the tmpfs into a canister's own mount namespace.
        sources: [
          {
            kind: 'fanotify',
            watch: [fs.dir],
            markKind: 'filesystem',
            enforce: true,
            decisionTimeoutMs: 10_000,
            failMode: 'closed',
          },
        ],
      });
      const conn = ['--server', engine.address, '--data', data];
      const before = canisterCgroups();

      // Training: each label learns its own program.
      const trainA = await tsem(['run', ...conn, '--label', 'ca', '--json', '--', progA]);
      assert.equal(trainA.code, 0, trainA.stderr);
      assert.equal(runSummaryOf(trainA)['label_saved_points'], 1);
      const trainB = await tsem([
        'run',
        ...conn,
        '--label',
        'cb',
        '--unshare',
        'pid,mnt',
        '--',
        progB,
      ]);
      assert.equal(trainB.code, 0, trainB.stderr);

      // Both at once, enforcing. B loops on its program until A's off-model exec was denied.
      const aDone = join(marks, 'a-denied');
      const bReady = join(marks, 'b-ready');
      const runB = tsem([
        'run',
        ...conn,
        '--label',
        'cb',
        '--mode',
        'enforce',
        '--unshare',
        'pid,mnt',
        '--json',
        '--',
        'sh',
        '-c',
        `${progB} || exit 10; : > ${bReady}; until [ -e ${aDone} ]; do ${progB} || exit 11; sleep 0.02; done; ${progB} || exit 12`,
      ]);
      const runA = tsem([
        'run',
        ...conn,
        '--label',
        'ca',
        '--mode',
        'enforce',
        '--json',
        '--',
        'sh',
        '-c',
        `until [ -e ${bReady} ]; do sleep 0.02; done; ${progA} || exit 20; ${progB}; s=$?; : > ${aDone}; exit $s`,
      ]);
      const [a, b] = await Promise.all([runA, runB]);

      assert.equal(a.code, 126, `A's off-model exec fails as not executable: ${a.stderr}`);
      assert.match(a.stderr, /prog-b: Operation not permitted/, 'EPERM from the held exec');
      assert.equal(b.code, 0, `B runs on: ${b.stderr}`);
      const ca = engine.registry.require('ca');
      const cb = engine.registry.require('cb');
      assert.equal(ca.untrustedTaskCount(), 1, "A's task that tried prog-b is untrusted");
      assert.equal(ca.forensics().length, 1);
      assert.match(heldLine(ca.forensics().at(0)!), /prog-b/);
      assert.deepEqual([cb.untrustedTaskCount(), cb.forensics().length], [0, 0], 'B untouched');
      assert.equal(runSummaryOf(a)['untrusted_tasks'], 1);
      assert.equal(runSummaryOf(b)['forensics'], 0);
      assert.ok(existsSync(aDone));
      assert.deepEqual(canisterCgroups(), before, 'no canister cgroup left');
    } finally {
      await engine?.stop();
      fs.unmount();
      rmSync(data, { recursive: true, force: true });
      rmSync(marks, { recursive: true, force: true });
    }
  }
);
