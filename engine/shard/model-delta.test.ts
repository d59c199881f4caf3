/**
 * A namespace split in two copies must be the namespace unsplit. A worker's copy decides events
 * and hands its deltas to the main thread's mirror (which records them for the store); control
 * changes made on the mirror go back to the worker. A reference model does all of it alone. After
 * every step the three hold the same state, and the store is given the same change set.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deserialize, serialize } from 'node:v8';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { vectorPath } from '../../test/helpers/repo.js';
import { parseModelFile } from '../contour/model-file.js';
import type { TsemEvent } from '../event/event.js';
import { EventParseCache } from '../event/parse-cache.js';
import { parseEventObject } from '../event/parse-json.js';
import { createDigest } from '../measure/digest.js';
import {
  type ChangeSet,
  createNamespaceConfig,
  type ModelDelta,
  NamespaceModel,
} from '../ns/namespace-model.js';
import type { IncomingEvent } from '../ns/pipeline-work.js';
import { processOne } from '../ns/process-event.js';
import { reviveDelta } from './delta-wire.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ORIGIN = { host: 'h', exporter: 'x' };

/** Through postMessage's structured clone and back. */
const cloned = (d: ModelDelta): ModelDelta => reviveDelta(deserialize(serialize(d)) as ModelDelta);

const kernelLines = (): Buffer[] =>
  (
    JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
      vectors: { line: string }[];
    }
  ).vectors.map((v) => Buffer.from(v.line));

const open = (pid: number, path: string, ppid?: number): IncomingEvent => ({
  obj: sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }, { ppid }),
});
const exec = (pid: number, path: string): IncomingEvent => ({
  obj: sourceEvent(pid, 'bprm_committed_creds', { file: fileCell(path, D(path), '32800') }),
});
const BAD: IncomingEvent = { line: Buffer.from('{"event": {"type": "file_open"}, "COE": 7}') };

/** Everything a namespace holds, in comparable form (lines optional: a worker keeps none). */
function state(ns: NamespaceModel, lines: boolean) {
  const c = ns.config;
  return {
    config: { ...c, aggregate: hex(c.aggregate), base: hex(c.base) },
    measurement: hex(ns.measurement),
    events: ns.eventCount,
    epoch: ns.decisionEpoch,
    points: ns.points().map((p) => [p.hex, p.index, p.valid, p.count, p.first, p.last]),
    trajectory: ns.trajectory().map((e) => [hex(e.coefficient), lines ? e.line : '']),
    forensics: ns.forensics().map((e) => [hex(e.coefficient), lines ? e.line : '']),
    findings: ns.findings().map((f) => [hex(f.coefficient), f.count, f.first, f.last]),
    tasks: [...ns.taskEntries()].map(([k, t]) => [
      k,
      { ...t, taskId: hex(t.taskId), pTaskId: hex(t.pTaskId) },
    ]),
    rejected: [ns.rejectedCount, ...ns.rejected().map((r) => [r.seq, r.line, r.reason])],
    ingest: ns.ingest.all(),
    convergence: ns.convergence.snapshot(),
    pseudonyms: ns.pseudonymHexes(),
  };
}

/** A change set as the store would write it. */
function changes(cs: ChangeSet) {
  return {
    ...cs,
    points: cs.points.map((p) => [p.hex, p.index, p.valid, p.count, p.first, p.last, p.described]),
    trajectory: cs.trajectory.map((e) => [hex(e.coefficient), e.line]),
    forensics: cs.forensics.map((e) => [hex(e.coefficient), e.line]),
    audit: cs.audit.map((f) => [hex(f.coefficient), f.count, f.first, f.last]),
    tasks: cs.tasks.map(([k, t]) => [
      k,
      t && { ...t, taskId: hex(t.taskId), pTaskId: hex(t.pTaskId) },
    ]),
  };
}

class Split {
  readonly reference: NamespaceModel;
  readonly worker: NamespaceModel;
  readonly mirror: NamespaceModel;
  private readonly caches = [new EventParseCache(32), new EventParseCache(32)];
  private now = 1_700_000_000_000;

  constructor(mode: 'learn' | 'audit' = 'learn') {
    const cfg = () => createNamespaceConfig({ id: 'split', mode });
    this.reference = new NamespaceModel(cfg());
    this.mirror = new NamespaceModel(cfg());
    // The worker starts as a copy of the mirror, as a shard adopts a namespace.
    this.worker = new NamespaceModel(cfg());
    this.worker.applyDelta(cloned(this.mirror.wholeDelta()), false);
  }

  /** Events: the reference models them; the worker too, its delta going to the mirror. */
  events(es: readonly IncomingEvent[], exporter?: string): void {
    this.now += 1000;
    let seq = this.reference.ingest.get(exporter ?? '', 's')?.seq ?? 0;
    const verdicts = [this.reference, this.worker].map((ns, i) =>
      es.map((e, j) => {
        const o = processOne(ns, this.caches[i]!, e, [], ORIGIN, 'h', this.now);
        if (exporter) ns.ingest.note(exporter, 's', seq + j + 1);
        return o.verdict ? [o.verdict.kind, o.verdict.action, o.verdict.seq] : o;
      })
    );
    seq += es.length;
    assert.deepEqual(verdicts[1], verdicts[0]);
    this.mirror.applyDelta(cloned(this.worker.drainDelta()), true);
    assert.deepEqual(changes(this.mirror.drainChanges()), changes(this.reference.drainChanges()));
    this.same();
  }

