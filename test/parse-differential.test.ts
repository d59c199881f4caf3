/**
 * The fast parse path (header scanner + parse cache) against the reference parser
 * (parseRecordLine): the real trajectories in test/vectors/tsem, every simulator scenario, and
 * fuzzed headers give identical events (or the same error), and namespaces fed either way end in
 * identical state.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { TsemEvent, TsemRecord } from '../engine/event/event.js';
import { HeaderScanner } from '../engine/event/header-scan.js';
import { EventParseCache } from '../engine/event/parse-cache.js';
import { type StructuredInput, structuredToObject } from '../engine/event/parse-cache.js';
import { parseEventObject, parseRecordLine } from '../engine/event/parse-json.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { createScenario, formatEventLine, listScenarios } from '../exporter/sim/index.js';
import { eventJsonToStructured } from '../exporter/wire-event.js';
import { eventFromWire } from '../engine/server/wire.js';
import type { Event__Output } from '../proto/gen/tsem/v1/Event.js';
import type { TsemEventJson } from '../proto/kernel-json.js';
import { fuzzRuns } from './helpers/fuzz.js';
import { vectorPath } from './helpers/repo.js';

function vectorLines(): Buffer[] {
  const coefficients = (
    JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
      vectors: { line: string }[];
    }
  ).vectors.map((v) => v.line);
  const raw = readFileSync(vectorPath('tsem/raw-control-bytes/event.jsonl'));
  return [
    ...coefficients.map((l) => Buffer.from(l)),
    readFileSync(vectorPath('tsem/tv11-forensics.json')),
    readFileSync(vectorPath('tsem/tv9-export-record.json')),
    ...raw
      .toString('latin1')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => Buffer.from(l, 'latin1')),
  ].map((b) => Buffer.from(b.toString('latin1').trimEnd(), 'latin1'));
}

function scenarioLines(): Buffer[] {
  const out: Buffer[] = [];
  for (const { name } of listScenarios())
    for (const seed of [1, 2])
      for (const e of createScenario(name, { seed, iterations: 2 }).events())
        out.push(Buffer.from(formatEventLine(e)));
  return out;
}

type Result = { ok: TsemRecord } | { error: string };
function attempt(f: () => TsemRecord): Result {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const plain = (e: TsemEvent) => ({
  header: e.header,
  coe: e.coe,
  cell: e.cell,
  exportType: e.exportType,
  line: e.line,
});

function assertSame(a: Result, b: Result, what: string): void {
  if ('error' in a || 'error' in b) {
    assert.deepEqual(b, a, what);
    return;
  }
  assert.equal(b.ok.kind, a.ok.kind, what);
  if (a.ok.kind === 'event' && b.ok.kind === 'event')
    assert.deepEqual(plain(b.ok.event), plain(a.ok.event), what);
  else assert.deepEqual(b.ok, a.ok, what);
}

/** The reference, then the cache twice (the first a miss, the second the scanned hit path). */
function checkLine(line: Buffer, what: string): void {
  const opts = { digestSize: 32 };
  const ref = attempt(() => parseRecordLine(line, opts));
  const cache = new EventParseCache(32);
  assertSame(
    ref,
    attempt(() => cache.parseLine(line, opts)),
    `${what} (miss)`
  );
  assertSame(
    ref,
    attempt(() => cache.parseLine(line, opts)),
    `${what} (hit)`
  );
}

/** A line's event as a structured wire event (what `tsem export` sends for object sources). */
function structuredOf(line: Buffer): StructuredInput | undefined {
  try {
    const w = eventJsonToStructured(JSON.parse(line.toString('utf8')) as TsemEventJson);
    // As the engine receives it: the wire message through the engine's own conversion.
    const e = eventFromWire(
      { body: 'structured', structured: { ...w, file_digest: '' } } as unknown as Event__Output,
      0
    );
    return 'structured' in e ? e.structured : undefined;
  } catch {
    return undefined; // not strict JSON (raw control bytes), or not an event: no structured form
  }
}

/** The reference (the schema over the structured event's object), then the cache: miss, hit. */
function checkStructured(s: StructuredInput, what: string): void {
  const opts = { digestSize: 32 };
  const event = (f: () => TsemEvent) => (): TsemRecord => ({ kind: 'event', event: f() });
  const ref = attempt(event(() => parseEventObject(structuredToObject(s, opts), opts)));
  const cache = new EventParseCache(32);
  assertSame(ref, attempt(event(() => cache.parseStructured(s, opts))), `${what} (miss)`);
  assertSame(ref, attempt(event(() => cache.parseStructured(s, opts))), `${what} (hit)`);
}

