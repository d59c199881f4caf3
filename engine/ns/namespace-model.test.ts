import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventObject } from '../event/parse-json.js';
import { fileCell, heldLine, sourceEvent } from '../../test/helpers/events.js';
import { createDigest } from '../measure/digest.js';
import { Mapper } from '../measure/mapper.js';
import { parseModelFile } from '../contour/model-file.js';
import { createNamespaceConfig, NamespaceModel } from './namespace-model.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');
const parse = (o: Parameters<typeof parseEventObject>[0]) =>
  parseEventObject(o, { digestSize: 32 });
const open = (pid: number, path: string, ppid?: number) =>
  parse(sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }, { ppid }));
const exec = (pid: number, path: string) =>
  parse(sourceEvent(pid, 'bprm_committed_creds', { file: fileCell(path, D(path), '32800') }));
const fresh = (mode: 'learn' | 'audit' | 'sealed' | 'enforce' = 'learn') =>
  new NamespaceModel(createNamespaceConfig({ id: 't', mode }));

test('learn: new points join the map and the trajectory; repeats only count', () => {
  const ns = fresh();
  assert.equal(ns.process(open(1, '/a')).kind, 'learned');
  assert.equal(ns.process(open(1, '/a')).kind, 'on-contour');
  assert.equal(ns.pointCount, 1);
  assert.equal(ns.points()[0]!.count, 2);
  assert.equal(ns.trajectory().length, 1);
});

test('audit: unknown points are reported, nothing is learned, sealed or denied', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('audit');
  const m = ns.measurement;
  const v = ns.process(open(1, '/b'));
  assert.deepEqual([v.kind, v.action, v.trust], ['would-be-off-contour', 'allow', 'trusted']);
  ns.process(open(1, '/b'));
  assert.equal(ns.pointCount, 1);
  assert.equal(ns.findingCount, 1);
  assert.equal(ns.findings()[0]!.count, 2);
  assert.deepEqual(ns.measurement, m);
  assert.equal(ns.process(open(1, '/a')).kind, 'on-contour');
});

test('sealed: a new point is forensic, extends the measurement and makes the task untrusted', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  const m = ns.measurement;
  const v = ns.process(open(1, '/evil'));
  assert.deepEqual([v.kind, v.action, v.trust], ['off-contour', 'allow', 'untrusted']);
  assert.notDeepEqual(ns.measurement, m);
  assert.equal(ns.forensics().length, 1);
  assert.equal(ns.forensicPointCount(), 1);
  // Untrusted is sticky: later events are not modeled.
  assert.equal(ns.process(open(1, '/a')).kind, 'untrusted-task');
  // Another task hitting the forensic point becomes untrusted too.
  assert.equal(ns.process(open(2, '/evil')).kind, 'off-contour');
  assert.equal(ns.untrustedTaskCount(), 2);
});

/** What the audit source makes of a Landlock denial: the event the kernel refused, marked. */
const denied = (pid: number, path: string, rights = 'fs.read_file') => {
  const o = sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) });
  return parse({ ...o, event: { ...o.event, landlock: rights } });
};

test('sealed: every Landlock denial is forensics, also from a task already untrusted', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  assert.equal(ns.process(denied(1, '/secret')).kind, 'off-contour');
  // The task is untrusted now: an event it did is skipped (§3.5), a denial it met is not.
  assert.equal(ns.process(open(1, '/b')).kind, 'untrusted-task');
  const v = ns.process(denied(1, '/etc/shadow', 'fs.write_file'));
  assert.deepEqual([v.kind, v.newPoint], ['off-contour', true]);
  // A child of the untrusted task too; the same denial again is the same point.
  assert.equal(ns.process(denied(2, '/other')).kind, 'off-contour');
  assert.equal(ns.process(denied(1, '/secret')).kind, 'off-contour');
  assert.deepEqual(
    ns
      .forensics()
      .map((f) => (JSON.parse(heldLine(f)) as { event: { landlock?: string } }).event.landlock),
    ['fs.read_file', 'fs.write_file', 'fs.read_file']
  );
});

test('learn: a Landlock denial is never learned as allowed; it is a finding', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  const v = ns.process(denied(1, '/secret'));
  assert.deepEqual([v.kind, v.trust], ['would-be-off-contour', 'trusted']);
  assert.equal(ns.pointCount, 1);
  assert.equal(ns.findingCount, 1);
});

test('enforce: off-contour and every later event of the untrusted task are denied', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('enforce');
  assert.equal(ns.process(open(1, '/a')).action, 'allow');
  assert.equal(ns.process(open(1, '/evil')).action, 'deny');
  assert.equal(ns.process(open(1, '/a')).action, 'deny');
  assert.equal(ns.process(open(2, '/a')).action, 'allow');
});

