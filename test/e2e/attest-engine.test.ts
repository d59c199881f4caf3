/**
 * The engine with createTrust() wired in, over real sockets: the TPM aggregate seeds namespaces,
 * the root namespace's new points land in PCR 11, and Attest returns a report the trusted agent
 * signed over the same figures the engine holds, with a TPM quote. Needs swtpm (skipped with a
 * reason when absent; CI installs it), except the no-TPM test.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { expectedFromModel } from '../../engine/attest/expected-state.js';
import { formatPublicKey } from '../../engine/attest/keys.js';
import { parseReport } from '../../engine/attest/parse-report.js';
import type { AttestationReport } from '../../engine/attest/report.js';
import { verifyReport } from '../../engine/attest/verify-report.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import { createScenario } from '../../exporter/sim/index.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { runCli } from '../helpers/cli.js';
import { call, type Clients, clients, ingest, toWire } from '../helpers/grpc.js';
import { startSwtpm, swtpmSkipReason, type Swtpm } from '../helpers/swtpm.js';

const skip = swtpmSkipReason();
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const ZERO = Buffer.alloc(32);
/** What the test extends into PCRs 0-7 before the engine starts: a boot state of its own. */
const BOOT = Array.from({ length: 8 }, (_, i) => sha256(Buffer.from(`boot component ${i}`)));

const dir = mkdtempSync(join(tmpdir(), 'tsem-attest-e2e-'));
let sw: Swtpm | undefined;
let engine: RunningEngine | undefined;
let c: Clients;
let admin: Clients;
const logs: string[] = [];

async function feed(cl: Clients, ns: string, scenario: string, seed: number): Promise<void> {
  const events = [...createScenario(scenario, { seed, iterations: 2 }).events()].map((e) =>
    toWire(ns, e)
  );
  const results = await ingest(cl, [events.slice(0, 300), events.slice(300)]);
  assert.equal(
    results.flatMap((r) => r.verdicts).filter((v) => v.kind === 'VERDICT_KIND_ERROR').length,
    0
  );
}
const info = (cl: Clients, name: string) =>
  call<NamespaceInfo__Output>(cl, 'GetNamespace', { name });
const exported = async (cl: Clients, name: string) =>
  (await call<{ model: string }>(cl, 'ExportModel', { name })).model;
async function attest(cl: Clients, name: string, nonce: Buffer): Promise<AttestationReport> {
  const r = await call<{ report_json: string }>(cl, 'Attest', {
    name,
    nonce: nonce.toString('hex'),
  });
  return parseReport(r.report_json, `report of ${name}`);
}
const ids = (r: { findings: readonly { id: string }[] }) => r.findings.map((f) => f.id);

/** The agent's signed figures are the engine's own (GetNamespace). */
async function assertSameAsEngine(cl: Clients, report: AttestationReport): Promise<void> {
  const ns = await info(cl, report.namespace);
  const fromEngine = {
    aggregate: ns.aggregate,
    base: ns.base,
    measurement: ns.measurement,
    state: ns.state,
    points: Number(ns.points) - Number(ns.forensic_points),
    forensics: Number(ns.forensic_points),
    mode: ns.mode.replace('MODE_', '').toLowerCase(),
  };
  const { aggregate, base, measurement, state, points, forensics, mode } = report;
  assert.deepEqual({ aggregate, base, measurement, state, points, forensics, mode }, fromEngine);
}

/** §2.6: PCR := H(PCR || c), c copied into the bank's digest size, for each new root point in order. */
function modelPcrChain(points: readonly Buffer[], size = 32, hash = 'sha256'): Buffer {
  let pcr = Buffer.alloc(size);
  for (const p of points) {
    const c = Buffer.alloc(size);
    p.copy(c, 0, 0, Math.min(p.length, size));
    pcr = createHash(hash)
      .update(Buffer.concat([pcr, c]))
      .digest();
  }
  return pcr;
}
const rootPoints = () =>
  engine!.registry
    .require('root')
    .points()
    .map((p) => p.coefficient);

