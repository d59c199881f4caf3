/**
 * The mapper's hot path (one warm Mapper: coefficient as a byte-string key, recent-COE and
 * identity caches, reused preimage views) against a cold reference (a fresh Mapper per event for
 * COE_ID and CELL_ID, the coefficient hashed from its parts, tsem-model.md §2.4) over the real
 * trajectories in test/vectors/tsem and every simulator scenario, parsed both ways.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ContourMap } from '../engine/contour/contour-map.js';
import type { TsemEvent } from '../engine/event/event.js';
import { EventParseCache } from '../engine/event/parse-cache.js';
import { parseRecordLine } from '../engine/event/parse-json.js';
import { createDigest } from '../engine/measure/digest.js';
import { type Dialect, Mapper } from '../engine/measure/mapper.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { createScenario, formatEventLine, listScenarios } from '../exporter/sim/index.js';
import { vectorPath } from './helpers/repo.js';

const sha256 = createDigest('sha256');

function trajectoryLines(): Buffer[] {
  const vectors = (
    JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
      vectors: { line: string }[];
    }
  ).vectors.map((v) => Buffer.from(v.line));
  const sim: Buffer[] = [];
  for (const { name } of listScenarios())
    for (const seed of [1, 2])
      for (const e of createScenario(name, { seed, iterations: 2 }).events())
        sim.push(Buffer.from(formatEventLine(e)));
  return [...vectors, ...sim];
}

function events(lines: readonly Buffer[]): TsemEvent[] {
  const cache = new EventParseCache(32);
  const out: TsemEvent[] = [];
  // Twice through the cache (miss, then shared COE/CELL objects) and once through JSON.parse.
  for (const parse of [
    (l: Buffer) => cache.parseLine(l, { digestSize: 32 }),
    (l: Buffer) => cache.parseLine(l, { digestSize: 32 }),
    (l: Buffer) => parseRecordLine(l, { digestSize: 32 }),
  ]) {
    for (const l of lines) {
      const r = parse(l);
      if (r.kind === 'event') out.push(r.event);
    }
  }
  return out;
}

function reference(dialect: Dialect, e: TsemEvent): string {
  const cold = new Mapper(sha256, { dialect });
  const pTask = e.header.pTaskId ?? sha256.nullDigest;
  const task = e.header.taskId ?? sha256.nullDigest;
  const parts: Buffer[] = [Buffer.from(e.header.type, 'latin1')];
  if (dialect !== 'quixote-us') parts.push(pTask);
  parts.push(task, cold.coeId(e.coe), cold.cellId(e.cell));
  return sha256.hash(Buffer.concat(parts)).toString('hex');
}

for (const dialect of ['tsem-6.12', 'quixote-us'] as const) {
  test(`${dialect}: the warm mapper's coefficients equal the cold reference, event by event`, () => {
    const evs = events(trajectoryLines());
    assert.ok(evs.length > 300, `only ${evs.length} events`);
    const warm = new Mapper(sha256, { dialect });
    for (const [i, e] of evs.entries()) {
      const pTask = e.header.pTaskId ?? sha256.nullDigest;
      const task = e.header.taskId ?? sha256.nullDigest;
      const key = warm.coefficientKey(e.header.type, pTask, task, e.coe, e.cell);
      const want = reference(dialect, e);
      assert.equal(Buffer.from(key, 'latin1').toString('hex'), want, `event ${i}: ${e.line}`);
      assert.equal(warm.coefficientHex(e.header.type, pTask, task, e.coe, e.cell), want);
    }
  });
}

test('COEs differing in one field each never share a cached COE_ID', () => {
  const m = new Mapper(sha256);
  const base = { uid: 1, euid: 2, suid: 3, gid: 4, egid: 5, sgid: 6, fsuid: 7, fsgid: 8 };
  const coes = [
    { ...base, capeff: 0n },
    { ...base, capeff: 1n },
  ];
  for (const k of Object.keys(base) as (keyof typeof base)[])
    coes.push({ ...base, [k]: base[k] + 100, capeff: 0n });
  const ids = coes.map((c) => m.coeId(c).toString('hex'));
  assert.equal(new Set(ids).size, coes.length);
  // And again, with the recent-COE cache full of them: each the cold value.
  coes.forEach((c, i) => {
    assert.equal(m.coeId(c).toString('hex'), ids[i]);
    assert.equal(new Mapper(sha256).coeId(c).toString('hex'), ids[i]);
  });
});

test('a namespace keeps each point once, found by its hex as by the key it was made from', () => {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'diff' }));
  const seen = new Map<string, number>();
  for (const e of events(trajectoryLines())) {
    const v = ns.process(e, 'h');
    if (!v.coefficient) continue;
    const hex = v.coefficient.toString('hex');
    seen.set(hex, (seen.get(hex) ?? 0) + 1);
    assert.equal(ns.point(hex)?.hex, hex);
  }
  assert.equal(ns.pointCount, seen.size);
  for (const p of ns.points()) {
    assert.equal(p.count, seen.get(p.hex));
    assert.equal(p.coefficient.toString('hex'), p.hex);
  }
});

test('the contour map finds points by lowercase hex only, as the hex-keyed map did', () => {
  const map = new ContourMap();
  const c = sha256.hash(Buffer.from('x'));
  const p = map.add(c, true);
  assert.equal(map.get(c.toString('hex')), p);
  assert.equal(map.get(c.toString('hex').toUpperCase()), undefined);
  assert.equal(map.get(c.toString('hex').slice(1)), undefined);
  assert.equal(map.get(`${c.toString('hex')}zz`), undefined);
  assert.throws(() => map.add(Buffer.from(c), false), /already in the contour map/);
});

test('points whose coefficients share their first bytes are told apart', () => {
  const map = new ContourMap();
  const a = Buffer.alloc(32, 1);
  const b = Buffer.from(a);
  b[31] = 2;
  const c = Buffer.from(a);
  c[4] = 9;
  const pa = map.add(a, true);
  assert.equal(map.get(b.toString('hex')), undefined);
  const pb = map.add(b, false);
  const pc = map.add(c, true);
  assert.deepEqual(
    [a, b, c].map((x) => map.get(x.toString('hex'))),
    [pa, pb, pc]
  );
  assert.throws(() => map.add(Buffer.from(b), true), /already in the contour map/);
  assert.equal(map.size, 3);
});