test('vector and simulator lines: the scanner takes the kernel header form', () => {
  const scanner = new HeaderScanner(32);
  let scanned = 0;
  const lines = [...vectorLines(), ...scenarioLines()];
  for (const l of lines) {
    if (!l.subarray(0, 11).equals(Buffer.from('{"event": {'))) continue;
    const close = l.indexOf('}');
    if (scanner.scan(l, 10, close)) scanned++;
  }
  // Every trajectory line of the vectors and the simulator is in the plain kernel form.
  assert.ok(scanned > 100, `only ${scanned} headers scanned`);
  assert.equal(scanned, lines.filter((l) => l.toString('latin1').startsWith('{"event"')).length);
});

test('vector and simulator lines: fast path equals the reference, event by event', () => {
  const lines = [...vectorLines(), ...scenarioLines()];
  lines.forEach((l, i) => checkLine(l, `line ${i + 1}: ${l.toString('latin1').slice(0, 120)}`));
});

test('vector and simulator events as structured events: fast path equals the reference', () => {
  const scanner = new HeaderScanner(32);
  const events = [...vectorLines(), ...scenarioLines()]
    .map(structuredOf)
    .filter((s) => s !== undefined);
  assert.ok(events.length > 100, `only ${events.length} structured events`);
  // Every header is in the plain form the fast path reads (else the test checks nothing new).
  assert.equal(events.filter((s) => scanner.fromStrings(s.header)).length, events.length);
  events.forEach((s, i) => checkStructured(s, `event ${i + 1}: ${JSON.stringify(s.header)}`));
});

test('namespaces fed by the fast path and by the reference end in identical state', () => {
  const lines = [...vectorLines(), ...scenarioLines()];
  const ref = new NamespaceModel(createNamespaceConfig({ id: 'ref' }));
  const fast = new NamespaceModel(createNamespaceConfig({ id: 'fast' }));
  const cache = new EventParseCache(32);
  for (const pass of [1, 2]) {
    if (pass === 2) {
      ref.setMode('sealed');
      fast.setMode('sealed');
    }
    for (const l of lines) {
      const a = attempt(() => parseRecordLine(l, { digestSize: 32 }));
      const b = attempt(() => cache.parseLine(l, { digestSize: 32 }));
      const va = 'ok' in a && a.ok.kind === 'event' ? ref.process(a.ok.event, 'h') : undefined;
      const vb = 'ok' in b && b.ok.kind === 'event' ? fast.process(b.ok.event, 'h') : undefined;
      assert.deepEqual(vb, va);
    }
  }
  assert.ok(cache.hits > lines.length / 2, `only ${cache.hits} cache hits`);
  assert.deepEqual(fast.measurement, ref.measurement);
  assert.deepEqual(fast.state(), ref.state());
  assert.deepEqual(
    fast.points().map((p) => [p.hex, p.count, p.valid]),
    ref.points().map((p) => [p.hex, p.count, p.valid])
  );
  assert.deepEqual(fast.trajectory(), ref.trajectory());
  assert.deepEqual(fast.forensics(), ref.forensics());
  assert.deepEqual([...fast.taskEntries()], [...ref.taskEntries()]);
});

const BASE =
  '{"event": {"pid": "1000", "context": "1", "number": "7", "process": "worker", "type": "capable", "ttd": "5", "p_ttd": "4", "task_id": "8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb", "p_task_id": "8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb", "ts": "1244073"}, "COE": {"uid": "0", "euid": "0", "suid": "0", "gid": "0", "egid": "0", "sgid": "0", "fsuid": "0", "fsgid": "0", "capeff": "0x1ffffffffff"}, "capable": {"cap": "8", "opts": "0"}}';
const KEYS = ['pid', 'ppid', 'tnum', 'context', 'number', 'process', 'type', 'ttd', 'p_ttd'];
const DIGEST_KEYS = ['task_id', 'p_task_id'];

