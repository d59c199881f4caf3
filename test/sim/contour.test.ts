/**
 * The simulator's key property, checked with the engine's NamespaceModel: a model trained on a
 * benign workload accepts every other run of it, and flags exactly the events an attack injects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonCell } from '../../proto/kernel-json.js';
import { parseEventObject } from '../../engine/event/parse-json.js';
import {
  createNamespaceConfig,
  type Mode,
  NamespaceModel,
  type VerdictKind,
} from '../../engine/ns/namespace-model.js';
import {
  createScenario,
  listScenarios,
  MIN_TRAINING_ITERATIONS,
  type Scenario,
} from '../../exporter/sim/scenario.js';
import { heldLine } from '../helpers/events.js';

const FUZZ_RUNS = Number(process.env['TSEM_FUZZ_RUNS'] ?? 8);
const BENIGN = listScenarios().filter((s) => s.kind === 'benign');
const ATTACKS = listScenarios().filter((s) => s.kind === 'attack');

/** Types that the malicious events of each attack must include (audit mode reports them all). */
const SIGNATURE_TYPES: Record<string, string[]> = {
  'reverse-shell': ['socket_connect', 'task_alloc', 'file_open', 'mmap_file'],
  'shadow-read': ['file_open'],
  ptrace: ['ptrace_access_check', 'file_open'],
  'kernel-module': ['kernel_read_file', 'kernel_module_request', 'kernel_load_data'],
  cryptominer: ['socket_connect', 'task_setnice', 'file_open'],
};
/** Sealed, the first malicious event is the one off-contour event of its task: type and file. */
const FIRST_OFF_CONTOUR: Record<string, [string, string?]> = {
  'reverse-shell': ['file_open', '/etc/ld.so.cache'], // the shell's loader, under a new TASK_ID
  'shadow-read': ['file_open', '/etc/shadow'],
  ptrace: ['ptrace_access_check'],
  'kernel-module': ['file_open', '/etc/ld.so.cache'],
  cryptominer: ['file_open', '/.xmr/config.json'], // tmpfs paths are mount-relative
};

function run(ns: NamespaceModel, sc: Scenario): VerdictKind[] {
  return [...sc.events()].map(
    (ev, i) => ns.process(parseEventObject(ev, { digestSize: ns.alg.size, lineNumber: i + 1 })).kind
  );
}

function train(
  name: string,
  seed: number,
  iterations = MIN_TRAINING_ITERATIONS,
  digest = 'sha256'
): NamespaceModel {
  const ns = new NamespaceModel(createNamespaceConfig({ id: `train-${name}`, digest }));
  const kinds = run(ns, createScenario(name, { seed, iterations, digest }));
  assert.ok(kinds.every((k) => k === 'learned' || k === 'on-contour' || k === 'lifecycle'));
  return ns;
}

/** A fresh namespace with the trained model loaded, in `mode`. */
function deploy(trained: NamespaceModel, mode: Mode): NamespaceModel {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'replay', digest: trained.alg.name }));
  ns.loadModel({ ...trained.exportModel(), comments: [] });
  ns.setMode(mode);
  return ns;
}

const count = (kinds: VerdictKind[], k: VerdictKind) => kinds.filter((x) => x === k).length;

