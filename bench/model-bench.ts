/**
 * Model-core benchmark: events/s per core for mapping events (parse excluded and included) beside
 * the machine's raw SHA-256 rate, so the ratio to the hashing bound is visible.
 */
import { hash } from 'node:crypto';
import { type BenchReport, round } from './report.js';
import { EventParseCache, type StructuredInput } from '../engine/event/parse-cache.js';
import { eventFromWire } from '../engine/server/wire.js';
import { eventJsonToStructured } from '../exporter/wire-event.js';
import type { Event__Output } from '../proto/gen/tsem/v1/Event.js';
import type { TsemEventJson } from '../proto/kernel-json.js';
import { parseRecordLine } from '../engine/event/parse-json.js';
import type { TsemEvent } from '../engine/event/event.js';
import { createDigest } from '../engine/measure/digest.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');

/** A realistic mix: file opens, mmaps, socket connects, capable checks over 64 tasks and 2000 files. */
export function benchLines(n: number): Buffer[] {
  const lines: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const task = D(`t${i % 64}`);
    const hdr = `"event": {"pid": "${1000 + (i % 64)}", "context": "1", "number": "${i}", "process": "worker", "type": "%T", "ttd": "5", "p_ttd": "4", "task_id": "${task}", "p_task_id": "${D('parent')}", "ts": "${i * 1000}"}`;
    const coe = `"COE": {"uid": "33", "euid": "33", "suid": "33", "gid": "33", "egid": "33", "sgid": "33", "fsuid": "33", "fsgid": "33", "capeff": "0x0"}`;
    const f = i % 2000;
    const file = `{"flags": "32768", "inode": {"uid": "0", "gid": "0", "mode": "0100644", "s_magic": "0xef53", "s_id": "sda1", "s_uuid": "e896110b42b24dbca89c7caa36961685"}, "path": {"dev": {"major": "8", "minor": "1"}, "type": "root", "pathname": "/var/www/html/f${f}.html"}, "digest": "${D(`c${f}`)}"}`;
    const kind = i % 4;
    const body =
      kind === 0
        ? [hdr.replace('%T', 'file_open'), `"file_open": {"file": ${file}}`]
        : kind === 1
          ? [
              hdr.replace('%T', 'mmap_file'),
              `"mmap_file": {"file": ${file}, "prot": "1", "flags": "2"}`,
            ]
          : kind === 2
            ? [
                hdr.replace('%T', 'socket_connect'),
                `"socket_connect": {"sock": {"family": "2", "type": "1", "protocol": "6", "owner": "${task}"}, "addr": {"af_inet": {"port": "${8000 + (i % 50)}", "address": "10.0.0.${i % 200}"}}}`,
              ]
            : [hdr.replace('%T', 'capable'), `"capable": {"cap": "${i % 40}", "opts": "0"}`];
    lines.push(Buffer.from(`{${body[0]}, ${coe}, ${body[1]}}`));
  }
  return lines;
}

