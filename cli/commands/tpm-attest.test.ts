/** `tsem tpm ...`, `tsem attest verify` and `tsem model sign|verify` end to end, against swtpm. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileCell, sourceEvent } from '../../test/helpers/events.js';
import { startSwtpm, swtpmSkipReason, type Swtpm } from '../../test/helpers/swtpm.js';
import { collectQuote } from '../../engine/attest/tpm-quote.js';
import { ensureAttestationKey } from '../../engine/tpm/attestation-key.js';
import { formatPublicKey, generateKeyPair } from '../../engine/attest/keys.js';
import { extendCoefficient, hardwareAggregate } from '../../engine/tpm/aggregate.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import { Controller, ModelingAgent } from '../../tee-sim/host/agent-client.js';
import { main } from '../main.js';

const skip = swtpmSkipReason();
const sha256 = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
let sw: Swtpm;
let dir: string;

async function tsem(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsem-cli-tpm-'));
  if (!skip) sw = await startSwtpm();
});
after(async () => {
  if (!skip) await sw.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(
  'tpm extend then pcrread: the PCR holds H(old || d); the aggregate hashes PCRs 0-7',
  { skip },
  async () => {
    const d = randomBytes(32);
    const ext = await tsem('tpm', 'extend', '--tpm', sw.spec, '3', d.toString('hex'));
    assert.equal(ext.code, 0, ext.err);
    const read = await tsem(
      'tpm',
      'pcrread',
      '--tpm',
      sw.spec,
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7'
    );
    assert.equal(read.code, 0, read.err);
    const lines = read.out.trim().split('\n');
    assert.equal(lines[3], `sha256 3 ${sha256(Buffer.alloc(32), d).toString('hex')}`);
    assert.equal(lines[0], `sha256 0 ${'00'.repeat(32)}`);
    const values = lines.map((l) => Buffer.from(l.split(' ')[2]!, 'hex'));
    const agg = await tsem('tpm', 'aggregate', '--tpm', sw.spec);
    assert.equal(agg.out.trim(), sha256(...values).toString('hex'));
  }
);

test('tpm aggregate without a TPM is zero and says so; bad arguments are usage errors', async () => {
  const zero = await tsem('tpm', 'aggregate');
  assert.deepEqual([zero.code, zero.out.trim()], [0, '00'.repeat(32)]);
  assert.match(zero.err, /no --tpm given: the aggregate is all zeros/);
  assert.equal((await tsem('tpm', 'pcrread')).code, 2);
  assert.equal((await tsem('tpm', 'extend', '--tpm', 'swtpm:127.0.0.1:1', '3', 'abcd')).code, 2);
  const down = await tsem('tpm', 'pcrread', '--tpm', 'swtpm:127.0.0.1:1');
  assert.equal(down.code, 69); // service unavailable

  assert.match(down.err, /cannot connect to swtpm command port at 127\.0\.0\.1:1/);
  assert.match((await tsem('tpm', 'pcrread', '--tpm', 'tpm0')).err, /expected 'swtpm:HOST:PORT'/);
});

test(
  'a report from the agent with a TPM quote verifies; tampering is named',
  { skip },
  async () => {
    const secret = join(dir, 'platform.secret');
    writeFileSync(secret, randomBytes(32));
    const controller = generateKeyPair();
    const tpm = await openTpm(sw.spec);
    let agent: ModelingAgent | undefined;
    try {
      const aggregate = await hardwareAggregate(tpm, 'sha256');
      agent = await ModelingAgent.start({
        platformSecretPath: secret,
        aggregate: aggregate.toString('hex'),
        controllerKey: Buffer.from(controller.publicKey).toString('base64'),
      });
      await agent.control(
        new Controller(controller.secretKey).next('create-namespace', { id: '0' })
      );
      const lines = ['/sbin/init', '/etc/fstab'].map((p, i) =>
        JSON.stringify(
          sourceEvent(1 + i, 'file_open', {
            file: fileCell(p, createHash('sha256').update(p).digest('hex')),
          })
        )
      );
      for (const l of lines) {
        const r = await agent.processEvent('0', l);
        // The root namespace's new coefficients go into the model PCR (§2.6).
        if (r.record === 'event' && r.verdict.kind === 'learned')
          await extendCoefficient(tpm, Buffer.from(r.verdict.coefficient!, 'hex'));
      }
      const nonce = randomBytes(16);
      const ak = await ensureAttestationKey(tpm);
      const report = await agent.report('0', nonce, (q) => collectQuote(tpm, ak, q));
      const reportPath = join(dir, 'report.json');
      const pubPath = join(dir, 'agent.pub');
      const trajPath = join(dir, 'trajectory.json');
      writeFileSync(reportPath, JSON.stringify(report, null, 2));
      writeFileSync(pubPath, formatPublicKey(agent.publicKey));
      writeFileSync(trajPath, lines.join('\n') + '\n');

      const ok = await tsem(
        'attest',
        'verify',
        reportPath,
        '--pubkey',
        pubPath,
        '--nonce',
        nonce.toString('hex'),
        '--model',
        trajPath,
        '--require-quote'
      );
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /valid report for namespace 0: .*\(TPM quote verified\)/);

      const wrongNonce = await tsem(
        'attest',
        'verify',
        reportPath,
        '--pubkey',
        pubPath,
        '--nonce',
        'ff'.repeat(16)
      );
      assert.deepEqual([wrongNonce.code, /report\.nonce/.test(wrongNonce.err)], [1, true]);

      const changedPcr = {
        ...report,
        quote: { ...report.quote!, pcrs: { ...report.quote!.pcrs, '11': '00'.repeat(32) } },
      };
      writeFileSync(reportPath, JSON.stringify(changedPcr));
      const bad = await tsem('attest', 'verify', reportPath, '--pubkey', pubPath, '--no-freshness');
      assert.equal(bad.code, 1);
      assert.match(bad.err, /report\.signature/);
      assert.match(bad.err, /quote\.pcr_digest/);

      const otherLine = lines[1]!.replace('/etc/fstab', '/etc/shadow');
      writeFileSync(reportPath, JSON.stringify(report));
      writeFileSync(trajPath, `${lines[0]}\n${otherLine}\n`);
      const traj = await tsem(
        'attest',
        'verify',
        reportPath,
        '--pubkey',
        pubPath,
        '--no-freshness',
        '--model',
        trajPath
      );
      assert.equal(traj.code, 1);
      assert.match(
        traj.err,
        /state\.measurement: report measurement [0-9a-f]{64} differs from [0-9a-f]{64} computed from trajectory/
      );
    } finally {
      await agent?.close();
      await tpm.close();
    }
  }
);

test('model keygen, sign and verify; a changed model fails with a clear line', async () => {
  const key = join(dir, 'signer');
  const model = join(dir, 'm.model');
  writeFileSync(model, `aggregate ${'00'.repeat(32)}\nstate ${'ab'.repeat(32)}\nend\n`);
  assert.equal((await tsem('model', 'keygen', '-o', key)).code, 0);
  assert.equal((await tsem('model', 'sign', model, '--key', key)).code, 0);
  assert.match(readFileSync(`${model}.sig`, 'utf8'), /^tsem-ed25519-signature /);
  assert.equal((await tsem('model', 'verify', model, '--pubkey', `${key}.pub`)).code, 0);
  writeFileSync(model, `aggregate ${'00'.repeat(32)}\nstate ${'ac'.repeat(32)}\nend\n`);
  const bad = await tsem('model', 'verify', model, '--pubkey', `${key}.pub`);
  assert.equal(bad.code, 1);
  assert.match(
    bad.err,
    /does not verify with .*signer\.pub \(model changed, or another key signed it\)/
  );
  const noKey = await tsem('model', 'verify', model);
  assert.match(noKey.err, /not a Quixote-signed model \(give --pubkey/);
});

test('attest verify: a nonce is required unless --no-freshness; duplicate keys are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-fresh-'));
  try {
    const report = join(dir, 'r.json');
    writeFileSync(report, '{"version": 1, "nonce": "aa", "nonce": "bb"}');
    const key = join(dir, 'k.pub');
    writeFileSync(key, formatPublicKey(generateKeyPair().publicKey));
    const noNonce = await tsem('attest', 'verify', report, '--pubkey', key);
    assert.equal(noNonce.code, 2);
    assert.match(noNonce.err, /--nonce HEX is required: without it the report could be a replay/);
    const dup = await tsem('attest', 'verify', report, '--pubkey', key, '--no-freshness');
    assert.notEqual(dup.code, 0);
    assert.match(dup.err, /duplicate key "nonce"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