before(async () => {
  if (skip) return;
  sw = await startSwtpm();
  const tpm = await openTpm(sw.spec);
  for (let i = 0; i < 8; i++) await tpm.pcrExtend(i, [{ bank: 'sha256', digest: BOOT[i]! }]);
  await tpm.close();
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'tpm'),
    log: (m) => logs.push(m),
    tpm: sw.spec,
    agent: {},
  });
  c = clients(engine.address);
  admin = clients(engine.address, engine.adminToken);
});
after(async () => {
  c?.close();
  admin?.close();
  await engine?.stop();
  await sw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('without a TPM the engine works, the aggregate is zero (said once), reports are signed without a quote', async () => {
  const said: string[] = [];
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'no-tpm'),
    log: (m) => said.push(m),
    agent: {},
  });
  const t = e;
  const cl = clients(e.address);
  try {
    assert.deepEqual(
      said.filter((l) => l.startsWith('no TPM configured')),
      ['no TPM configured: hardware aggregate is zero']
    );
    assert.deepEqual(t.aggregate('sha256'), ZERO);
    await feed(cl, 'root', 'shell', 1);
    const nonce = randomBytes(16);
    const report = await attest(cl, 'root', nonce);
    assert.equal(report.aggregate, '00'.repeat(32));
    assert.equal(report.quote, undefined);
    await assertSameAsEngine(cl, report);
    const expected = expectedFromModel(await exported(cl, 'root'), report);
    assert.deepEqual(
      ids(verifyReport(report, { publicKey: t.agentPublicKey!, nonce, expected })),
      []
    );
    assert.deepEqual(
      ids(verifyReport(report, { publicKey: t.agentPublicKey!, nonce, requireQuote: true })),
      ['quote.missing']
    );
    assert.equal(said.filter((l) => l.includes('aggregate is zero')).length, 1, 'said once');
  } finally {
    cl.close();
    await e.stop();
  }
});

test(
  'the aggregate is SHA-256 over PCRs 0-7 (§2.7) and seeds every namespace (§2.6)',
  { skip },
  async () => {
    const pcrs = BOOT.map((d) => sha256(ZERO, d));
    const aggregate = sha256(...pcrs);
    assert.equal(engine!.aggregate('sha256').toString('hex'), aggregate.toString('hex'));
    // sha384 namespaces: each 32-byte PCR zero-padded to 48 bytes.
    const wide = createHash('sha384')
      .update(Buffer.concat(pcrs.map((p) => Buffer.concat([p, Buffer.alloc(16)]))))
      .digest();
    assert.equal(engine!.aggregate('sha384').toString('hex'), wide.toString('hex'));
    assert.ok(!logs.some((l) => l.includes('no TPM')));
    const fresh = await call<NamespaceInfo__Output>(admin, 'CreateNamespace', { name: 'fresh' });
    assert.equal(fresh.aggregate, aggregate.toString('hex'));
    // seedMeasurement: M := extend(0^n, AGGREGATE) = H(0^n || H(BASE || AGGREGATE)), BASE = 0^n.
    assert.equal(fresh.measurement, sha256(ZERO, sha256(ZERO, aggregate)).toString('hex'));
  }
);

test(
  'a trained root namespace: PCR 11 holds its chain, the report verifies against the exported model',
  { skip },
  async () => {
    // Reports taken while root is being trained: each is consistent with itself and the TPM.
    await call(admin, 'CreateNamespace', { name: 'root' });
    const training = feed(c, 'root', 'nginx', 1);
    const during: AttestationReport[] = [];
    for (let i = 0; i < 6; i++) {
      during.push(await attest(c, 'root', randomBytes(16)));
      await new Promise((r) => setTimeout(r, 5));
    }
    await training;
    await feed(c, 'web', 'shell', 2);
    for (const r of during) {
      // Learn mode: every point is valid, so the report's first `points` points are what PCR 11 holds.
      assert.equal(
        r.quote!.pcrs['11'],
        modelPcrChain(rootPoints().slice(0, r.points)).toString('hex'),
        `report at ${r.points} points`
      );
    }
    assert.ok(
      new Set(during.map((r) => r.points)).size > 1,
      `reports were taken during training (points ${during.map((r) => r.points).join(',')})`
    );
    const nonce = randomBytes(32);
    const report = await attest(c, 'root', nonce);
    await assertSameAsEngine(c, report);
    const expected = expectedFromModel(await exported(c, 'root'), report);
    assert.deepEqual(
      ids(
        verifyReport(report, {
          publicKey: engine!.agentPublicKey!,
          nonce,
          expected,
          requireQuote: true,
        })
      ),
      []
    );
    const quoted = report.quote!.pcrs;
    assert.deepEqual(Object.keys(quoted), ['0', '1', '2', '3', '4', '5', '6', '7', '10', '11']);
    assert.equal(quoted['11'], modelPcrChain(rootPoints()).toString('hex'));
    assert.equal(quoted['3'], sha256(ZERO, BOOT[3]!).toString('hex'));
    // Another namespace's points do not reach the PCR.
    assert.ok(rootPoints().length > 10 && engine!.registry.require('web').pointCount > 10);

    // Tampering is named: another nonce, a changed field, a changed quoted PCR.
    assert.deepEqual(
      ids(verifyReport(report, { publicKey: engine!.agentPublicKey!, nonce: randomBytes(32) })),
      ['report.nonce']
    );
    // A body field is covered twice: by the signature and by the quote's qualifyingData (its hash).
    assert.deepEqual(
      ids(
        verifyReport(
          { ...report, points: report.points + 1 },
          { publicKey: engine!.agentPublicKey!, nonce }
        )
      ),
      ['report.signature', 'quote.nonce']
    );
    const pcrs = { ...quoted, '11': sha256(Buffer.from('forged')).toString('hex') };
    assert.deepEqual(
      ids(
        verifyReport(
          { ...report, quote: { ...report.quote!, pcrs } },
          { publicKey: engine!.agentPublicKey!, nonce }
        )
      ),
      ['report.signature', 'quote.pcr_digest']
    );
  }
);

