/**
 * The exporter side of the end-to-end benchmark, run as its own process: streams N simulated events
 * over gRPC and prints JSON figures (events/s, per-batch verdict latency percentiles).
 */
import * as grpc from '@grpc/grpc-js';
import { loadTsemProto } from '../proto/load.js';
import type { Event } from '../proto/gen/tsem/v1/Event.js';
import type { IngestResponse__Output } from '../proto/gen/tsem/v1/IngestResponse.js';
import { createScenario, formatEventLine } from '../exporter/sim/index.js';
import { eventToWire } from '../exporter/wire-event.js';

const [
  address = '127.0.0.1:50551',
  countArg = '200000',
  batchArg = '1024',
  windowArg = '8',
  form = 'kernel_json',
] = process.argv.slice(2);
const N = Number(countArg);
const NL = Buffer.from('\n');
const BATCH = Number(batchArg);
const WINDOW = Number(windowArg);

// Pre-build the wire events so the figure measures transport + engine, not the simulator.
const events: Event[] = [];
for (let seed = 1; events.length < N; seed++) {
  for (const e of createScenario('nginx', { seed, iterations: 20 }).events()) {
    // kernel_json: the kernel's own line, byte for byte; structured: header/COE fields + CELL JSON.
    const body = form === 'structured' ? e : Buffer.from(formatEventLine(e));
    // (bulk: the same kernel lines, grouped into LineBlocks below)
    events.push(eventToWire(`bench${seed % 4}`, body));
    if (events.length >= N) break;
  }
}
type Batch = { events: Event[] } | { lines: { namespace: string; kernel_lines: Buffer } };
const batches: Batch[] = [];
if (form === 'bulk') {
  // One LineBlock per namespace and batch: the kernel lines joined, one protobuf field per batch.
  const byNs = new Map<string, Buffer[]>();
  events.forEach((e) =>
    (byNs.get(e.namespace!) ?? byNs.set(e.namespace!, []).get(e.namespace!)!).push(
      e.kernel_json as Buffer
    )
  );
  const blocks: Batch[][] = [...byNs].map(([namespace, lines]) => {
    const out: Batch[] = [];
    for (let i = 0; i < lines.length; i += BATCH) {
      out.push({
        lines: {
          namespace,
          kernel_lines: Buffer.concat(lines.slice(i, i + BATCH).flatMap((l) => [l, NL])),
        },
      });
    }
    return out;
  });
  for (let i = 0; blocks.some((b) => b.length > i); i++)
    for (const b of blocks) if (b[i]) batches.push(b[i]!);
} else {
  for (let i = 0; i < events.length; i += BATCH)
    batches.push({ events: events.slice(i, i + BATCH) });
}

const client = new (loadTsemProto().proto.tsem.v1.Ingest)(
  address,
  grpc.credentials.createInsecure(),
  {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  }
);
const call = client.Stream();
const sentAt = new Map<string, bigint>();
const latenciesUs: number[] = [];
let next = 0;
let acked = 0;
let errors = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const send = () => {
  while (next < batches.length && sentAt.size < WINDOW) {
    const id = String(next + 1);
    sentAt.set(id, process.hrtime.bigint());
    call.write({ batch: { batch_id: id, ...batches[next]! } });
    next++;
  }
  if (next === batches.length && sentAt.size === 0) call.end();
};
call.on('data', (r: IngestResponse__Output) => {
  const res = r.result!;
  const start = sentAt.get(res.batch_id)!;
  sentAt.delete(res.batch_id);
  latenciesUs.push(Number(process.hrtime.bigint() - start) / 1000);
  if (res.packed) {
    acked += res.packed.kinds.length;
    errors += res.packed.errors.length;
  } else {
    acked += res.verdicts.length;
    for (const v of res.verdicts) if (v.kind === 'VERDICT_KIND_ERROR') errors++;
  }
  send();
});
call.on('error', (e) => {
  console.log(JSON.stringify({ error: e.message }));
  process.exit(1);
});
call.on('end', () => {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  latenciesUs.sort((a, b) => a - b);
  const pct = (p: number) =>
    latenciesUs[Math.min(latenciesUs.length - 1, Math.floor(p * latenciesUs.length))]!;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      exporterCpuSeconds: (cpu.user + cpu.system) / 1e6,
      events: acked,
      errors,
      seconds: secs,
      eventsPerSecond: acked / secs,
      batchP50Us: pct(0.5),
      batchP99Us: pct(0.99),
      batch: BATCH,
      window: WINDOW,
      form,
    })
  );
  client.close();
});
call.write({ hello: { exporter: 'bench', host: 'bench' } });
send();
