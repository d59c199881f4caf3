import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventObject } from '../../engine/event/parse-json.js';
import { createScenario, listScenarios, type Scenario } from '../../exporter/sim/scenario.js';

const REQUIRED = [
  'nginx',
  'cron-backup',
  'shell',
  'reverse-shell',
  'shadow-read',
  'ptrace',
  'kernel-module',
  'cryptominer',
];
const ATTACK_BASES: Record<string, string> = {
  'reverse-shell': 'nginx',
  'shadow-read': 'shell',
  ptrace: 'shell',
  'kernel-module': 'shell',
  cryptominer: 'cron-backup',
};

const lines = (sc: Scenario) => [...sc.events()].map((e) => JSON.stringify(e));

test('the registry lists every required scenario once, attacks with their base', () => {
  const infos = listScenarios();
  assert.deepEqual(infos.map((i) => i.name).sort(), [...REQUIRED].sort());
  for (const i of infos) {
    assert.ok(i.description.length > 20, `${i.name} has a description`);
    assert.equal(i.kind, i.name in ATTACK_BASES ? 'attack' : 'benign');
    assert.equal(i.base, ATTACK_BASES[i.name] ?? i.name);
  }
});

for (const name of REQUIRED) {
  test(`${name}: the same seed gives the same events, another seed other pids and times`, () => {
    const a = lines(createScenario(name, { seed: 42, iterations: 2 }));
    assert.deepEqual(lines(createScenario(name, { seed: 42, iterations: 2 })), a);
    const sc = createScenario(name, { seed: 42, iterations: 2 });
    assert.deepEqual(lines(sc), lines(sc), 'events() can be iterated twice');
    assert.notDeepEqual(lines(createScenario(name, { seed: 43, iterations: 2 })), a);
  });

  for (const digest of ['sha256', 'sha384', 'sha3-256']) {
    test(`${name}: every event parses with the ${digest} digest size`, () => {
      const sc = createScenario(name, { seed: 7, iterations: 2, digest });
      const size = digest === 'sha384' ? 48 : 32;
      let n = 0;
      let lastTs = 0n;
      for (const ev of sc.events()) {
        const e = parseEventObject(ev, { digestSize: size, lineNumber: n + 1, source: name });
        n++;
        assert.equal(e.header.taskId, undefined, 'no task_id: the engine derives it');
        assert.ok(e.header.pid !== undefined && e.header.ts !== undefined);
        assert.ok(e.header.ts > lastTs, `ts increases at event ${n}`);
        lastTs = e.header.ts!;
        if (e.cell.hook === 'generic')
          assert.equal(e.header.type, 'task_alloc', 'only task_alloc is generic');
        if (ev.event.type === 'task_alloc')
          assert.ok(ev.event.ppid !== undefined, 'task_alloc names its parent');
      }
      assert.ok(n > 100, `${n} events`);
    });
  }
}

test('more iterations extend a run: with the same seed the shorter run is a prefix', () => {
  for (const name of ['nginx', 'cron-backup', 'shell']) {
    const one = lines(createScenario(name, { seed: 5, iterations: 1 }));
    const three = lines(createScenario(name, { seed: 5, iterations: 3 }));
    assert.ok(three.length > 2 * one.length, `${name}: ${three.length} vs ${one.length}`);
    // Same seed: the first iteration is drawn identically, so the shorter run is a prefix.
    assert.deepEqual(three.slice(0, one.length), one);
  }
});

test('an attack run equals its benign base until the first injected event', () => {
  for (const [attack, base] of Object.entries(ATTACK_BASES)) {
    const sc = createScenario(attack, { seed: 9, iterations: 3 });
    const first = sc.injected[0]!.index;
    assert.deepEqual(
      lines(sc).slice(0, first),
      lines(createScenario(base, { seed: 9, iterations: 3 })).slice(0, first),
      attack
    );
  }
});

test('injected events: benign runs have none; attacks mark malicious ones in attackIndices', () => {
  for (const name of ['nginx', 'cron-backup', 'shell']) {
    const sc = createScenario(name, { seed: 3, iterations: 2 });
    assert.equal(sc.injected.length, 0);
    assert.equal(sc.attackIndices.size, 0);
  }
  for (const name of Object.keys(ATTACK_BASES)) {
    const sc = createScenario(name, { seed: 3, iterations: 2 });
    const all = [...sc.events()];
    const malicious = sc.injected.filter((m) => m.role === 'malicious');
    assert.ok(malicious.length >= 1);
    assert.deepEqual(
      [...sc.attackIndices].sort((a, b) => a - b),
      malicious.map((m) => m.index)
    );
    for (const m of sc.injected) assert.equal(all[m.index]!.event.type, m.type);
    // The marks live beside the events, never inside them.
    for (const ev of all)
      assert.deepEqual(
        Object.keys(ev).filter((k) => k === 'role' || k === 'attack'),
        []
      );
  }
});

test('the namespace option sets the context header and numbers the events', () => {
  const evs = [...createScenario('shell', { seed: 1, iterations: 1, namespace: 12 }).events()];
  assert.ok(evs.every((e, i) => e.event.context === '12' && e.event.number === `${i + 1}`));
  const plain = [...createScenario('shell', { seed: 1, iterations: 1 }).events()];
  assert.ok(plain.every((e) => e.event.context === undefined && e.event.number === undefined));
});

test('bad options are refused with a message naming what was expected', () => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      'unknown scenario',
      () => createScenario('apache', { seed: 1, iterations: 1 }),
      /unknown scenario 'apache': expected one of nginx/,
    ],
    [
      'negative seed',
      () => createScenario('nginx', { seed: -1, iterations: 1 }),
      /seed: expected an integer in 0\.\.4294967295/,
    ],
    ['fractional seed', () => createScenario('nginx', { seed: 1.5, iterations: 1 }), /seed/],
    [
      'zero iterations',
      () => createScenario('nginx', { seed: 1, iterations: 0 }),
      /iterations: expected an integer ≥ 1, got 0/,
    ],
    [
      'unknown digest',
      () => createScenario('nginx', { seed: 1, iterations: 1, digest: 'md9' }),
      /digest 'md9': expected/,
    ],
    [
      'xof digest',
      () => createScenario('nginx', { seed: 1, iterations: 1, digest: 'shake256' }),
      /fixed-size/,
    ],
    [
      'bad namespace',
      () => createScenario('nginx', { seed: 1, iterations: 1, namespace: 'ns-1' }),
      /namespace: expected a decimal u64/,
    ],
  ];
  for (const [what, fn, re] of cases)
    assert.throws(fn, (err: Error) => err instanceof RangeError && re.test(err.message), what);
});