for (const { name } of BENIGN) {
  test(`${name}: trained on ${MIN_TRAINING_ITERATIONS} iteration, sealed, replays with no off-contour event`, () => {
    const trained = train(name, 1);
    for (const [seed, iterations] of [
      [1, 1],
      [1, 4],
      [2, 3],
      [99, 2],
    ] as const) {
      const ns = deploy(trained, 'sealed');
      const kinds = run(ns, createScenario(name, { seed, iterations }));
      assert.equal(
        count(kinds, 'off-contour') + count(kinds, 'untrusted-task'),
        0,
        `seed ${seed} × ${iterations}`
      );
      assert.equal(ns.forensics().length, 0);
      assert.ok(count(kinds, 'on-contour') > 100);
    }
  });

  test(`${name}: the trained namespace itself, sealed in place, accepts a rerun (sha384)`, () => {
    const ns = train(name, 7, 2, 'sha384');
    const points = ns.pointCount;
    ns.setMode('sealed');
    const kinds = run(ns, createScenario(name, { seed: 8, iterations: 2, digest: 'sha384' }));
    assert.equal(count(kinds, 'off-contour'), 0);
    assert.equal(ns.pointCount, points);
  });

  test(`${name}: any seeds and iteration counts give zero forensics (property)`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 3 }),
        (s1, s2, n) => {
          const ns = deploy(train(name, s1), 'sealed');
          run(ns, createScenario(name, { seed: s2, iterations: n }));
          return ns.forensics().length === 0;
        }
      ),
      { numRuns: FUZZ_RUNS }
    );
  });
}

/** Checks one attack run against a model of its base workload, in audit and in sealed mode. */
function checkAttack(
  name: string,
  base: string,
  trainSeed: number,
  seed: number,
  iterations: number
): void {
  const trained = train(base, trainSeed);
  const sc = createScenario(name, { seed, iterations });
  const role = new Map(sc.injected.map((m) => [m.index, m.role]));

  // Audit reports every unknown point without untrusting anyone: exactly the malicious events.
  const audit = run(deploy(trained, 'audit'), sc);
  audit.forEach((k, i) => {
    const r = role.get(i);
    if (r === 'malicious')
      assert.equal(
        k,
        'would-be-off-contour',
        `${name}: malicious event ${i} (${sc.injected.find((m) => m.index === i)?.type})`
      );
    else
      assert.ok(
        k === 'on-contour' || k === 'lifecycle',
        `${name}: ${r ?? 'benign'} event ${i} is ${k}`
      );
  });
  const types = new Set(sc.injected.filter((m) => m.role === 'malicious').map((m) => m.type));
  for (const t of SIGNATURE_TYPES[name]!)
    assert.ok(types.has(t), `${name}: malicious types include ${t}`);

  // Sealed: off-contour only at malicious events; the rest of the attack runs untrusted (§3.5).
  const ns = deploy(trained, 'sealed');
  const sealed = run(ns, sc);
  sealed.forEach((k, i) => {
    const r = role.get(i);
    if (r === undefined)
      assert.ok(k === 'on-contour' || k === 'lifecycle', `${name}: benign event ${i} is ${k}`);
    else if (k === 'off-contour') assert.equal(r, 'malicious', `${name}: off-contour event ${i}`);
    else if (r === 'malicious') assert.equal(k, 'untrusted-task', `${name}: malicious event ${i}`);
  });
  const first = Math.min(...sc.attackIndices);
  assert.equal(sealed[first], 'off-contour');
  const ev = [...sc.events()][first]!;
  const [type, pathname] = FIRST_OFF_CONTOUR[name]!;
  assert.equal(ev.event.type, type);
  if (pathname)
    assert.equal(
      ((ev[type] as JsonCell)['file'] as JsonCell & { path: JsonCell })['path']['pathname'],
      pathname
    );
  // One attack task tree: one off-contour point, kept as the forensics record of that event.
  assert.equal(count(sealed, 'off-contour'), 1);
  assert.equal(ns.forensics().length, 1);
  assert.deepEqual(JSON.parse(heldLine(ns.forensics().at(0)!)), ev);
  assert.ok(ns.untrustedTaskCount() >= 1);
}

for (const { name, base } of ATTACKS) {
  test(`${name}: only the injected malicious events leave the ${base} contour`, () => {
    checkAttack(name, base, 1, 1, 2);
    checkAttack(name, base, 3, 1234, 4);
  });

  test(`${name}: the same holds for any seeds (property)`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 3 }),
        (s1, s2, n) => {
          checkAttack(name, base, s1, s2, n);
        }
      ),
      { numRuns: Math.max(1, Math.floor(FUZZ_RUNS / 2)) }
    );
  });
}
