/**
 * The in-process generator the namespace benchmarks share: simulated nginx kernel lines, streamed
 * into several namespaces with bounded windows, as a set of exporters would.
 */
import type { Submit } from '../engine/feed-source.js';
import { createScenario, formatEventLine } from '../exporter/sim/index.js';

export const BATCH = 1024;
/** Batches in flight per namespace, as an exporter's window. */
const WINDOW = 4;
/** Batches in flight over all namespaces. */
const MAX_IN_FLIGHT = 16;

export function nginxLines(n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let seed = 1; out.length < n; seed++)
    for (const e of createScenario('nginx', { seed, iterations: 20 }).events()) {
      out.push(Buffer.from(formatEventLine(e)));
      if (out.length >= n) break;
    }
  return out;
}

/** Takes one batch of one namespace's lines; resolves once it is acknowledged. */
export type SubmitLines = (ns: string, lines: Buffer[]) => Promise<void>;

/** TSEM_BENCH_WORKERS=N: the engine decides namespaces' events in N worker threads (default 0). */
export const benchWorkers = (): number => Number(process.env['TSEM_BENCH_WORKERS'] ?? 0);

/** The engine's pipeline as the generator's target: one exporter batch per call. */
export function engineSubmit(engine: { readonly submit: Submit }): SubmitLines {
  const origin = { host: 'bench', exporter: 'generator' };
  return async (ns, lines) => {
    const out = await engine.submit(
      ns,
      origin,
      lines.map((line) => ({ line }))
    );
    const bad = out.find((o) => 'error' in o);
    if (bad && 'error' in bad) throw new Error(`namespace ${ns}: ${bad.error}`);
  };
}

/**
 * Streams `perNs` events into each namespace (lines reused, offset per namespace) with at most
 * WINDOW batches in flight per namespace and MAX_IN_FLIGHT overall; returns seconds.
 */
export async function feed(
  submit: SubmitLines,
  names: string[],
  lines: Buffer[],
  perNs: number
): Promise<number> {
  const work: [string, number, number][] = [];
  for (let from = 0; from < perNs; from += BATCH)
    names.forEach((ns, k) => work.push([ns, k, from]));
  const t0 = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < work.length) {
      const [ns, k, from] = work[next++]!;
      const batch: Buffer[] = [];
      for (let i = from; i < Math.min(perNs, from + BATCH); i++)
        batch.push(lines[(i + k * 7919) % lines.length]!);
      await submit(ns, batch);
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_IN_FLIGHT, WINDOW * names.length) }, lane));
  return (performance.now() - t0) / 1000;
}
