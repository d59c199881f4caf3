/** Property tests of the model core (fast-check; runs per property from TSEM_FUZZ_RUNS, default 100). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatModelFile, parseModelFile } from '../../engine/contour/model-file.js';
import { mergeModels, summarizeModel } from '../../engine/contour/model-ops.js';
import type { TsemEvent } from '../../engine/event/event.js';
import { parseEventObject } from '../../engine/event/parse-json.js';
import { createDigest } from '../../engine/measure/digest.js';
import { createNamespaceConfig, NamespaceModel } from '../../engine/ns/namespace-model.js';
import { LevelStore } from '../../engine/store/level-store.js';
import { fileCell, sourceEvent } from '../helpers/events.js';

const RUNS = Number(process.env['TSEM_FUZZ_RUNS'] ?? 100);
const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');

/** A small behaviour space: pid × hook × object, so that points repeat. */
const eventArb = fc.record({
  pid: fc.integer({ min: 1, max: 4 }),
  kind: fc.constantFrom('open', 'kill', 'connect', 'exec'),
  obj: fc.integer({ min: 0, max: 12 }),
});
type Spec = { pid: number; kind: string; obj: number };
function toEvent(s: Spec): TsemEvent {
  const t = D(`task${s.obj}`);
  const o =
    s.kind === 'open'
      ? sourceEvent(s.pid, 'file_open', { file: fileCell(`/f/${s.obj}`, D(`c${s.obj}`)) })
      : s.kind === 'exec'
        ? sourceEvent(s.pid, 'bprm_committed_creds', {
            file: fileCell(`/bin/p${s.obj % 3}`, D(`b${s.obj % 3}`), '32800'),
          })
        : s.kind === 'kill'
          ? sourceEvent(s.pid, 'task_kill', { target: t, sig: String(s.obj), cross_ns: '0' })
          : sourceEvent(s.pid, 'socket_connect', {
              sock: { family: '2', type: '1', protocol: '6', owner: t },
              addr: { af_inet: { port: String(1000 + s.obj), address: '10.0.0.1' } },
            });
  return parseEventObject(o, { digestSize: 32 });
}
const run = (specs: Spec[], id = 'p') => {
  const ns = new NamespaceModel(createNamespaceConfig({ id }));
  for (const s of specs) ns.process(toEvent(s));
  return ns;
};
/** Events without exec, so that every task keeps its identity whatever the order. */
const noExec = fc.array(
  eventArb.filter((s) => s.kind !== 'exec'),
  { minLength: 1, maxLength: 60 }
);

test('state does not depend on event order', () => {
  fc.assert(
    fc.property(noExec, fc.infiniteStream(fc.nat()), (specs, rnd) => {
      const shuffled = [...specs].sort(() => (rnd.next().value % 3) - 1);
      assert.deepEqual(run(shuffled).state(), run(specs).state());
    }),
    { numRuns: RUNS }
  );
});

test('measurement depends on the first-seen order of points', () => {
  fc.assert(
    fc.property(noExec, (specs) => {
      const a = run(specs);
      const b = run([...specs].reverse());
      const order = (ns: NamespaceModel) =>
        ns
          .points()
          .map((p) => p.hex)
          .join();
      if (order(a) === order(b)) assert.deepEqual(a.measurement, b.measurement);
      else assert.notDeepEqual(a.measurement, b.measurement);
    }),
    { numRuns: RUNS }
  );
});

test('a sealed map accepts its own training trajectory with zero forensics', () => {
  fc.assert(
    fc.property(fc.array(eventArb, { minLength: 1, maxLength: 80 }), (specs) => {
      const trained = run(specs);
      const model = parseModelFile(
        formatModelFile({ ...trained.exportModel(), sealed: true }),
        sha
      );
      const sealed = new NamespaceModel(createNamespaceConfig({ id: 's', mode: 'enforce' }));
      sealed.loadModel(model);
      for (const s of specs) assert.notEqual(sealed.process(toEvent(s)).action, 'deny');
      assert.equal(sealed.forensics.length, 0);
      assert.deepEqual(sealed.state(), trained.state());
    }),
    { numRuns: RUNS }
  );
});

test('merge is commutative (same point set and state)', () => {
  fc.assert(
    fc.property(noExec, noExec, (x, y) => {
      const a = { ...run(x).exportModel(), comments: [] };
      const b = { ...run(y).exportModel(), comments: [] };
      const ab = mergeModels(a, b);
      const ba = mergeModels(b, a);
      const set = (m: typeof ab) => new Set(m.states.map((s) => s.toString('hex')));
      assert.deepEqual(set(ab), set(ba));
      assert.deepEqual(summarizeModel(ab, sha).state, summarizeModel(ba, sha).state);
    }),
    { numRuns: RUNS }
  );
});

test('persistence round-trips: a reopened store resumes exactly', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(eventArb, { minLength: 2, maxLength: 60 }),
      fc.nat(),
      fc.constantFrom('learn', 'sealed', 'enforce', 'audit'),
      async (specs, cut, mode) => {
        const dir = mkdtempSync(join(tmpdir(), 'tsem-store-'));
        try {
          const split = 1 + (cut % (specs.length - 1));
          const twin = run(specs.slice(0, split), 'ns1');
          const live = run(specs.slice(0, split), 'ns1');
          let store = await LevelStore.open(dir);
          await store.persist(live);
          twin.setMode(mode);
          live.setMode(mode);
          await store.persist(live);
          for (const s of specs.slice(split, -1)) {
            twin.process(toEvent(s));
            live.process(toEvent(s));
            await store.persist(live);
          }
          await store.close();
          store = await LevelStore.open(dir);
          const [restored] = await store.loadAll();
          await store.close();
          assert.ok(restored);
          assert.equal(restored.mode, mode);
          assert.deepEqual(restored.measurement, twin.measurement);
          assert.deepEqual(restored.state(), twin.state());
          assert.equal(restored.eventCount, twin.eventCount);
          assert.deepEqual(
            restored.points().map((p) => [p.hex, p.valid, p.count]),
            twin.points().map((p) => [p.hex, p.valid, p.count])
          );
          assert.equal(restored.trajectory.length, twin.trajectory.length);
          assert.equal(restored.forensics.length, twin.forensics.length);
          assert.equal(restored.untrustedTaskCount(), twin.untrustedTaskCount());
          const last = toEvent(specs.at(-1)!);
          assert.deepEqual(restored.process(last), twin.process(last));
          assert.deepEqual(restored.measurement, twin.measurement);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    ),
    { numRuns: Math.max(10, Math.floor(RUNS / 4)) }
  );
});