  /** A control action: on the reference, and on the mirror with its changes sent to the worker. */
  control(run: (ns: NamespaceModel) => unknown): void {
    const a = run(this.reference);
    const b = run(this.mirror);
    assert.deepEqual(b, a);
    const d = this.mirror.drainDelta();
    assert.deepEqual(changes(d.changes), changes(this.reference.drainChanges()));
    this.worker.applyDelta(cloned(d), false);
    this.same();
  }

  /** An incoming event parsed as the reference's cache would. */
  caches0(e: IncomingEvent) {
    const r = this.caches[0]!;
    if ('obj' in e) return parseEventObject(e.obj, { digestSize: 32 });
    if ('line' in e) return (r.parseLine(e.line, { digestSize: 32 }) as { event: TsemEvent }).event;
    throw new Error('not used here');
  }

  same(): void {
    assert.deepEqual(state(this.mirror, true), state(this.reference, true));
    assert.deepEqual(state(this.worker, false), state(this.reference, false));
  }
}

test('split namespace: learn, audit, accept, load, enforce, release, replace', () => {
  const s = new Split();
  const kernel = kernelLines().map((line): IncomingEvent => ({ line }));
  s.events(kernel.slice(0, 40), 'exp');
  // pid 10 execs again after its child appeared: the task table's order is not the change order.
  s.events(
    [exec(10, '/bin/sh'), open(11, '/a', 10), exec(10, '/bin/ls'), open(10, '/etc/passwd'), BAD],
    'exp'
  );
  s.events(kernel.slice(0, 40), 'exp'); // known: counts and last-seen only
  s.control((ns) => ns.setMode('audit'));
  s.events([open(10, '/etc/shadow'), open(12, '/b'), open(12, '/b'), ...kernel.slice(40, 60)]);
  const finding = s.reference.findings()[0]!.coefficient.toString('hex');
  s.control((ns) => ns.accept([{ hex: finding, line: 'accepted' }], 5));
  const model = parseModelFile(
    `state ${D('extra-1')}\nstate ${s.reference.points()[0]!.hex}\npseudonym ${D('p')}\nend\n`,
    sha
  );
  s.control((ns) => ns.loadModel(model, { now: 6 }));
  s.control((ns) => ns.setMode('enforce'));
  s.events([open(13, '/tmp/x'), open(13, '/tmp/y'), open(14, '/c', 13), BAD, ...kernel.slice(60)]);
  assert.ok(s.reference.untrustedTaskCount() > 0, 'the trace makes untrusted tasks');
  assert.ok(s.reference.rejectedCount > 0, 'the trace rejects a line while sealed');
  s.control((ns) => ns.releaseTask('h|pid:13'));
  s.events([open(13, '/etc/passwd'), open(15, '/d')]);
  s.control((ns) => ns.loadModel(model, { replace: true, now: 7 }));
  s.events([open(10, '/etc/passwd'), ...kernel.slice(0, 10)]);
});

test('split namespace: a namespace that seals itself in the worker seals the mirror', () => {
  const s = new Split();
  s.control((ns) =>
    ns.configureConvergence({ windowEvents: 4, autoSealAfter: 2, autoSealMode: 'enforce' })
  );
  s.events([open(1, '/a'), open(1, '/b')]);
  const quiet = Array.from({ length: 12 }, () => open(1, '/a'));
  s.events(quiet);
  assert.equal(s.mirror.mode, 'enforce');
  s.events([open(1, '/new')]);
  assert.equal(s.mirror.forensicPointCount(), 1);
});

test('split namespace: a worker adopts a namespace with history; a drifted copy is refused', () => {
  const s = new Split();
  s.control((ns) => ns.setMode('audit'));
  s.events([open(1, '/a'), open(2, '/b', 1)], 'exp');
  s.control((ns) => ns.setMode('learn'));
  s.events([open(1, '/a'), open(2, '/b', 1)], 'exp');
  const late = new NamespaceModel(createNamespaceConfig({ id: 'split' }));
  late.applyDelta(cloned(s.mirror.wholeDelta()), false);
  assert.deepEqual(state(late, false), state(s.mirror, false));
  // Adopting leaves the mirror's pending changes pending.
  s.mirror.process(s.caches0(open(1, '/z')));
  assert.equal(s.mirror.wholeDelta().changes.points.length, 3);
  assert.equal(s.mirror.drainChanges().points.length, 1);

  processOne(late, new EventParseCache(32), open(3, '/c'), [], ORIGIN, 'h', 1);
  const d = late.drainDelta();
  const stale = new NamespaceModel(createNamespaceConfig({ id: 'split' }));
  assert.throws(() => stale.applyDelta(cloned(d), true), /copies drifted apart \(point 2/);
  const other = new NamespaceModel(createNamespaceConfig({ id: 'split' }));
  for (const path of ['/x', '/y', '/c'])
    processOne(other, new EventParseCache(32), open(3, path), [], ORIGIN, 'h', 1);
  other.drainChanges();
  assert.throws(() => other.applyDelta(cloned(d), true), /copies drifted apart/);
});
