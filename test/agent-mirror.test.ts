/**
 * The agent mirror driven by the real pipeline (no gRPC): after events, mode changes and model
 * loads in any interleaving the agent's figures equal the engine's; what cannot be mirrored is
 * named. Uses the real tee-sim worker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScenario } from '../exporter/sim/index.js';
import { fileCell, sourceEvent } from './helpers/events.js';
import { Controller, ModelingAgent } from '../tee-sim/host/agent-client.js';
import { generateKeyPair } from '../engine/attest/keys.js';
import { formatModelFile, type ModelFile, parseModelFile } from '../engine/contour/model-file.js';
import { parseEventObject } from '../engine/event/parse-json.js';
import type { TsemEventJson } from '../proto/kernel-json.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { type IncomingEvent, Pipeline } from '../engine/ns/pipeline.js';
import { NamespaceRegistry } from '../engine/ns/registry.js';
import { MAX_EVENT_BATCH } from '../tee-sim/protocol.js';
import { AgentMirror } from '../tee-sim/host/agent-mirror.js';

const AGGREGATE = createHash('sha256').update('boot').digest();
const D = (s: string) => createHash('sha256').update(s).digest('hex');
const ORIGIN = { host: 'h', exporter: 'test' };
const open = (pid: number, path: string): IncomingEvent => ({
  obj: sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }),
});
const objs = (events: Iterable<TsemEventJson>): IncomingEvent[] =>
  [...events].map((obj) => ({ obj }));

let dir: string;
let agent: ModelingAgent;
let controller: Controller;
let mirror: AgentMirror;
let registry: NamespaceRegistry;
let pipeline: Pipeline;
const logged: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsem-mirror-'));
  writeFileSync(join(dir, 'secret'), randomBytes(32));
  const keys = generateKeyPair();
  agent = await ModelingAgent.start({
    platformSecretPath: join(dir, 'secret'),
    aggregate: AGGREGATE.toString('hex'),
    controllerKey: Buffer.from(keys.publicKey).toString('base64'),
  });
  controller = new Controller(keys.secretKey);
  mirror = new AgentMirror(agent, controller, AGGREGATE, (m) => logged.push(m));
  registry = new NamespaceRegistry(undefined, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.from(AGGREGATE),
    autoCreate: true,
  });
  pipeline = new Pipeline(
    registry,
    () => undefined,
    () => undefined,
    [mirror.stage]
  );
});
after(async () => {
  pipeline.close();
  await agent.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The agent's figures for `id` equal the engine's, after catching up. */
async function assertMirrored(id: string): Promise<void> {
  const ns = registry.require(id);
  await mirror.catchUp(ns);
  assert.equal(mirror.brokenReason(id), undefined);
  const s = await agent.status(id);
  const engine = {
    mode: ns.mode,
    measurement: ns.measurement.toString('hex'),
    state: ns.state().toString('hex'),
    points: ns.validPointCount(),
    forensics: ns.forensicPointCount(),
  };
  assert.deepEqual(
    {
      mode: s.mode,
      measurement: s.measurement,
      state: s.state,
      points: s.points,
      forensics: s.forensics,
    },
    engine
  );
}

test('events, mode changes and loads in one coalesced stream reach the agent in the engine order', async () => {
  const train = objs(createScenario('shell', { seed: 1, iterations: 2 }).events());
  const extra = formatModelFile({
    states: [Buffer.from(D('loaded 1'), 'hex'), Buffer.from(D('loaded 2'), 'hex')],
    pseudonyms: [],
    sealed: false,
  });
  // Not awaited one by one: the pipeline coalesces these into few batches, control work between events.
  const work = [
    pipeline.submit('app', ORIGIN, train.slice(0, 50)),
    pipeline.control('app', (ns) => ns.loadModel(parseModel(ns, extra))),
    pipeline.submit('app', ORIGIN, train.slice(50)),
    pipeline.control('app', (ns) => ns.setMode('sealed')),
    pipeline.submit(
      'app',
      ORIGIN,
      objs(createScenario('reverse-shell', { seed: 2, iterations: 1 }).events())
    ),
  ];
  await Promise.all(work);
  const ns = registry.require('app');
  assert.equal(ns.point(D('loaded 2'))?.valid, true);
  assert.ok(ns.forensicPointCount() > 0, 'the attack left forensic points');
  await assertMirrored('app');
  // A mode change with no event after it reaches the agent on catch-up.
  await pipeline.control('app', (n) => n.setMode('enforce'));
  await assertMirrored('app');
});