/** Rounds per figure (medians). */
const ROUNDS = 5;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function rate(n: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function runModelBench(r: BenchReport): Promise<void> {
  const N = 200_000;
  const CHUNK = 10_000;
  const H = 300_000;
  const bufs = [Buffer.alloc(170, 2), Buffer.alloc(140, 3)];
  const lines = benchLines(N);
  const parse = (l: Buffer) =>
    (parseRecordLine(l, { digestSize: 32 }) as { event: TsemEvent }).event;
  // Warm up the JIT on a separate namespace.
  const warm = new NamespaceModel(createNamespaceConfig({ id: 'w' }));
  for (const l of lines.slice(0, 20_000)) warm.process(parse(l));

  // Each figure is the median of ROUNDS rounds, the rounds of all four measures alternating, so a
  // burst of noise on a shared machine moves one round, not a figure (each round uses fresh
  // namespaces and a fresh parse cache).
  const rounds = {
    mapOnly: [] as number[],
    withParse: [] as number[],
    withCache: [] as number[],
    structured: [] as number[],
  };
  // The same events as structured wire events (what `tsem export` sends for object sources), as
  // the engine receives them (engine/server/wire.ts).
  const structured = lines.map((l) => {
    const w = eventJsonToStructured(JSON.parse(l.toString()) as TsemEventJson);
    const e = eventFromWire(
      { body: 'structured', structured: { ...w, file_digest: '' } } as unknown as Event__Output,
      0
    );
    return (e as { structured: StructuredInput }).structured;
  });
  const shaRates: number[] = [];
  let nsA = warm;
  let cache = new EventParseCache(32);
  for (let round = 0; round < ROUNDS; round++) {
    // Parse excluded: each chunk is parsed untimed, then mapped timed (a streaming heap, not 200k events).
    nsA = new NamespaceModel(createNamespaceConfig({ id: 'a' }));
    let mapNs = 0;
    for (let i = 0; i < N; i += CHUNK) {
      const events = lines.slice(i, i + CHUNK).map(parse);
      const t0 = process.hrtime.bigint();
      for (const e of events) nsA.process(e);
      mapNs += Number(process.hrtime.bigint() - t0);
    }
    rounds.mapOnly.push(N / (mapNs / 1e9));
    const nsB = new NamespaceModel(createNamespaceConfig({ id: 'b' }));
    rounds.withParse.push(rate(N, () => lines.forEach((l) => nsB.process(parse(l)))));
    // The engine's ingest path: the header scanned from the line's bytes, repeated COE/CELL text
    // parsed once (engine/event/header-scan.ts, parse-cache.ts).
    cache = new EventParseCache(32);
    const c = cache;
    const nsC = new NamespaceModel(createNamespaceConfig({ id: 'c' }));
    rounds.withCache.push(
      rate(N, () =>
        lines.forEach((l) =>
          nsC.process((c.parseLine(l, { digestSize: 32 }) as { event: TsemEvent }).event)
        )
      )
    );
    const sc = new EventParseCache(32);
    const nsD = new NamespaceModel(createNamespaceConfig({ id: 'd' }));
    rounds.structured.push(
      rate(N, () =>
        structured.forEach((s) => nsD.process(sc.parseStructured(s, { digestSize: 32 })))
      )
    );
    // Raw SHA-256 through Node's fastest path over the two preimages an event needs once COE ids
    // are cached: the CELL (~170 B) and the coefficient (~140 B).
    shaRates.push(
      rate(H * 2, () => {
        for (let i = 0; i < H; i++) for (const b of bufs) hash('sha256', b, 'hex');
      })
    );
  }
  const mapOnly = median(rounds.mapOnly);
  const withParse = median(rounds.withParse);
  const withCache = median(rounds.withCache);
  const withStructured = median(rounds.structured);
  const shaRate = median(shaRates);
  const bound = shaRate / 2;
  r.say(
    `model core (one core, sha256, 200,000 mixed events: file_open, mmap_file, socket_connect, capable; medians of ${ROUNDS} rounds)`
  );
  r.say(
    `  map + compare, parse excluded : ${fmt(mapOnly)} events/s  (${pct(mapOnly / bound)} of the SHA-256 bound)`
  );
  r.say(
    `  map + compare, parse included : ${fmt(withParse)} events/s  (${pct(withParse / bound)} of the SHA-256 bound)`
  );
  r.say(
    `  kernel-line scanner + cache   : ${fmt(withCache)} events/s  (${pct(withCache / bound)}; ${cache.hits} hits, ${cache.misses} misses)`
  );
  r.say(
    `  structured wire events + cache: ${fmt(withStructured)} events/s  (${pct(withStructured / bound)})`
  );
  r.say(
    `  raw SHA-256 (node crypto.hash, 170/140-byte inputs): ${fmt(shaRate)} hashes/s → bound ${fmt(bound)} events/s at 2 hashes per event (COE ids cached)`
  );
  r.say(`  points ${nsA.pointCount}, measurement ${nsA.measurement.toString('hex').slice(0, 16)}…`);
  r.figures({
    events: N,
    rounds: ROUNDS,
    events_per_s_parse_excluded: Math.round(mapOnly),
    events_per_s_parse_included: Math.round(withParse),
    // The engine's ingest path: the kernel-line header scanner with the parse cache.
    events_per_s_kernel_line: Math.round(withCache),
    kernel_line_of_bound: round(withCache / bound, 3),
    // Structured wire events (object sources through `tsem export`) through the parse cache.
    events_per_s_structured: Math.round(withStructured),
    structured_of_bound: round(withStructured / bound, 3),
    sha256_bound_events_per_s: Math.round(bound),
    parse_excluded_of_bound: round(mapOnly / bound, 3),
    parse_included_of_bound: round(withParse / bound, 3),
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
