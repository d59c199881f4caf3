import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { NamespaceModel, createNamespaceConfig } from '../ns/namespace-model.js';
import { replayLines } from '../ns/replay.js';
import { generateKeyPair, sign } from './keys.js';
import { reportBodyOf } from './report-body.js';
import { type AttestationReport, signReport } from './report.js';
import { verifyReport } from './verify-report.js';
import { AttestWatch, type Observation } from './watch.js';
import type { WatchRecord } from './watch-alert.js';

const D = (s: string) => createHash('sha256').update(s).digest('hex');
const keys = generateKeyPair();
let pid = 100;

function feed(ns: NamespaceModel, paths: readonly string[]): void {
  replayLines(
    ns,
    paths.map((p) =>
      Buffer.from(JSON.stringify(sourceEvent(pid++, 'file_open', { file: fileCell(p, D(p)) })))
    )
  );
}

function report(ns: NamespaceModel, signer = keys): AttestationReport {
  return signReport(reportBodyOf(ns, Buffer.alloc(16, 1), signer.publicKey), undefined, (m) =>
    sign(m, signer.secretKey)
  );
}

/** Observes a report of `ns` as the CLI does: verified with the pinned (or its own) key. */
async function see(
  w: AttestWatch,
  ns: NamespaceModel,
  r = report(ns),
  ak?: string
): Promise<WatchRecord[]> {
  const o: Observation = {
    namespace: ns.id,
    time: 0,
    report: r,
    findings: verifyReport(r, { publicKey: keys.publicKey }).findings,
    ...(ak ? { ak } : {}),
  };
  return w.observe(o, (_name, from) =>
    Promise.resolve(
      ns
        .points()
        .slice(from)
        .map((p) => p.coefficient)
    )
  );
}
const kinds = (rs: WatchRecord[]) => rs.map((r) => `${r.type}:${r.kind}`);

function model(id = 'web', aggregate = Buffer.alloc(32)): NamespaceModel {
  return new NamespaceModel(createNamespaceConfig({ id, aggregate }));
}

test('learning: first report, growth that extends the measurement, then unchanged; none alerted', async () => {
  const ns = model();
  const w = new AttestWatch();
  feed(ns, ['/bin/a', '/bin/b']);
  assert.deepEqual(kinds(await see(w, ns)), ['report:first']);
  feed(ns, ['/bin/c', '/etc/d']);
  const grown = await see(w, ns);
  assert.deepEqual(kinds(grown), ['report:growth']);
  assert.match(
    grown[0]!.reason,
    /learn: 2 new point\(s\), the measurement extends the previous one/
  );
  assert.deepEqual(kinds(await see(w, ns)), ['report:unchanged']);
});

test('a measurement that is not the previous one extended by the new points is an alert', async () => {
  const ns = model();
  const w = new AttestWatch();
  feed(ns, ['/bin/a']);
  await see(w, ns);
  feed(ns, ['/bin/b']);
  // The agent (its key) signs a measurement that skips a point: the chain does not continue.
  const forged = signReport(
    { ...reportBodyOf(ns, Buffer.alloc(16, 1), keys.publicKey), measurement: D('elsewhere') },
    undefined,
    (m) => sign(m, keys.secretKey)
  );
  const rs = await see(w, ns, forged);
  assert.deepEqual(kinds(rs), ['alert:measurement-broken']);
  assert.match(rs[0]!.reason, /is not the previous .* extended by the 1 new point/);
  assert.equal(rs[0]!.severity, 'critical');
});

test('any change of a sealed or enforce namespace is an alert: the mode, an off-contour point', async () => {
  const ns = model();
  const w = new AttestWatch();
  feed(ns, ['/bin/a']);
  await see(w, ns);
  ns.setMode('sealed');
  assert.deepEqual(kinds(await see(w, ns)), ['alert:sealed-changed']);
  assert.deepEqual(kinds(await see(w, ns)), ['report:unchanged']);
  feed(ns, ['/tmp/reverse-shell']);
  const rs = await see(w, ns);
  assert.deepEqual(kinds(rs), ['alert:sealed-changed']);
  assert.match(rs[0]!.reason, /a sealed namespace changed: forensics 0 -> 1, measurement changed/);
  ns.setMode('learn');
  assert.deepEqual(
    kinds(await see(w, ns)),
    ['alert:sealed-changed'],
    'leaving sealed is a change too'
  );
});

test('keys are pinned (given or first seen): another AK or agent key is an alert', async () => {
  const ns = model();
  const w = new AttestWatch();
  feed(ns, ['/bin/a']);
  assert.deepEqual(kinds(await see(w, ns, report(ns), '000b' + 'aa'.repeat(32))), ['report:first']);
  const ak = await see(w, ns, report(ns), '000b' + 'bb'.repeat(32));
  assert.deepEqual(kinds(ak), ['alert:ak-changed']);
  assert.equal(w.pinned.ak, '000b' + 'aa'.repeat(32), 'the pin does not move');
  const other = generateKeyPair();
  const agent = await w.observe(
    { namespace: 'web', time: 0, report: report(ns, other), findings: [] },
    () => Promise.resolve([])
  );
  assert.deepEqual(kinds(agent), ['alert:agent-key-changed']);
});

test('a moved aggregate and failed checks are alerts; an unverified report does not move the baseline', async () => {
  const w = new AttestWatch();
  const ns = model('web', Buffer.alloc(32));
  feed(ns, ['/bin/a']);
  await see(w, ns);
  const rebooted = model('web', Buffer.from(D('another boot'), 'hex'));
  feed(rebooted, ['/bin/a']);
  assert.deepEqual(kinds(await see(w, rebooted)), [
    'alert:aggregate-changed',
    'alert:measurement-broken',
  ]);
  const r = report(rebooted);
  const failed = await w.observe(
    {
      namespace: 'web',
      time: 0,
      report: { ...r, points: r.points + 5 },
      findings: [
        { id: 'report.signature', reason: 'does not verify' },
        { id: 'pcr.10', reason: 'no prefix' },
      ],
    },
    () => Promise.reject(new Error('must not fetch points for an unverified report'))
  );
  assert.deepEqual(kinds(failed), ['alert:report-invalid', 'alert:quote-failed']);
  assert.deepEqual(failed[1]!.findings, ['pcr.10']);
  assert.deepEqual(kinds(await see(w, rebooted)), ['report:unchanged']);
});

test('a boot PCR that moves between two verified quotes is named', async () => {
  const ns = model();
  feed(ns, ['/bin/a']);
  const w = new AttestWatch();
  const quoted = (pcr0: string): AttestationReport => ({
    ...report(ns),
    quote: {
      akPublic: '',
      attest: '',
      signature: { r: '', s: '' },
      bank: 'sha256',
      pcrs: Object.fromEntries(
        ['0', '1', '2', '3', '4', '5', '6', '7'].map((i) => [i, i === '0' ? pcr0 : '00'.repeat(32)])
      ),
    },
  });
  const observe = (r: AttestationReport) =>
    w.observe({ namespace: 'web', time: 0, report: r, findings: [] }, () => Promise.resolve([]));
  assert.deepEqual(kinds(await observe(quoted('11'.repeat(32)))), ['report:first']);
  const moved = await observe(quoted('22'.repeat(32)));
  assert.deepEqual(kinds(moved), ['alert:aggregate-changed']);
  assert.match(moved[0]!.reason, /the boot state changed: PCR 0 1111.* -> 2222/);
  assert.deepEqual(kinds(await observe(quoted('22'.repeat(32)))), ['report:unchanged']);
});