test('a long stream reaches the agent as few bounded events messages, mode changes in between', async () => {
  const sent: number[] = [];
  const single = agent.processEvent.bind(agent);
  const batch = agent.processEvents.bind(agent);
  agent.processEvent = () => assert.fail('one message per event');
  agent.processEvents = (runs) => {
    sent.push(runs.reduce((n, r) => n + r.lines.length, 0));
    return batch.call(agent, runs);
  };
  try {
    const events = objs(createScenario('nginx', { seed: 3, iterations: 30 }).events());
    assert.ok(events.length > MAX_EVENT_BATCH + 1000, `${events.length} events`);
    const work = [
      pipeline.submit('long', ORIGIN, events.slice(0, 4500)),
      pipeline.control('long', (ns) => ns.setMode('sealed')),
      pipeline.submit('long', ORIGIN, events.slice(4500)),
    ];
    await Promise.all(work);
    await assertMirrored('long');
    assert.equal(
      sent.reduce((a, b) => a + b, 0),
      events.length
    );
    assert.ok(
      sent.every((n) => n <= MAX_EVENT_BATCH),
      `message sizes ${sent.join(',')}`
    );
    assert.ok(
      sent.length <= Math.ceil(events.length / 1024) + 2,
      `${sent.length} messages for ${events.length} events`
    );
  } finally {
    agent.processEvent = single;
    agent.processEvents = batch;
  }
});

test('a pseudonym load changes later coefficients the same way in the agent (§2.8)', async () => {
  await pipeline.submit('pseudo', ORIGIN, [open(1, '/var/log/messages'), open(1, '/etc/hosts')]);
  const path = Buffer.from('/var/log/messages');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(path.length);
  const pseudonym = createHash('sha256')
    .update(Buffer.concat([len, path]))
    .digest();
  const model = formatModelFile({ states: [], pseudonyms: [pseudonym], sealed: false });
  await pipeline.control('pseudo', (ns) => ns.loadModel(parseModel(ns, model)));
  const [v] = await pipeline.submit('pseudo', ORIGIN, [
    { obj: sourceEvent(1, 'file_open', { file: fileCell('/var/log/messages', D('rotated')) }) },
  ]);
  assert.equal(v?.verdict?.kind, 'learned', 'the pseudonym gives a new (zero-digest) point');
  await assertMirrored('pseudo');
});

test('accepted findings and forensics, and a merged model, reach the agent; a replace is named', async () => {
  await pipeline.submit('author', ORIGIN, [open(1, '/a')]);
  await pipeline.control('author', (ns) => ns.setMode('audit'));
  const [finding] = await pipeline.submit('author', ORIGIN, [open(1, '/b')]);
  await pipeline.control('author', (ns) => ns.setMode('sealed'));
  const [forensic] = await pipeline.submit('author', ORIGIN, [open(2, '/evil'), open(3, '/c')]);
  const hex = (o: typeof finding) => o!.verdict!.coefficient!.toString('hex');
  await pipeline.control('author', (ns) =>
    ns.accept([{ hex: hex(finding), line: '{}' }, { hex: hex(forensic) }])
  );
  // Events after the accept are judged alike by both: on the contour now.
  const after = await pipeline.submit('author', ORIGIN, [open(4, '/b'), open(5, '/evil')]);
  assert.deepEqual(
    after.map((o) => o.verdict?.kind),
    ['on-contour', 'on-contour']
  );
  await assertMirrored('author');
  // A model from elsewhere, merged: its forensic copy here becomes valid in the agent too.
  const [again] = await pipeline.submit('author', ORIGIN, [open(6, '/evil2')]);
  const merged = formatModelFile({
    states: [again!.verdict!.coefficient!],
    pseudonyms: [],
    sealed: false,
  });
  await pipeline.control('author', (ns) => ns.loadModel(parseModel(ns, merged)));
  await pipeline.submit('author', ORIGIN, [open(7, '/evil2')]);
  await assertMirrored('author');
  await pipeline.control('author', (ns) => ns.loadModel(parseModel(ns, merged), { replace: true }));
  await pipeline.submit('author', ORIGIN, [open(8, '/a')]);
  assert.equal(
    mirror.brokenReason('author'),
    'its model was replaced; the agent cannot drop points'
  );
});

