import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { formatModelFile } from '../contour/model-file.js';
import { NamespaceModel, createNamespaceConfig } from '../ns/namespace-model.js';
import { replayLines } from '../ns/replay.js';
import { canonicalJson } from './canonical.js';
import { expectedFromModel, expectedFromTrajectory } from './expected-state.js';
import { formatPublicKey, generateKeyPair, parsePublicKey, sign } from './keys.js';
import { signModel, verifyModelSignature, verifyQuixoteModel } from './model-signature.js';
import { parseReport } from './parse-report.js';
import { reportBodyOf } from './report-body.js';
import { type AttestationReport, signReport } from './report.js';
import { verifyReport } from './verify-report.js';

const D = (s: string) => createHash('sha256').update(s).digest('hex');
const AGGREGATE = Buffer.from(D('platform'), 'hex');
const TRAJECTORY = ['/bin/sh', '/etc/passwd', '/usr/lib/libc.so', '/tmp/x'].map((p, i) =>
  JSON.stringify(sourceEvent(100 + i, 'file_open', { file: fileCell(p, D(p)) }))
);
const NONCE = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');

function fixture() {
  const keys = generateKeyPair();
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'app', aggregate: AGGREGATE }));
  replayLines(
    ns,
    TRAJECTORY.map((l) => Buffer.from(l))
  );
  const report = signReport(reportBodyOf(ns, NONCE, keys.publicKey), undefined, (m) =>
    sign(m, keys.secretKey)
  );
  const model = formatModelFile({ ...ns.exportModel(), sealed: false });
  return { keys, ns, report, model };
}

const ids = (r: { findings: readonly { id: string }[] }) => r.findings.map((f) => f.id);

test('canonicalJson sorts keys at every level, drops undefined, refuses non-integers', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [true, null], c: 'x' }, u: undefined }),
    '{"a":{"c":"x","d":[true,null]},"b":1}'
  );
  assert.throws(() => canonicalJson({ a: 1.5 }), RangeError);
});

test('a report verifies against its key, nonce, trajectory and model', () => {
  const { keys, report, model } = fixture();
  assert.equal(report.points, 4);
  const reparsed = parseReport(JSON.stringify(report));
  const byTrajectory = verifyReport(reparsed, {
    publicKey: keys.publicKey,
    nonce: NONCE,
    expected: expectedFromTrajectory(Buffer.from(TRAJECTORY.join('\n')), report),
  });
  assert.deepEqual(ids(byTrajectory), []);
  const byModel = verifyReport(reparsed, {
    publicKey: keys.publicKey,
    nonce: NONCE,
    expected: expectedFromModel(model, report),
  });
  assert.deepEqual(ids(byModel), []);
  assert.equal(byModel.ok, true);
});

test('changing any signed field breaks the signature; the finding names it', () => {
  const { keys, report } = fixture();
  const changes: Partial<Record<keyof AttestationReport, unknown>> = {
    version: 2,
    namespace: 'other',
    digest: 'sha384',
    aggregate: '00'.repeat(32),
    base: D('b'),
    measurement: D('m'),
    state: D('s'),
    points: 5,
    forensics: 1,
    mode: 'enforce',
    nonce: 'ff'.repeat(16),
  };
  for (const [field, value] of Object.entries(changes)) {
    const r = verifyReport({ ...report, [field]: value }, { publicKey: keys.publicKey });
    assert.deepEqual(ids(r), ['report.signature'], field);
  }
  const other = generateKeyPair();
  const swapped = verifyReport(
    { ...report, agentKey: Buffer.from(other.publicKey).toString('base64') },
    { publicKey: keys.publicKey }
  );
  assert.deepEqual(ids(swapped), ['report.agent_key', 'report.signature']);
  const resigned = signReport({ ...report, measurement: D('m') }, undefined, (m) =>
    sign(m, other.secretKey)
  );
  // Re-signed by another key but still naming ours: only the signature can tell.
  assert.deepEqual(ids(verifyReport(resigned, { publicKey: keys.publicKey })), [
    'report.signature',
  ]);
});

