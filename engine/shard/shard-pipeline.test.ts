/**
 * Namespaces decided in worker threads are the same namespaces: the same script of events and
 * control actions over 4 namespaces, run through the pipeline on this thread and with 2 shard
 * workers, gives the same outcomes, the same events seen by the stages (in the mode each was
 * modeled in), and the same store. A worker that dies fails its runs as not applied, and the
 * namespace goes on in a new worker from its mirror.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { vectorPath } from '../../test/helpers/repo.js';
import { parseModelFile } from '../contour/model-file.js';
import { createDigest } from '../measure/digest.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import { type IncomingEvent, type Outcome, Pipeline } from '../ns/pipeline.js';
import { NamespaceRegistry } from '../ns/registry.js';
import type { PipelineStage } from '../ns/stage.js';
import { LevelStore } from '../store/level-store.js';
import { ShardPool } from './shard-pool.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ORIGIN = { host: 'h', exporter: 'x' };
const NAMES = ['web', 'db', 'cron', 'batch'];

const kernel: IncomingEvent[] = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: { line: string }[];
  }
).vectors.map((v) => ({ line: Buffer.from(v.line) }));
const open = (pid: number, path: string, ppid?: number): IncomingEvent => ({
  obj: sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }, { ppid }),
});
const exec = (pid: number, path: string): IncomingEvent => ({
  obj: sourceEvent(pid, 'bprm_committed_creds', { file: fileCell(path, D(path), '32800') }),
});
const BAD: IncomingEvent = { line: Buffer.from('{"event": {"type": "file_open"}, "COE": 7}') };

/** A stage that sees every event (as the engine's do) and denies opens of /deny-me. */
function witness(seen: string[]): PipelineStage {
  return {
    afterVerdict: (ns, event, verdict) => {
      const cell = event.cell as { value?: { file?: { path?: { pathname?: string } } } };
      const path = cell.value?.file?.path?.pathname;
      seen.push(`${ns.id} ${ns.mode} ${verdict.seq} ${event.header.type} ${verdict.kind}`);
      return path === '/deny-me' ? { deny: true } : undefined;
    },
  };
}

const outcome = (o: Outcome) =>
  o.verdict
    ? [o.verdict.kind, o.verdict.action, o.verdict.seq, o.verdict.coefficient?.toString('hex')]
    : 'duplicate' in o
      ? 'duplicate'
      : 'note' in o
        ? ['note', o.note]
        : ['error', o.error, o.seq, o.alert, o.deny];

/** What the store holds of a namespace, without the engine's clock. */
function stored(ns: NamespaceModel) {
  return {
    mode: ns.mode,
    measurement: hex(ns.measurement),
    events: ns.eventCount,
    points: ns.points().map((p) => [p.hex, p.valid, p.count]),
    trajectory: ns.trajectory().map((e) => [hex(e.coefficient), e.line]),
    forensics: ns.forensics().map((e) => [hex(e.coefficient), e.line]),
    findings: ns.findings().map((f) => [hex(f.coefficient), f.count]),
    tasks: [...ns.taskEntries()].map(([k, t]) => [k, t.trust, hex(t.taskId), t.cause?.seq]),
    rejected: [ns.rejectedCount, ...ns.rejected().map((r) => [r.seq, r.reason])],
    ingest: ns.ingest.all(),
    pseudonyms: ns.pseudonymHexes(),
  };
}

