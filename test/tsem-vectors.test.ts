/** docs/tsem-model.md §7 test vectors, one named test each (vectors in test/vectors/tsem/). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseModelFile } from '../engine/contour/model-file.js';
import { parseRecordLine } from '../engine/event/parse-json.js';
import { createDigest } from '../engine/measure/digest.js';
import { extend, seedMeasurement } from '../engine/measure/extend.js';
import { Mapper, pseudonym } from '../engine/measure/mapper.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { vectorPath } from './helpers/repo.js';

const sha256 = createDigest('sha256');
const mapper = new Mapper(sha256);
const hex = (b: Buffer) => b.toString('hex');
interface Vector {
  name: string;
  line: string;
  coeId?: string;
  cellId: string;
  coefficient: string;
}
const vectors = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;
const eventOf = (line: string) => {
  const r = parseRecordLine(line, { digestSize: 32 });
  assert.equal(r.kind, 'event');
  return r.event;
};
const P_TASK = Buffer.from(
  '8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb',
  'hex'
);
const BASH_TASK = '094e29687d185cf4eaa48ddebfcda205465ad78df543e361621ea0acf2d4f986';

test('TV-1 zero digest and zero COE', () => {
  assert.equal(
    hex(sha256.zeroDigest),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  );
  const zeroCoe = {
    uid: 0,
    euid: 0,
    suid: 0,
    gid: 0,
    egid: 0,
    sgid: 0,
    fsuid: 0,
    fsgid: 0,
    capeff: 0n,
  };
  assert.equal(
    hex(mapper.coeId(zeroCoe)),
    '2c34ce1df23b838c5abf2a7f6437cca3d3067ed509ff25f11df6b11b582b51eb'
  );
});

for (const v of vectors) {
  test(`${v.name}: CELL_ID and coefficient`, () => {
    const e = eventOf(v.line);
    if (v.coeId) assert.equal(hex(mapper.coeId(e.coe)), v.coeId);
    assert.equal(hex(mapper.cellId(e.cell)), v.cellId);
    assert.equal(
      hex(mapper.coefficient(e.header.type, e.header.pTaskId!, e.header.taskId!, e.coe, e.cell)),
      v.coefficient
    );
  });
}

test('TV-2 the name is fed raw, not hashed, and PTASK_ID is included', () => {
  const e = eventOf(vectors[0]!.line);
  const coe = mapper.coeId(e.coe);
  const cell = mapper.cellId(e.cell);
  const hashedName = sha256.hash(sha256.hash(Buffer.from('capable')), P_TASK, P_TASK, coe, cell);
  assert.ok(hex(hashedName).startsWith('de1eaa47'));
  assert.ok(hex(sha256.hash(Buffer.from('capable'), P_TASK, coe, cell)).startsWith('6544537f'));
});

test('TV-5 TASK_ID of the workload shell', () => {
  const e = eventOf(vectors.find((v) => v.name.startsWith('TV-3'))!.line);
  assert.equal(e.cell.hook, 'file_open');
  if (e.cell.hook !== 'file_open') return;
  assert.equal(hex(mapper.taskId(P_TASK, e.coe, e.cell.value.file)), BASH_TASK);
});

test('TV-6 pseudonym', () => {
  assert.equal(
    hex(pseudonym(sha256, Buffer.from('-T'))),
    '17a0dce53b9018e2559b9180c5434668a0dfde6ca4e7010ad02821eb6418fa37'
  );
  assert.equal(
    hex(pseudonym(sha256, Buffer.from('/root/.bash_history'))),
    '0f34f4a364460cecdacbaf292e48d9e10998521665b9aa0ab63f9a91e68d470e'
  );
});

test('TV-7 measurement seed and first extension', () => {
  const zero = sha256.nullDigest;
  const m0 = seedMeasurement(sha256, zero, zero);
  assert.equal(hex(m0), 'b62c0bf36d7fee9a6ed49f7529e9fbf6ebc93268f43832b4033eef0ba335ba65');
  const m1 = extend(
    sha256,
    zero,
    m0,
    Buffer.from('fdd9c9694d01c1efaf1882c5ee9ad64042239457e1a9a75785b424a3af0dc94d', 'hex')
  );
  assert.equal(hex(m1), '7358b6a67bb990cd1ea77f56a8b62e0def70f45b34f23625aa177978578827ec');
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'tv7' }));
  ns.process(eventOf(vectors[0]!.line));
  assert.equal(hex(ns.measurement), hex(m1));
});

test('TV-8 v1 name field is SHA256(pathname) with no length prefix', () => {
  assert.equal(
    hex(sha256.hash(Buffer.from('/opt/Quixote/bin/runc'))),
    '4829ead93d026770746f9cdebc76cc4d2a27f45db2d3ac436aa6fce4e2640415'
  );
});

test('TV-9 export record: escaped pathname hashes as raw bytes', () => {
  const line = readFileSync(vectorPath('tsem/tv9-export-record.json'), 'utf8').trim();
  const r = parseRecordLine(line, { digestSize: 32 });
  assert.equal(r.kind, 'event');
  if (r.kind !== 'event' || r.event.cell.hook !== 'file_open')
    return assert.fail('expected a file_open event');
  assert.equal(r.event.exportType, 'event');
  assert.equal(r.event.cell.value.file.path.pathname.toString('latin1'), '/bin/bash-"3.2.57');
  assert.ok(!r.event.line.includes('"export"'));
  // The CELL preimage holds str(pathname) with the raw 17 bytes: recompute it with the TV-3 layout.
  const f = r.event.cell.value.file;
  const pre = Buffer.concat([
    u32(32800),
    u32(0),
    u32(0),
    u32(0o100755),
    u32(0xef53),
    Buffer.concat([Buffer.from('xvda'), Buffer.alloc(28)]),
    Buffer.from('feadbeaffeadbeaffeadbeaffeadbeaf', 'hex'),
    u32(202),
    u32(0),
    u32(4),
    Buffer.from('root'),
    u32(17),
    Buffer.from('/bin/bash-"3.2.57', 'latin1'),
    f.digest,
  ]);
  assert.equal(hex(mapper.cellId(r.event.cell)), hex(sha256.hash(pre)));
});

test('TV-10 model file head parses as a sealed model', () => {
  const m = parseModelFile(readFileSync(vectorPath('tsem/tv10-head.model'), 'utf8'), sha256);
  assert.equal(
    hex(m.aggregate!),
    'de2b9c37eb1ceefa4bcbc6d8412920693d3272f30eb5ba98d51d2f898d620289'
  );
  assert.equal(m.states.length, 3);
  assert.equal(m.sealed, true);
});

test('TV-11 forensics: an off-model event of a sealed namespace makes the shell untrusted', () => {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'tv11' }));
  for (const v of vectors) ns.process(eventOf(v.line));
  ns.setMode('enforce');
  const line = readFileSync(vectorPath('tsem/tv11-forensics.json'), 'utf8').trim();
  const verdict = ns.process(eventOf(line));
  assert.equal(verdict.kind, 'off-contour');
  assert.equal(verdict.action, 'deny');
  assert.equal(hex(verdict.taskId), BASH_TASK);
  assert.equal(ns.forensics().length, 1);
  // Every later event of the untrusted task is denied without modeling (§3.5).
  const later = ns.process(eventOf(vectors[5]!.line.replace('"context": "1"', '"context": "2"')));
  assert.equal(later.kind, 'untrusted-task');
  assert.equal(later.action, 'deny');
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