test('another nonce, a changed trajectory line or a changed model is named', () => {
  const { keys, report, model } = fixture();
  const stale = verifyReport(report, { publicKey: keys.publicKey, nonce: Buffer.alloc(16, 7) });
  assert.deepEqual(ids(stale), ['report.nonce']);
  assert.match(stale.findings[0]!.reason, /stale or replayed/);

  const lines = [...TRAJECTORY];
  lines[2] = lines[2]!.replace('/usr/lib/libc.so', '/usr/lib/libevil.so');
  const traj = verifyReport(report, {
    publicKey: keys.publicKey,
    expected: expectedFromTrajectory(Buffer.from(lines.join('\n')), report, 'trajectory t.json'),
  });
  assert.deepEqual(ids(traj), ['state.measurement', 'state.state']);
  assert.match(traj.findings[0]!.reason, /computed from trajectory t\.json/);

  const fewer = model
    .split('\n')
    .filter((l, i) => !(l.startsWith('state') && i === 2))
    .join('\n');
  assert.deepEqual(
    ids(
      verifyReport(report, {
        publicKey: keys.publicKey,
        expected: expectedFromModel(fewer, report),
      })
    ),
    ['state.measurement', 'state.state', 'state.points']
  );
  const otherAggregate = model.replace(/^aggregate .*$/m, `aggregate ${'11'.repeat(32)}`);
  assert.deepEqual(
    ids(
      verifyReport(report, {
        publicKey: keys.publicKey,
        expected: expectedFromModel(otherAggregate, report),
      })
    ),
    ['state.aggregate']
  );
  assert.deepEqual(ids(verifyReport(report, { publicKey: keys.publicKey, requireQuote: true })), [
    'quote.missing',
  ]);
});

test('parseReport names a missing, mistyped or unknown field', () => {
  const { report } = fixture();
  const { state: _drop, ...noState } = report;
  assert.throws(
    () => parseReport(JSON.stringify(noState), 'r.json'),
    /r\.json: field 'state': expected lowercase hex, got undefined/
  );
  assert.throws(
    () => parseReport(JSON.stringify({ ...report, points: '4' })),
    /field 'points': expected a whole number/
  );
  assert.throws(
    () => parseReport(JSON.stringify({ ...report, note: 'hi' })),
    /unknown field 'note'/
  );
  assert.throws(() => parseReport('{'), /not JSON/);
});

test('Ed25519 key files round-trip; a model signature fails on any changed byte', () => {
  const { keys, model } = fixture();
  assert.deepEqual(parsePublicKey(formatPublicKey(keys.publicKey)), keys.publicKey);
  assert.throws(
    () => parsePublicKey('tsem-ed25519-public AAAA', 'k.pub'),
    /k\.pub: expected 'tsem-ed25519-public <base64 of 32 bytes>', got 3 bytes/
  );
  const bytes = Buffer.from(model);
  const sig = signModel(bytes, keys.secretKey);
  assert.equal(verifyModelSignature(bytes, sig, keys.publicKey), true);
  const changed = Buffer.from(bytes);
  changed[20]! ^= 1;
  assert.equal(verifyModelSignature(changed, sig, keys.publicKey), false);
  assert.equal(verifyModelSignature(bytes, sig, generateKeyPair().publicKey), false);
});

test('Quixote RSA-signed models verify (PKCS#1 v1.5 SHA-256 over NUL-terminated key..end lines, §4.2)', () => {
  const { model } = fixture();
  for (const type of ['spki', 'pkcs1'] as const) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyLine = `key ${publicKey.export({ format: 'der', type }).toString('base64')}`;
    const lines = [keyLine, ...model.trimEnd().split('\n')];
    const data = Buffer.from(lines.map((l) => `${l}\0`).join(''), 'utf8');
    const signed = `${lines.join('\n')}\nsignature ${rsaSign('sha256', data, privateKey).toString('base64')}\n`;
    const ok = verifyQuixoteModel(signed);
    assert.equal(ok.ok, true, type);
    const tampered = verifyQuixoteModel(
      signed.replace(/^state (.)/m, (_m, c: string) => `state ${c === '0' ? '1' : '0'}`)
    );
    assert.deepEqual(tampered, {
      ok: false,
      reason: 'RSA signature does not verify over the key..end lines',
    });
    assert.equal(verifyQuixoteModel(signed, 'AAAA').ok, false);
  }
  assert.deepEqual(verifyQuixoteModel(model), {
    ok: false,
    reason: "no 'key' line: not a Quixote-signed model",
  });
});