async function runScript(workers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-shard-'));
  const store = await LevelStore.open(dir);
  const registry = new NamespaceRegistry(store, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.alloc(32),
    autoCreate: true,
  });
  const seen: string[] = [];
  const errors: string[] = [];
  // Control actions reach the workers as deltas: a copy made again would be logged.
  const shards = workers > 0 ? new ShardPool(workers, { log: (m) => errors.push(m) }) : undefined;
  const p = new Pipeline(
    registry,
    () => undefined,
    (ns, err) => errors.push(`${ns}: ${String(err)}`),
    [witness(seen)],
    {},
    () => undefined,
    shards
  );
  const results: unknown[] = [];
  let seq = 0;
  const submit = (name: string, events: IncomingEvent[], numbered = true) =>
    p
      .submit(
        name,
        ORIGIN,
        events,
        numbered
          ? {
              exporter: 'e',
              session: name,
              seqs: events.map(() => ++seq),
            }
          : undefined
      )
      .then((o) => results.push([name, o.map(outcome)]));
  const all = (f: (name: string, i: number) => Promise<unknown>) => Promise.all(NAMES.map(f));
  try {
    await all((n, i) =>
      submit(n, [...kernel.slice(i * 10, i * 10 + 30), exec(10, '/bin/sh'), open(10, `/${n}`)])
    );
    await all((n) =>
      submit(n, [open(11, '/a', 10), exec(10, '/bin/ls'), open(10, '/deny-me'), BAD])
    );
    // Resent: answered duplicate, modeled once.
    await submit('web', [open(11, '/a', 10)], false);
    await all((n) => p.control(n, (ns) => ns.setMode('audit')));
    await all((n) => submit(n, [open(12, '/b'), open(12, '/b'), ...kernel.slice(50, 70)]));
    await all((n) =>
      p.control(n, (ns) => ns.accept([{ hex: ns.findings()[0]!.coefficient.toString('hex') }], 1))
    );
    const model = parseModelFile(`state ${D('extra')}\npseudonym ${D('p')}\nend\n`, sha);
    await p.control('db', (ns) => ns.loadModel(model, { now: 2 }));
    // One namespace seals itself in the middle of a batch; the others are sealed by hand.
    await p.control('cron', (ns) =>
      ns.configureConvergence({ windowEvents: 4, autoSealAfter: 2, autoSealMode: 'enforce' })
    );
    await p.control('cron', (ns) => ns.setMode('learn'));
    await all((n) =>
      n === 'cron' ? Promise.resolve() : p.control(n, (ns) => ns.setMode('enforce'))
    );
    const quiet = Array.from({ length: 16 }, () => open(12, '/b'));
    await all((n) =>
      submit(n, [...quiet, open(13, '/tmp/x'), open(14, '/c', 13), BAD, ...kernel.slice(70)])
    );
    await all((n) => p.control(n, (ns) => ns.releaseTask('h|pid:13')));
    // Control and events in one coalesced run: submitted without waiting in between.
    await Promise.all([
      submit('batch', [open(13, '/tmp/y')]),
      p.control('batch', (ns) => ns.loadModel(model, { replace: true, now: 3 })),
      submit('batch', [open(10, '/etc/passwd'), ...kernel.slice(0, 5)]),
      p.read('batch', (ns) => ns.pointCount).then((n) => results.push(['read', n])),
    ]);
    assert.deepEqual(errors, []);
    const live = NAMES.map((n) => stored(registry.require(n)));
    const stats = (await shards?.stats()) ?? [];
    p.close();
    await shards?.close();
    await store.close();
    const again = await LevelStore.open(dir);
    const loaded = (await again.loadAll()).sort((a, b) => a.id.localeCompare(b.id)).map(stored);
    await again.close();
    return { results, seen, live, loaded, stats };
  } finally {
    p.close();
    await shards?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('namespaces decided in 2 worker threads: same outcomes, stages and store as one thread', async () => {
  const one = await runScript(0);
  const two = await runScript(2);
  const byNs = (r: unknown[]) =>
    Object.fromEntries(NAMES.map((n) => [n, r.filter((x) => (x as string[])[0] === n)]));
  assert.deepEqual(byNs(two.results), byNs(one.results));
  const seenBy = (s: string[], n: string) => s.filter((l) => l.startsWith(`${n} `));
  for (const n of NAMES) assert.deepEqual(seenBy(two.seen, n), seenBy(one.seen, n), n);
  assert.deepEqual(two.live, one.live);
  assert.deepEqual(two.loaded, one.loaded);
  // The namespaces are spread over both workers, each reporting its own heap.
  assert.deepEqual(
    two.stats.map((s) => s.namespaces),
    [2, 2]
  );
  assert.ok(two.stats.every((s) => s.heapUsedBytes > 0 && s.heapTotalBytes >= s.heapUsedBytes));
  // The script did what it says: sealed itself, denied, rejected, replaced.
  const cron = one.live[NAMES.indexOf('cron')]!;
  assert.equal(cron.mode, 'enforce');
  assert.ok(cron.forensics.length > 0);
  assert.ok(one.seen.some((l) => l.startsWith('cron learn ')));
  assert.ok(one.seen.some((l) => l.startsWith('cron enforce ')));
  assert.ok(JSON.stringify(one.results).includes('"deny"'));
  assert.ok(one.live.every((s) => (s.rejected[0] as number) > 0));
});

/**
 * A pipeline over one worker whose script misbehaves at its first run (`firstRun`, code run in the
 * worker) the first time, and is the real one after: the worker that replaces it.
 */
function misbehavingOnce(firstRun: string, runTimeoutMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-shard-bad-'));
  const marker = join(dir, 'done');
  const script = join(dir, 'thread.mjs');
  const real = new URL('./shard-thread.js', import.meta.url).href;
  writeFileSync(
    script,
    `import { existsSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
if (!existsSync(${JSON.stringify(marker)})) {
  parentPort.on('message', (m) => {
    if (m.kind !== 'run') return;
    writeFileSync(${JSON.stringify(marker)}, '');
    ${firstRun}
  });
} else await import(${JSON.stringify(real)});
`
  );
  const registry = new NamespaceRegistry(undefined, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.alloc(32),
    autoCreate: true,
  });
  const logged: string[] = [];
  const shards = new ShardPool(1, {
    log: (m) => logged.push(m),
    script: new URL(`file://${script}`),
    runTimeoutMs,
  });
  const p = new Pipeline(
    registry,
    () => undefined,
    () => undefined,
    [],
    {},
    () => undefined,
    shards
  );
  const close = async () => {
    p.close();
    await shards.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { p, shards, registry, logged, marker, close };
}

test('a shard worker that dies: its runs are not applied, the namespace goes on in a new one', async () => {
  const { p, shards, registry, logged, marker, close } = misbehavingOnce('process.exit(3);');
  try {
    const first = await p.submit('web', ORIGIN, [open(1, '/a'), open(1, '/b')]);
    assert.ok(existsSync(marker));
    assert.ok(first.every((o) => 'error' in o && /not applied: shard worker exited/.test(o.error)));
    assert.equal(registry.require('web').eventCount, 0);
    assert.ok(logged.some((l) => /exited \(code 3\)/.test(l)));
    const second = await p.submit('web', ORIGIN, [open(1, '/a'), open(1, '/b')]);
    assert.deepEqual(
      second.map((o) => o.verdict?.kind),
      ['learned', 'learned']
    );
    assert.equal(registry.require('web').pointCount, 2);
    assert.equal(shards.restarts, 1);
  } finally {
    await close();
  }
});

test('a shard worker that hangs: its run fails after the timeout and a new worker goes on', async () => {
  const { p, shards, logged, close } = misbehavingOnce('for (;;);', 300);
  try {
    const first = await p.submit('web', ORIGIN, [open(1, '/a')]);
    assert.match((first[0] as { error: string }).error, /did not answer a run in 300 ms/);
    assert.ok(
      logged.some((l) => /did not answer a run in 300 ms: its namespaces go to a new/.test(l))
    );
    const second = await p.submit('web', ORIGIN, [open(1, '/a')]);
    assert.equal(second[0]!.verdict?.kind, 'learned');
    assert.equal(shards.restarts, 1);
  } finally {
    await close();
  }
});

test('shard workers: a count the machine cannot take is refused, naming the range', () => {
  assert.throws(() => new ShardPool(0), /expected an integer from 1 to \d+, got 0/);
  assert.throws(() => new ShardPool(1.5), /expected an integer/);
});