/** Edits of a header: numbers, digests and text in and out of the kernel's plain form. */
function headerEdits() {
  const numberish = fc.oneof(
    fc.constantFrom(
      '0',
      '00',
      '007',
      '010',
      '08',
      '0123',
      '0x1f',
      '0X1F',
      '-1',
      '+5',
      ' 5',
      '5 ',
      '4294967295'
    ),
    fc.constantFrom(
      '4294967296',
      '18446744073709551615',
      '18446744073709551616',
      '99999999999999999999'
    ),
    fc.constantFrom('123456789012345', '1234567890123456', '', 'abc', '1e3', '\\u0031', '\\"'),
    fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
    fc.string({ maxLength: 6 })
  );
  const digestish = fc.oneof(
    fc.constantFrom('8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb'),
    fc.constantFrom('8B4453F1259F134BE62E96853362C8E11698B01063E91527A26C8C8ECAD55CFB'),
    fc.constantFrom('zz4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb', '00', ''),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
    fc.uint8Array({ minLength: 31, maxLength: 33 }).map((b) => Buffer.from(b).toString('hex'))
  );
  return fc.oneof(
    fc.tuple(fc.constantFrom(...KEYS), numberish).map(([k, v]) => ({ k, v })),
    fc.tuple(fc.constantFrom(...DIGEST_KEYS), digestish).map(([k, v]) => ({ k, v })),
    fc.tuple(fc.constantFrom('process', 'extra'), fc.string({ maxLength: 8 })).map(([k, v]) => ({
      k,
      v,
    }))
  );
}

test('fuzzed headers: fast path equals the reference (value or error)', () => {
  const layout = fc.constantFrom('plain', 'dup', 'tight', 'spaced', 'drop');
  const cache = new EventParseCache(32);
  cache.parseLine(Buffer.from(BASE), { digestSize: 32 }); // the COE/CELL text is now cached
  fc.assert(
    fc.property(fc.array(headerEdits(), { maxLength: 4 }), layout, (edits, how) => {
      const header = JSON.parse(BASE.slice(10, BASE.indexOf('}') + 1)) as Record<string, string>;
      const pairs: [string, string][] = Object.entries(header);
      for (const { k, v } of edits) {
        const at = pairs.findIndex(([key]) => key === k);
        if (at >= 0 && how !== 'dup') pairs[at] = [k, v];
        else pairs.push([k, v]);
      }
      if (how === 'drop') pairs.splice(0, 1);
      // Values are written raw (a fuzzed `\u0031` or `\"` stays an escape in the JSON text).
      const sep = how === 'tight' ? ',' : how === 'spaced' ? ' ,  ' : ', ';
      const colon = how === 'tight' ? ':' : ': ';
      const text = `{${pairs.map(([k, v]) => `"${k}"${colon}"${v}"`).join(sep)}}`;
      const line = Buffer.from(`{"event": ${text}${BASE.slice(BASE.indexOf('}') + 1)}`, 'latin1');
      const opts = { digestSize: 32 };
      assertSame(
        attempt(() => parseRecordLine(line, opts)),
        attempt(() => cache.parseLine(line, opts)),
        line.toString('latin1')
      );
    }),
    { numRuns: fuzzRuns(2000) }
  );
});

test('fuzzed structured headers: fast path equals the reference (value or error)', () => {
  const base = structuredOf(Buffer.from(BASE))!;
  const cache = new EventParseCache(32);
  cache.parseStructured(base, { digestSize: 32 }); // the COE/CELL are now cached
  fc.assert(
    fc.property(fc.array(headerEdits(), { maxLength: 4 }), fc.boolean(), (edits, drop) => {
      const header: Record<string, string> = { ...base.header };
      for (const { k, v } of edits) header[k] = v;
      if (drop) delete header['pid'];
      const s = { ...base, header };
      const opts = { digestSize: 32 };
      const ref = attempt(() => ({
        kind: 'event' as const,
        event: parseEventObject(structuredToObject(s, opts), opts),
      }));
      const fast = attempt(() => ({
        kind: 'event' as const,
        event: cache.parseStructured(s, opts),
      }));
      assertSame(ref, fast, JSON.stringify(header));
    }),
    { numRuns: fuzzRuns(2000) }
  );
});

test('a second top-level "event" member: the fast path parses as JSON.parse does, miss and hit', () => {
  const second =
    '"event": {"pid": "2", "context": "1", "number": "8", "process": "other", "type": "capable", "task_id": "8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb", "p_task_id": "8b4453f1259f134be62e96853362c8e11698b01063e91527a26c8c8ecad55cfb"}';
  const line = Buffer.from(`${BASE.slice(0, -1)}, ${second}}`);
  const ref = attempt(() => parseRecordLine(line, { digestSize: 32 }));
  assert.ok('ok' in ref && ref.ok.kind === 'event' && ref.ok.event.header.process === 'other');
  checkLine(line, 'second event member');
});