test('task lifecycle: fork copies ids and trust; exec derives TASK_ID (§1.6, §2.5)', () => {
  const ns = fresh();
  ns.process(open(10, '/a'));
  const parent = ns.task('pid:10')!;
  assert.deepEqual(parent.taskId, sha.nullDigest);
  const v = ns.process(exec(10, '/usr/bin/tool'));
  assert.equal(v.kind, 'lifecycle');
  const execCell = exec(10, '/usr/bin/tool').cell;
  assert.equal(execCell.hook, 'bprm_committed_creds');
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
  const expected = new Mapper(sha).taskId(sha.nullDigest, zeroCoe, execCell.value.file);
  assert.deepEqual(ns.task('pid:10')!.taskId, expected);
  // A child first seen with a ppid forks from the parent: task_id = p_task_id = parent's TASK_ID.
  const child = ns.process(open(11, '/b', 10));
  assert.deepEqual(child.taskId, expected);
  assert.deepEqual(child.pTaskId, expected);
  // Exec in the child chains from the forking parent's TASK_ID.
  ns.process(exec(11, '/usr/bin/other'));
  assert.deepEqual(ns.task('pid:11')!.pTaskId, expected);
  assert.notDeepEqual(ns.task('pid:11')!.taskId, expected);
});

test('untrusted status is inherited by children', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  ns.process(open(1, '/evil'));
  const v = ns.process(open(2, '/a', 1));
  assert.deepEqual([v.kind, v.trust], ['untrusted-task', 'untrusted']);
});

test('convergence: new points per window fall to zero once training settles', () => {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'c' }));
  for (let i = 0; i < 5000; i++) ns.process(open(1, `/f${i % 300}`));
  const f = ns.convergence.figures();
  assert.equal(f[0]!.newPoints, 300);
  assert.ok(f.slice(1).every((w) => w.newPoints === 0));
  assert.ok(ns.convergence.settled());
});

test('loading a model: base first, states extend in file order, seal keeps enforce', () => {
  const a = fresh();
  for (const p of ['/a', '/b', '/c']) a.process(open(1, p));
  const exported = { ...a.exportModel(), comments: [] };
  const b = fresh('enforce');
  b.loadModel(exported);
  assert.deepEqual(b.measurement, a.measurement);
  assert.deepEqual(b.state(), a.state());
  assert.equal(b.mode, 'enforce');
  assert.equal(b.process(open(7, '/b')).kind, 'on-contour');
  const c = fresh();
  c.loadModel({ ...exported, sealed: true });
  assert.equal(c.mode, 'sealed');
  assert.throws(
    () => c.loadModel({ ...exported, digest: 'sha384' }),
    /model is sha384 but namespace t uses sha256/
  );
});

test('aggregate seeds the measurement and cannot change after points exist', () => {
  const agg = Buffer.alloc(32, 7);
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'a', aggregate: agg }));
  const zero = fresh();
  assert.notDeepEqual(ns.measurement, zero.measurement);
  ns.process(open(1, '/a'));
  assert.throws(
    () => ns.setAggregate(Buffer.alloc(32, 8)),
    /aggregate changed after points were recorded/
  );
});

test('decisionEpoch moves when an allow may not hold again, and only then', () => {
  const ns = fresh();
  const moved = (what: string, change: () => void, expected = true) => {
    const before = ns.decisionEpoch;
    change();
    assert.equal(ns.decisionEpoch !== before, expected, what);
  };
  moved('learning a point', () => ns.process(open(1, '/a')), false);
  moved('an on-contour event', () => ns.process(open(1, '/a')), false);
  moved('a task first seen', () => ns.process(open(2, '/a', 1)), false);
  moved('the same mode again', () => ns.setMode('learn'), false);
  moved('an exec (the task is another)', () => ns.process(exec(1, '/bin/x')));
  moved('a mode change', () => ns.setMode('enforce'));
  moved('an off-contour event (the task turns untrusted)', () => ns.process(open(2, '/evil')));
  moved('an untrusted task again', () => ns.process(open(2, '/a')), false);
  moved('a released task', () =>
    ns.releaseTask([...ns.taskEntries()].find(([, t]) => t.trust === 'untrusted')![0])
  );
  moved('a model load', () => ns.loadModel({ ...ns.exportModel(), comments: [] }));
});

test('releaseLines drops only persisted lines beyond the tail; a replace starts over', () => {
  const ns = fresh();
  for (let i = 0; i < 10; i++) ns.process(open(1, `/f${i}`));
  const lines = () => ns.trajectory().map((e) => e.line !== undefined);
  // 6 persisted, keep 2: entries 0–5 may go, but the newest 2 (8, 9) stay anyway.
  ns.releaseLines(6, 0, 2);
  assert.deepEqual(lines(), [...Array<boolean>(6).fill(false), ...Array<boolean>(4).fill(true)]);
  assert.ok(ns.linesReleased);
  // Nothing unpersisted goes, however small the tail.
  ns.releaseLines(7, 0, 0);
  assert.deepEqual(lines().slice(6), [false, true, true, true]);
  // Coefficients stay for every entry (the PCR and the pages' counts use them).
  assert.ok(ns.trajectory().every((e) => e.coefficient.length === 32));
  assert.throws(() => ns.allChanges(), /its older lines live in the store/);
  ns.loadModel(parseModelFile('end\n', sha), { replace: true });
  assert.equal(ns.linesReleased, false);
  ns.process(open(1, '/after'));
  assert.equal(heldLine(ns.trajectory().at(0)!).includes('/after'), true);
});