test('the agent verdict is checked per event: a divergence names the event and both verdicts', async () => {
  // The coefficient the engine will learn next, from a scratch namespace with the same history.
  const scratch = new NamespaceModel(
    createNamespaceConfig({ id: 'scratch', aggregate: AGGREGATE })
  );
  for (const e of [open(1, '/a'), open(1, '/b')])
    scratch.process(parseEventObject((e as { obj: TsemEventJson }).obj, { digestSize: 32 }));
  const next = scratch.points()[1]!;
  await pipeline.submit('drift', ORIGIN, [open(1, '/a')]);
  await mirror.catchUp(registry.require('drift'));
  // Whoever holds the controller key loads that point into the agent only.
  await agent.control(
    controller.next('load-model', {
      ns: 'drift',
      model: formatModelFile({ states: [next.coefficient], pseudonyms: [], sealed: false }),
    })
  );
  await pipeline.submit('drift', ORIGIN, [open(1, '/b')]);
  assert.equal(
    mirror.brokenReason('drift'),
    `event 2: the agent's verdict is 'on-contour ${next.hex}', the engine's 'learned ${next.hex}'`
  );
  assert.ok(logged.some((l) => l.startsWith('agent: namespace=drift not mirrored: event 2')));
  // Broken is sticky: later events are not forwarded.
  await pipeline.submit('drift', ORIGIN, [open(1, '/c')]);
  assert.equal((await agent.status('drift')).events, 2);
});

test('what the agent cannot hold is named: other digest, foreign aggregate, re-created, restored forensics', async () => {
  await registry.create({ id: 'wide', digest: 'sha384', aggregate: Buffer.alloc(48) });
  const wideFile = fileCell('/a', createHash('sha384').update('/a').digest('hex'));
  const [wide] = await pipeline.submit('wide', ORIGIN, [
    { obj: sourceEvent(1, 'file_open', { file: wideFile }) },
  ]);
  assert.equal(wide?.verdict?.kind, 'learned');
  assert.equal(
    mirror.brokenReason('wide'),
    'it uses sha384; the agent holds sha256 namespaces only'
  );

  const aggregateRecord = {
    line: Buffer.from(
      JSON.stringify({ export: { type: 'aggregate' }, aggregate: { value: D('elsewhere') } })
    ),
  };
  await pipeline.submit('foreign', ORIGIN, [aggregateRecord, open(1, '/a')]);
  assert.match(
    mirror.brokenReason('foreign') ?? '',
    /^its aggregate is not the platform aggregate/
  );

  // Deleted and created again: the agent drops its old copy and mirrors the new namespace.
  await pipeline.submit('again', ORIGIN, [open(1, '/a'), open(1, '/b')]);
  await registry.delete('again');
  pipeline.retire('again');
  await pipeline.submit('again', ORIGIN, [open(1, '/c')]);
  const again = registry.require('again');
  assert.equal(mirror.brokenReason('again'), undefined);
  await mirror.catchUp(again);
  const sa = await agent.status('again');
  assert.deepEqual(
    [sa.measurement, sa.points],
    [again.measurement.toString('hex'), 1],
    'the new namespace, not the old one'
  );

  // Namespaces with a history the mirror never saw (as after a restart from the store).
  const restored = (id: string, seal: boolean) => {
    const ns = new NamespaceModel(createNamespaceConfig({ id, aggregate: AGGREGATE }));
    const events = [open(1, '/a'), open(1, '/b'), open(2, '/evil')].map((e) =>
      parseEventObject((e as { obj: TsemEventJson }).obj, { digestSize: 32 })
    );
    ns.process(events[0]!);
    ns.process(events[1]!);
    if (seal) ns.setMode('sealed');
    ns.process(events[2]!);
    return ns;
  };
  const clean = restored('restored-learned', false);
  await mirror.catchUp(clean);
  const s = await agent.status('restored-learned');
  assert.deepEqual(
    [s.measurement, s.state, s.points],
    [clean.measurement.toString('hex'), clean.state().toString('hex'), 3]
  );
  await mirror.catchUp(restored('restored-sealed', true));
  assert.equal(
    mirror.brokenReason('restored-sealed'),
    'it has 3 points of which the agent saw 0, some forensic (restored from the store?)'
  );
});

function parseModel(ns: NamespaceModel, text: string): ModelFile {
  return parseModelFile(text, ns.alg, 'test model');
}