test('mode changes and model loads through Control reach the agent', { skip }, async () => {
  await call(admin, 'SetMode', { name: 'root', mode: 'MODE_SEALED' });
  const sealed = await attest(c, 'root', randomBytes(16));
  assert.equal(sealed.mode, 'sealed');
  await assertSameAsEngine(c, sealed);

  const states = ['x', 'y'].map((s) => `state ${sha256(Buffer.from(s)).toString('hex')}`);
  const before = (await exported(c, 'web')).replace(/^end$/m, `${states.join('\n')}\nend`);
  await call(admin, 'LoadModel', { name: 'web', model: before, merge: true });
  const nonce = randomBytes(16);
  const report = await attest(c, 'web', nonce);
  await assertSameAsEngine(c, report);
  const expected = expectedFromModel(await exported(c, 'web'), report);
  assert.deepEqual(
    ids(verifyReport(report, { publicKey: engine!.agentPublicKey!, nonce, expected })),
    []
  );
});

test(
  'an attack on the sealed root: forensic points extend PCR 11 too; tsem attest writes a report that verifies',
  { skip },
  async () => {
    const before = rootPoints().length;
    await feed(c, 'root', 'reverse-shell', 3);
    const ns = await info(c, 'root');
    assert.ok(Number(ns.forensic_points) > 0, 'the attack left forensic points');
    assert.equal(rootPoints().length, before + Number(ns.forensic_points));

    const nonce = randomBytes(16).toString('hex');
    const file = join(dir, 'root.report.json');
    const tokenFile = join(dir, 'admin-token-copy');
    writeFileSync(tokenFile, engine!.adminToken, { mode: 0o600 });
    const token = ['--token-file', tokenFile];
    const got = await runCli(
      'attest',
      '--server',
      engine!.address,
      ...token,
      '--namespace',
      'root',
      '--nonce',
      nonce,
      '-o',
      file
    );
    assert.deepEqual([got.code, got.err], [0, '']);
    const report = parseReport((await import('node:fs')).readFileSync(file, 'utf8'));
    await assertSameAsEngine(c, report);
    assert.equal(report.quote!.pcrs['11'], modelPcrChain(rootPoints()).toString('hex'));

    const keyFile = join(dir, 'agent.pub');
    writeFileSync(keyFile, formatPublicKey(engine!.agentPublicKey!));
    const ok = await runCli(
      'attest',
      'verify',
      file,
      '--pubkey',
      keyFile,
      '--nonce',
      nonce,
      '--require-quote'
    );
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /valid report for namespace root: .*\(TPM quote verified\)/);
    const stale = await runCli(
      'attest',
      'verify',
      file,
      '--pubkey',
      keyFile,
      '--nonce',
      'ab'.repeat(16)
    );
    assert.equal(stale.code, 1);
    assert.match(stale.err, /report\.nonce: report nonce .* differs from the expected abab/);
    const bad = await runCli(
      'attest',
      '--server',
      engine!.address,
      ...token,
      '--namespace',
      'root',
      '--nonce',
      'xyz'
    );
    assert.equal(bad.code, 2);
    const missing = await runCli(
      'attest',
      '--server',
      engine!.address,
      ...token,
      '--namespace',
      'nope',
      '--nonce',
      nonce
    );
    assert.equal(missing.code, 65); // NOT_FOUND: the namespace named is not there
    assert.match(missing.err, /^tsem attest: .*namespace 'nope' does not exist/);
  }
);

test(
  'after shutdown, PCR 11 read back from the TPM is the root chain in every bank',
  { skip },
  async () => {
    const points = rootPoints();
    c.close();
    admin.close();
    await engine!.stop();
    engine = undefined;
    const tpm = await openTpm(sw!.spec);
    try {
      assert.equal(
        (await tpm.pcrRead('sha256', [11])).get(11)!.toString('hex'),
        modelPcrChain(points).toString('hex')
      );
      assert.equal(
        (await tpm.pcrRead('sha1', [11])).get(11)!.toString('hex'),
        modelPcrChain(points, 20, 'sha1').toString('hex')
      );
    } finally {
      await tpm.close();
    }
  }
);
