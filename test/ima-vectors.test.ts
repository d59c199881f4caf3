/**
 * Every IMA vector reproduces its expected values (test/vectors/ima/expected.json): entry counts,
 * template digests (published ones in order), PCR 10 per bank, boot aggregates, signatures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { vectorPath } from './helpers/repo.js';
import { bootAggregate } from '../engine/ima/boot-aggregate.js';
import { Keyring, loadKeys } from '../engine/ima/keys.js';
import { parseAsciiList } from '../engine/ima/measurement-list-ascii.js';
import { MeasurementListError, parseBinaryList } from '../engine/ima/measurement-list-binary.js';
import { verifyList } from '../engine/ima/pcr-replay.js';
import { verifySignature } from '../engine/ima/signature.js';
import { parsePcrText, replayEventLog } from '../engine/ima/tcg-event-log.js';
import { digestOfField } from '../engine/ima/template-fields.js';
import { parsePolicy } from '../engine/ima/policy-parse.js';
import { parseRuntimePolicy, verifyAgainstRuntimePolicy } from '../engine/ima/keylime-policy.js';
import { hashBytes } from '../engine/ima/hash-algo.js';
import type { TemplateEntry } from '../engine/ima/template-entry.js';

interface Expected {
  entries?: number;
  template_digest_ok?: number;
  violations?: number;
  published?: { template_digests_in_order?: string[] };
  computed?: {
    pcr10?: Record<string, string>;
    sha256_boot_aggregate_pcr0_9?: string;
    sha256_boot_aggregate_pcr0_7?: string;
    sha1_boot_aggregate_pcr0_7?: string;
  };
}
const expected = JSON.parse(readFileSync(vectorPath('ima/expected.json'), 'utf8')) as {
  files: Record<string, Expected>;
};
const BANKS = ['sha1', 'sha256', 'sha384', 'sha512'];

function load(file: string): TemplateEntry[] {
  const raw = readFileSync(vectorPath(`ima/${file}`));
  return /\.(bin|log)$/.test(file)
    ? parseBinaryList(raw).entries
    : parseAsciiList(raw.toString('utf8'));
}

for (const [file, exp] of Object.entries(expected.files)) {
  if (exp.entries === undefined || file === 'tpm2-tss/sml-ima-ng-sha1-invalidated.bin') continue;
  test(`vector ${file}: entries, template digests, PCR 10 per bank`, () => {
    const entries = load(file);
    const v = verifyList(entries, 'sha1', BANKS);
    assert.equal(v.entries, exp.entries);
    assert.equal(v.templateDigestOk, exp.template_digest_ok);
    assert.equal(v.violations, exp.violations ?? 0);
    assert.deepEqual(v.mismatches, []);
    const published = exp.published?.template_digests_in_order;
    if (published)
      assert.deepEqual(
        entries.map((e) => e.loggedDigest!.toString('hex')),
        published
      );
    for (const [bank, hex] of Object.entries(exp.computed?.pcr10 ?? {}))
      assert.equal(v.pcrs.get(bank, 10).toString('hex'), hex, bank);
  });
}

test('malformed vector sml-ima-ng-sha1-invalidated.bin is rejected naming record 1', () => {
  assert.throws(
    () => load('tpm2-tss/sml-ima-ng-sha1-invalidated.bin'),
    (e: unknown) =>
      e instanceof MeasurementListError &&
      e.record === 1 &&
      /template data length 49/.test(e.message)
  );
});

test('boot_aggregate: sample log PCR 0-9 (sha256) equals the published IMA line; SHA-1 PCRs match tsspcrread', () => {
  const pcrs = replayEventLog(
    readFileSync(vectorPath('ima/ima-evm-utils/sample-binary_bios_measurements-pcrs-8-9'))
  );
  const c = expected.files['ima-evm-utils/sample-binary_bios_measurements-pcrs-8-9']!.computed!;
  assert.equal(
    bootAggregate('sha256', pcrs.get('sha256')!).toString('hex'),
    c.sha256_boot_aggregate_pcr0_9
  );
  assert.equal(
    bootAggregate('sha256', pcrs.get('sha256')!, { pcrCount: 8 }).toString('hex'),
    c.sha256_boot_aggregate_pcr0_7
  );
  assert.equal(
    bootAggregate('sha1', pcrs.get('sha1')!).toString('hex'),
    c.sha1_boot_aggregate_pcr0_7
  );
  const line = load('ima-evm-utils/sample-ascii_runtime_measurements-pcrs-8-9')[0]!;
  assert.deepEqual(
    digestOfField(line.fields[0]!)!.digest,
    bootAggregate('sha256', pcrs.get('sha256')!)
  );
  const tss = parsePcrText(
    readFileSync(vectorPath('ima/ima-evm-utils/sample-tpm-2.0-pcrs-8-9'), 'utf8')
  );
  for (let i = 0; i < 10; i++) assert.deepEqual(pcrs.get('sha1')![i], tss.get(i), `PCR ${i}`);
});

test('boot_aggregate: older kernel vector uses the PCR 0-7 variant', () => {
  const pcrs = replayEventLog(
    readFileSync(vectorPath('ima/ima-evm-utils/test_binary_bios_measurements'))
  );
  const line = load('ima-evm-utils/test_ascii_runtime_measurements')[0]!;
  assert.deepEqual(
    digestOfField(line.fields[0]!)!.digest,
    bootAggregate('sha256', pcrs.get('sha256')!, { pcrCount: 8 })
  );
  assert.notDeepEqual(
    digestOfField(line.fields[0]!)!.digest,
    bootAggregate('sha256', pcrs.get('sha256')!)
  );
});

const keyring = new Keyring([
  ...loadKeys(readFileSync(vectorPath('ima/keylime/rsa2048pub.pem')), 'rsa2048pub.pem'),
  ...loadKeys(readFileSync(vectorPath('ima/keylime/secp256k1-pub.pem')), 'secp256k1-pub.pem'),
]);

test('key ids match the published ones (f3452d23, 531f4025)', () => {
  assert.equal(keyring.find(0xf3452d23).length, 1);
  assert.equal(keyring.find(0x531f4025)[0]!.curve, 'secp256k1');
});

for (const file of [
  'keylime/test_ima_verification_measurements_signatures_keyrings.ascii',
  'rust-keylime/entry_rs_test_entries.ascii',
]) {
  test(`signatures in ${file} verify; a flipped digest bit does not`, () => {
    const signed = load(file).filter((e) => e.fieldIds.includes('sig') && e.fields[2]!.length > 0);
    assert.ok(signed.length > 0);
    for (const e of signed) {
      const { algo, digest } = digestOfField(e.fields[0]!)!;
      assert.equal(verifySignature(keyring, e.fields[2]!, algo, digest).ok, true);
      const bad = Buffer.from(digest);
      bad[0]! ^= 1;
      assert.deepEqual(verifySignature(keyring, e.fields[2]!, algo, bad).ok, false);
    }
  });
}

test('bad-signature vector: sig_size header mismatch is rejected and its template digest fails', () => {
  const e = load('keylime/test_ima_verification_bad_signature.ascii')[0]!;
  const { algo, digest } = digestOfField(e.fields[0]!)!;
  const r = verifySignature(keyring, e.fields[2]!, algo, digest);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.detail : '', /sig_size 18432, but 72 bytes follow/);
  assert.equal(verifyList([e], 'sha1', ['sha1']).mismatches.length, 1);
});

for (const file of [
  'rust-keylime/ima-policy',
  'keylime/demo-ima-policy-default',
  'keylime/demo-ima-policy-keylime',
  'keylime/demo-ima-policy-keylime-etc',
]) {
  test(`policy parser accepts ${file}`, () => {
    const rules = parsePolicy(readFileSync(vectorPath(`ima/${file}`), 'utf8'));
    assert.ok(rules.length > 10);
  });
}

test('rust-keylime ima-policy has 1018 rules', () => {
  assert.equal(
    parsePolicy(readFileSync(vectorPath('ima/rust-keylime/ima-policy'), 'utf8')).length,
    1018
  );
});

test('keylime runtime policy: published checksum, 21 digests, keyring learning and allowlist findings', () => {
  const raw = readFileSync(vectorPath('ima/keylime/runtime-policy-test.json'));
  assert.equal(
    hashBytes('sha256', raw).toString('hex'),
    '64608ceb82d6d6459e8ac5ffd19865d670d1fe99417e10f20446de5d125bc4ab'
  );
  const policy = parseRuntimePolicy(raw.toString('utf8'));
  assert.equal(Object.keys(policy.digests).length, 21);
  const entries = load('keylime/test_ima_verification_measurements_signatures_keyrings.ascii');
  const findings = verifyAgainstRuntimePolicy(entries, policy, [
    ...keyring.find(0xf3452d23),
    ...keyring.find(0x531f4025),
  ]);
  // The boot_aggregate and the two unsigned modules are not in this allowlist; the signed ones pass.
  assert.deepEqual(
    findings.map((f) => [f.record, f.id.split('.').pop()]),
    [
      [1, 'runtime_policy_hash'],
      [2, 'not_in_allowlist'],
      [3, 'not_in_allowlist'],
    ]
  );
  const excluded = { ...policy, excludes: ['boot_aggregate', '/lib/modules/'] };
  assert.deepEqual(
    verifyAgainstRuntimePolicy(entries, excluded, [
      ...keyring.find(0xf3452d23),
      ...keyring.find(0x531f4025),
    ]),
    []
  );
});
