import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { createDigest } from '../measure/digest.js';
import { Pipeline } from '../ns/pipeline.js';
import { NamespaceRegistry } from '../ns/registry.js';
import { Canisters, type CanisterStartRequest, type ModelLock } from './canisters.js';
import { MemoryLabelStore } from './label-models.js';
import { CanisterRoutes } from './routes.js';

const sha = createDigest('sha256');
const D = (s: string) => sha.hash(Buffer.from(s)).toString('hex');
const ORIGIN = { host: 'h1', exporter: 'test' };

/** An engine without gRPC or store: registry, pipeline, routes, labels, and the ingest step that
 * routes an event by its cgroup as the Ingest service does. */
function engine(graceMs = 60_000, modelLock?: ModelLock) {
  const registry = new NamespaceRegistry(undefined, {
    digest: 'sha256',
    dialect: 'tsem-6.12',
    aggregate: () => Buffer.alloc(32, 7),
    autoCreate: true,
  });
  const pipeline = new Pipeline(
    registry,
    () => undefined,
    () => undefined
  );
  const routes = new CanisterRoutes(Date.now, graceMs);
  const labels = new MemoryLabelStore();
  const canisters = new Canisters({ registry, pipeline, routes, labels, graceMs, modelLock });
  const open = (pid: number, path: string, cgroupId: string, fallback = 'host') => {
    const ns = routes.route(ORIGIN.host, cgroupId) ?? fallback;
    return pipeline
      .submit(ns, ORIGIN, [
        { obj: sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }) },
      ])
      .then((o) => ({ ns, verdict: o[0]!.verdict }));
  };
  return { registry, pipeline, routes, labels, canisters, open };
}

const start = (
  cgroupId: string,
  more: Partial<CanisterStartRequest> = {}
): CanisterStartRequest => ({
  host: 'h1',
  cgroupId,
  cgroupPath: `/tsem/${cgroupId}`,
  command: 'app',
  ...more,
});

test('a learn run under a label stores its model; the next run of the label starts from it, sealed', async () => {
  const e = engine();
  const first = await e.canisters.start(start('11', { label: 'web' }));
  assert.deepEqual([first.created, first.modelSource, first.route.namespace], [true, '', 'web']);
  const ns = e.registry.require('web');
  assert.equal(ns.mode, 'learn');
  assert.deepEqual(ns.config.aggregate, Buffer.alloc(32, 7), 'anchored with the aggregate');
  assert.equal((await e.open(100, '/srv/a', '11')).ns, 'web');
  assert.equal((await e.open(100, '/srv/x', '99')).ns, 'host', 'another cgroup is not routed');
  const end = await e.canisters.finish(first, { saveLabel: true, settleMs: 0 });
  assert.equal(end.events, 1);
  assert.equal(end.label?.points, 1);
  assert.equal((await e.labels.get('web'))?.source, 'namespace web');

  // The namespace is gone (another engine, or deleted): the label's model brings it back sealed.
  await e.registry.delete('web');
  e.pipeline.retire('web');
  const second = await e.canisters.start(start('12', { label: 'web' }));
  assert.deepEqual([second.created, second.modelSource], [true, 'label']);
  assert.equal(e.registry.require('web').mode, 'sealed');
  assert.equal((await e.open(200, '/srv/a', '12')).verdict?.kind, 'on-contour');
  assert.equal((await e.open(200, '/srv/extra', '12')).verdict?.kind, 'off-contour');
  const end2 = await e.canisters.finish(second, { saveLabel: true, settleMs: 0 });
  assert.equal(end2.label, undefined, 'a sealed run does not change the stored model');
  assert.equal((await e.labels.get('web'))?.points, 1);
  assert.equal(e.registry.require('web').forensics().length, 1);
  await e.canisters.close();
});

test('a model in the request wins over the label; an explicit mode wins over the default', async () => {
  const e = engine();
  const model = `state ${D('p')}\nend\n`;
  const c = await e.canisters.start(start('21', { namespace: 'db', model, mode: 'enforce' }));
  assert.deepEqual([c.created, c.modelSource], [true, 'request']);
  const ns = e.registry.require('db');
  assert.deepEqual([ns.mode, ns.pointCount], ['enforce', 1]);
  // An existing namespace keeps its mode when none is asked for.
  await e.canisters.finish(c, { saveLabel: false, settleMs: 0 });
  const again = await e.canisters.start(start('22', { namespace: 'db' }));
  assert.deepEqual([again.created, e.registry.require('db').mode], [false, 'enforce']);
  await e.canisters.finish(again, { saveLabel: false, settleMs: 0 });
  await e.canisters.close();
});

test('a bad model or name leaves nothing behind; one cgroup cannot be two canisters', async () => {
  const e = engine();
  await assert.rejects(
    e.canisters.start(start('31', { namespace: 'bad', model: 'state zz\nend\n' })),
    /model line 1: 'state' value is not hex/
  );
  assert.equal(e.registry.get('bad'), undefined, 'the namespace made for it is gone');
  assert.equal(e.routes.list().length, 0);
  await assert.rejects(e.canisters.start(start('32', { label: 'a/b' })), /label 'a\/b' is invalid/);
  await assert.rejects(e.canisters.start(start('33')), /a namespace or a label is required/);
  await assert.rejects(e.canisters.start(start('34', { host: '', label: 'x' })), /host/);
  const c = await e.canisters.start(start('35', { namespace: 'one' }));
  await assert.rejects(e.canisters.start(start('35', { namespace: 'two' })), /already belongs/);
  assert.equal(e.registry.get('two'), undefined);
  await e.canisters.finish(c, { saveLabel: false, settleMs: 0 });
  await e.canisters.close();
});

