/** The parse cache must give exactly what the full parser gives (differential test), and errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createScenario, formatEventLine } from '../exporter/sim/index.js';
import { ParseError } from '../common/errors.js';
import { createDigest } from '../engine/measure/digest.js';
import { Mapper } from '../engine/measure/mapper.js';
import type { TsemEvent } from '../engine/event/event.js';
import { EventParseCache } from '../engine/event/parse-cache.js';
import { parseEventObject, parseRecordLine } from '../engine/event/parse-json.js';

const sha = createDigest('sha256');
const ZERO = sha.nullDigest;
const opts = { digestSize: 32 };
const events = ['nginx', 'reverse-shell', 'shell'].flatMap((n) => [
  ...createScenario(n, { seed: 7, iterations: 2 }).events(),
]);

function coefficient(m: Mapper, e: TsemEvent): string {
  return m.coefficientHex(
    e.header.type,
    e.header.pTaskId ?? ZERO,
    e.header.taskId ?? ZERO,
    e.coe,
    e.cell
  );
}

test('raw lines: cached parses equal full parses, coefficient for coefficient', () => {
  const cache = new EventParseCache(32);
  const cached = new Mapper(sha);
  const full = new Mapper(sha);
  for (const ev of events) {
    const line = Buffer.from(formatEventLine(ev));
    const a = cache.parseLine(line, opts);
    const b = parseRecordLine(line, opts);
    assert.equal(a.kind, 'event');
    if (a.kind !== 'event' || b.kind !== 'event') continue;
    assert.deepEqual(a.event.header, b.event.header);
    assert.equal(coefficient(cached, a.event), coefficient(full, b.event));
    assert.equal(a.event.line, b.event.line);
  }
  assert.ok(cache.hits > cache.misses, `hits ${cache.hits}, misses ${cache.misses}`);
});

test('structured events: cached parses equal full parses', () => {
  const cache = new EventParseCache(32);
  const m = new Mapper(sha);
  for (const ev of events) {
    const type = ev.event.type;
    const s = {
      header: { ...ev.event } as Record<string, string>,
      coe: { ...ev.COE } as Record<string, string>,
      cellJson: Buffer.from(JSON.stringify(ev[type] ?? {})),
    };
    const a = cache.parseStructured(s, opts);
    const b = parseEventObject(ev, opts);
    assert.deepEqual(a.header, b.header);
    assert.equal(coefficient(m, a), coefficient(m, b));
  }
  assert.ok(cache.hits > 0);
});

test('a cached COE/CELL with a bad header still fails naming the header field', () => {
  const cache = new EventParseCache(32);
  const line = formatEventLine(events[0]!);
  cache.parseLine(Buffer.from(line), opts);
  const bad = line.replace(/"pid": "\d+"/, '"pid": "12x"');
  assert.throws(
    () => cache.parseLine(Buffer.from(bad), { ...opts, lineNumber: 3 }),
    (e: unknown) => e instanceof ParseError && /line 3: field 'event.pid'/.test(e.message)
  );
});

test('a second "event" member takes the full parser, as JSON.parse would', () => {
  const cache = new EventParseCache(32);
  const line = formatEventLine(events[1]!);
  cache.parseLine(Buffer.from(line), opts);
  const other = JSON.stringify((JSON.parse(line) as { event: unknown }).event).replace(
    /"process":"[^"]*"/,
    '"process":"evil"'
  );
  const twice = Buffer.from(`${line.slice(0, -1)}, "event": ${other}}`);
  const a = cache.parseLine(twice, opts);
  const b = parseRecordLine(twice, opts);
  assert.ok(a.kind === 'event' && b.kind === 'event');
  if (a.kind === 'event' && b.kind === 'event')
    assert.equal(a.event.header.process, b.event.header.process);
});

test('structured: invalid CELL JSON is a ParseError naming cell_json', () => {
  const cache = new EventParseCache(32);
  const ev = events[0]!;
  const s = {
    header: { ...ev.event } as Record<string, string>,
    coe: { ...ev.COE } as Record<string, string>,
    cellJson: Buffer.from('{"file": '),
  };
  assert.throws(
    () => cache.parseStructured(s, opts),
    (e: unknown) =>
      e instanceof ParseError && /field 'cell_json': expected a JSON object/.test(e.message)
  );
});
