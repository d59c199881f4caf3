import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventObject } from '../../engine/event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../../engine/ns/namespace-model.js';
import type { JsonCell } from '../../proto/kernel-json.js';
import type { SimFile } from '../../exporter/sim/filesystem.js';
import { createScenario, listScenarios } from '../../exporter/sim/scenario.js';
import { createSimDigest } from '../../exporter/sim/sim-digest.js';
import { execTaskId, fileCellPreimage } from '../../exporter/sim/task-id.js';

// tsem-model.md TV-3: /usr/bin/bash as exec'd on the guide's TSEM-6.12 machine.
const BASH: SimFile = {
  flags: 32800,
  inode: {
    uid: 0,
    gid: 0,
    mode: 0o100755,
    magic: 0xef53,
    sId: 'sda3',
    sUuid: 'e896110b42b24dbca89c7caa36961685',
  },
  path: { dev: { major: 8, minor: 3 }, type: 'root', pathname: '/usr/bin/bash' },
  digest: '59474588a312b6b6e73e5a42a59bf71e62b55416b6c9d5e4a6e1c630c2a9ecd4',
};

test('file CELL_ID of /usr/bin/bash matches TV-3', () => {
  const d = createSimDigest('sha256');
  assert.equal(
    d.hash(fileCellPreimage(BASH)).toString('hex'),
    '47de1bf7d9679705e7d671497894aa6000ebb4f5f453f57a1a8345536ce1fee6'
  );
});

test('TASK_ID of the workload shell matches TV-5', () => {
  const d = createSimDigest('sha256');
  const pTaskId = '8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb';
  assert.equal(
    execTaskId(d, pTaskId, BASH),
    '094e29687d185cf4eaa48ddebfcda205465ad78df543e361621ea0acf2d4f986'
  );
});

test('a tmpfs file hashes a zero s_uuid, whatever the inode says (§2.1 UUID leveling)', () => {
  const d = createSimDigest('sha256');
  const tmp = (sUuid: string): SimFile => ({
    flags: 32800,
    inode: { uid: 0, gid: 0, mode: 0o100755, magic: 0x01021994, sId: 'tmpfs', sUuid },
    path: { type: 'root', pathname: '/x' },
    digest: d.zeroHex,
  });
  assert.equal(
    execTaskId(d, d.nullHex, tmp('11'.repeat(16))),
    execTaskId(d, d.nullHex, tmp('22'.repeat(16)))
  );
});

/** Every `owner` a CELL carries, found anywhere in it (socks and created paths). */
function owners(cell: JsonCell | undefined, out: string[] = []): string[] {
  for (const [k, v] of Object.entries(cell ?? {})) {
    if (typeof v === 'string') {
      if (k === 'owner') out.push(v);
    } else owners(v, out);
  }
  return out;
}

for (const digest of ['sha256', 'sha384']) {
  test(`owners the simulator computes are the TASK_IDs the engine derives (${digest})`, () => {
    let checked = 0;
    for (const { name } of listScenarios()) {
      const sc = createScenario(name, { seed: 11, iterations: 1, digest });
      const ns = new NamespaceModel(createNamespaceConfig({ id: name, digest }));
      const size = ns.alg.size;
      for (const ev of sc.events()) {
        const v = ns.process(parseEventObject(ev, { digestSize: size }));
        const type = ev.event.type;
        // In these workloads every socket and created file is used only by its creator or by a
        // fork of it that has not exec'd (nginx workers), which carries the same TASK_ID (§1.6).
        for (const o of owners(ev[type] as JsonCell | undefined)) {
          assert.equal(o, v.taskId.toString('hex'), `${name}: ${type} owner`);
          checked++;
        }
      }
    }
    assert.ok(checked > 20, `checked ${checked} owners`);
  });
}