test('a namespace created for a run is deleted only if no event came by the end of the grace period', async () => {
  const e = engine(150);
  const empty = await e.canisters.start(start('41', { namespace: 'empty' }));
  const end = await e.canisters.finish(empty, { saveLabel: false, settleMs: 0 });
  assert.equal(end.removalPending, true);
  assert.ok(e.registry.get('empty'), 'kept through the grace period');

  // A late event (a lagging source) within the grace period: routed, and the namespace stays.
  const late = await e.canisters.start(start('42', { label: 'late' }));
  const lateEnd = await e.canisters.finish(late, { saveLabel: true, settleMs: 0 });
  assert.deepEqual(
    [lateEnd.removalPending, lateEnd.labelNote],
    [true, 'namespace late has no points to store']
  );
  assert.equal((await e.open(300, '/srv/late', '42')).ns, 'late');

  await new Promise((r) => setTimeout(r, 400));
  assert.equal(e.registry.get('empty'), undefined, 'no event: deleted');
  assert.ok(e.registry.get('late'), 'a late event arrived: kept');
  assert.equal((await e.labels.get('late'))?.points, 1, 'and the label stored once it learned');
  assert.equal((await e.open(301, '/srv/x', '41')).ns, 'host', 'the deleted namespace is no route');
  await e.canisters.close();
});

test('settle: finish waits until the cgroup was quiet for settleMs', async () => {
  const e = engine();
  const c = await e.canisters.start(start('51', { namespace: 'busy' }));
  const t0 = Date.now();
  const sending = (async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 40));
      await e.open(400, `/srv/${i}`, '51');
    }
  })();
  const end = await e.canisters.finish(c, { saveLabel: false, settleMs: 100 });
  await sending;
  assert.equal(end.events, 5, 'every event sent while busy is counted');
  assert.ok(Date.now() - t0 >= 300, 'waited through the burst');
  await e.canisters.close();
});

test('two canisters in one namespace: the first to finish does not remove it', async () => {
  const e = engine(50);
  const a = await e.canisters.start(start('61', { namespace: 'shared' }));
  const b = await e.canisters.start(start('62', { namespace: 'shared' }));
  assert.deepEqual([a.created, b.created], [true, false]);
  await e.canisters.finish(a, { saveLabel: false, settleMs: 0 });
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(e.registry.get('shared'), 'b still runs in it');
  await e.canisters.finish(b, { saveLabel: false, settleMs: 0 });
  await e.canisters.close();
  assert.equal(e.registry.get('shared'), undefined, 'close ends the grace period: removed');
});

test("the model lock: a canister loads a request's or a label's model only when it may; refused, nothing is made", async () => {
  const checked: string[] = [];
  // Signed models required: "good" is the one signature that verifies.
  const lock: ModelLock = (name, _model, signature) => {
    checked.push(`${name}:${signature ?? 'unsigned'}`);
    if (signature !== 'good') throw new Error(`namespace '${name}' loads signed models only`);
  };
  const e = engine(60_000, lock);
  const model = `state ${D('p')}\nend\n`;
  await assert.rejects(
    e.canisters.start(start('71', { namespace: 'locked', model })),
    /signed models only/
  );
  assert.equal(e.registry.get('locked'), undefined, 'refused before the namespace was made');
  const signed = await e.canisters.start(
    start('72', { namespace: 'locked', model, modelSignature: 'good' })
  );
  assert.equal(e.registry.require('locked').pointCount, 1);
  await e.canisters.finish(signed, { saveLabel: false, settleMs: 0 });

  await e.labels.put({
    label: 'web',
    model,
    digest: 'sha256',
    dialect: 'tsem-6.12',
    points: 1,
    updatedMs: 1,
    source: 'namespace web',
  });
  await assert.rejects(
    e.canisters.start(start('73', { label: 'web' })),
    /label web's stored model cannot start namespace web: .*signed models only; store a signed one/
  );
  assert.equal(e.registry.get('web'), undefined);
  await e.labels.put({
    label: 'web',
    model,
    digest: 'sha256',
    dialect: 'tsem-6.12',
    points: 1,
    updatedMs: 2,
    source: 'loaded',
    signature: 'good',
  });
  const fromLabel = await e.canisters.start(start('74', { label: 'web' }));
  assert.equal(fromLabel.modelSource, 'label');
  // A canister without a model loads nothing: nothing to check.
  const plain = await e.canisters.start(start('75', { namespace: 'plain' }));
  assert.deepEqual(checked, ['locked:unsigned', 'locked:good', 'web:unsigned', 'web:good']);
  await e.canisters.finish(fromLabel, { saveLabel: false, settleMs: 0 });
  await e.canisters.finish(plain, { saveLabel: false, settleMs: 0 });
  await e.canisters.close();
});
