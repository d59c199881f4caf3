/** The author's changes to a namespace: accepting findings and forensics, loads that merge or
 * replace, learn mode over forensic points, descriptions kept for new points and findings. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventObject } from '../event/parse-json.js';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { createDigest } from '../measure/digest.js';
import { createNamespaceConfig, NamespaceModel } from './namespace-model.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');
const open = (pid: number, path: string, process = 'proc') =>
  parseEventObject(sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }, { process }), {
    digestSize: 32,
  });
const fresh = () => new NamespaceModel(createNamespaceConfig({ id: 't' }));
const model = (ns: NamespaceModel) => ({ ...ns.exportModel(), comments: [] });

test('a new point and a new finding keep the description of their first event', () => {
  const ns = fresh();
  const v = ns.process(open(1, '/etc/hosts', 'nginx'), '', 1000);
  const hex = v.coefficient!.toString('hex');
  const d = ns.pendingDescription(hex)!;
  assert.equal(d.type, 'file_open');
  assert.equal(d.process, 'nginx');
  assert.equal(d.task_id, v.taskId.toString('hex'));
  assert.equal((d.cell['file'] as { path: { pathname: string } }).path.pathname, '/etc/hosts');
  assert.equal(d.line, undefined); // a point's line is in the trajectory already
  const p = ns.point(hex)!;
  assert.deepEqual([p.first, p.last, p.described], [1000, 1000, true]);
  ns.process(open(1, '/etc/hosts', 'nginx'), '', 2000);
  assert.deepEqual([ns.point(hex)!.first, ns.point(hex)!.last], [1000, 2000]);
  ns.setMode('audit');
  const f = ns.process(open(1, '/usr/bin/cat', 'bash'), '', 3000).coefficient!.toString('hex');
  assert.match(ns.pendingDescription(f)!.line!, /"\/usr\/bin\/cat"/);
  // Drained to the store once, then no longer held.
  const cs = ns.drainChanges();
  assert.deepEqual(
    cs.descriptions.map(([h]) => h),
    [hex, f]
  );
  assert.equal(ns.pendingDescription(hex), undefined);
  assert.equal(ns.drainChanges().descriptions.length, 0);
});

test('accepting a finding equals having learned it at that moment', () => {
  const ns = fresh();
  const ref = fresh();
  for (const n of [ns, ref]) n.process(open(1, '/a'));
  ns.setMode('audit');
  const f = ns.process(open(1, '/b')).coefficient!.toString('hex');
  ns.process(open(1, '/b'));
  assert.equal(ns.statusOf(f), 'finding');
  ref.process(open(1, '/b'));
  const line = '{"event": {"type": "file_open"}}';
  assert.deepEqual(ns.accept([{ hex: f, line }]), [{ hex: f, was: 'finding' }]);
  assert.deepEqual(
    [ns.measurement, ns.state(), ns.pointCount, ns.findingCount],
    [ref.measurement, ref.state(), 2, 0]
  );
  assert.equal(ns.point(f)!.count, 2); // the finding's events count
  assert.equal(ns.trajectory().at(-1)!.line, line);
  const cs = ns.drainChanges();
  assert.deepEqual(cs.removedFindings, [f]);
  // The namespace is on the contour for it now, in every mode; the reload of its model agrees.
  ns.setMode('sealed');
  assert.equal(ns.process(open(1, '/b')).kind, 'on-contour');
  const reloaded = fresh();
  reloaded.loadModel(model(ns));
  assert.deepEqual([reloaded.state(), reloaded.measurement], [ns.state(), ns.measurement]);
});

test('accepting a forensic point makes it valid in place; untrusted tasks stay untrusted', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  const evil = ns.process(open(2, '/evil')).coefficient!.toString('hex');
  const m = ns.measurement;
  const s = ns.state();
  assert.deepEqual(ns.accept([{ hex: evil }]), [{ hex: evil, was: 'forensic' }]);
  assert.deepEqual([ns.measurement, ns.state()], [m, s]); // it extended both when first seen
  assert.equal(ns.forensicPointCount(), 0);
  assert.equal(ns.process(open(3, '/evil')).kind, 'on-contour');
  assert.equal(ns.process(open(2, '/a')).kind, 'untrusted-task');
  assert.deepEqual(ns.accept([{ hex: evil }, { hex: 'ff'.repeat(32) }]), [
    { hex: evil, was: 'valid' },
    { hex: 'ff'.repeat(32), was: 'unknown' },
  ]);
});

test('a model exported with forensics and loaded back makes those points valid', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  const evil = ns.process(open(2, '/evil')).coefficient!.toString('hex');
  const withForensics = { ...ns.exportModel(true), comments: [], sealed: false };
  const m = ns.measurement;
  assert.deepEqual(ns.loadModel(withForensics), { added: 0, promoted: 1, accepted: 0 });
  assert.equal(ns.point(evil)!.valid, true);
  assert.deepEqual(ns.measurement, m);
  assert.equal(ns.process(open(3, '/evil')).kind, 'on-contour');
});

test('learn mode accepts a forensic point it meets again', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  ns.setMode('sealed');
  const evil = ns.process(open(2, '/evil')).coefficient!.toString('hex');
  ns.setMode('learn');
  const v = ns.process(open(3, '/evil'));
  assert.deepEqual([v.kind, v.newPoint], ['learned', false]);
  assert.equal(ns.point(evil)!.valid, true);
  ns.setMode('sealed');
  assert.equal(ns.process(open(4, '/evil')).kind, 'on-contour');
});

test('a model load accepts the findings it holds; replace starts the map over', () => {
  const ns = fresh();
  ns.process(open(1, '/a'));
  const trained = model(ns);
  ns.setMode('audit');
  ns.process(open(1, '/b'));
  const other = fresh();
  other.process(open(1, '/b'));
  assert.deepEqual(ns.loadModel(model(other)), { added: 0, promoted: 0, accepted: 1 });
  assert.equal(ns.findingCount, 0);
  // Replace: only the model's points remain, measured from the seed again.
  ns.drainChanges();
  assert.deepEqual(ns.loadModel(trained, { replace: true }), {
    added: 1,
    promoted: 0,
    accepted: 0,
  });
  const fromScratch = fresh();
  fromScratch.loadModel(trained);
  assert.deepEqual(
    [ns.pointCount, ns.measurement, ns.trajectory().length],
    [1, fromScratch.measurement, 0]
  );
  assert.equal(ns.drainChanges().reset, true);
  assert.equal(ns.drainChanges().reset, false);
});

test('notes bring counts and descriptions to loaded points', () => {
  const src = fresh();
  const hex = src.process(open(1, '/a', 'cron')).coefficient!.toString('hex');
  const ns = fresh();
  ns.loadModel(
    {
      ...model(src),
      notes: new Map([[hex, { count: 7, description: src.pendingDescription(hex)! }]]),
    },
    { now: 5 }
  );
  assert.deepEqual(
    [ns.point(hex)!.count, ns.point(hex)!.first, ns.point(hex)!.described],
    [7, 5, true]
  );
  assert.equal(ns.pendingDescription(hex)!.process, 'cron');
});
