/** The TPM client against a real swtpm (skipped with a reason when swtpm is not installed). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startSwtpm, swtpmSkipReason, type Swtpm } from '../../test/helpers/swtpm.js';
import {
  AGGREGATE_PCRS,
  DEFAULT_MODEL_PCR,
  extendCoefficient,
  hardwareAggregate,
} from './aggregate.js';
import type { TpmClient } from './client.js';
import { TPM_ALG, TPM_RH } from './constants.js';
import { openTpm } from './open-tpm.js';
import { verifyQuote, type QuoteEvidence } from './quote-verify.js';
import { TpmResponseError } from './response-code.js';
import { EngineError } from '../../common/errors.js';

const skip = swtpmSkipReason();
const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const ALL_PCRS = Array.from({ length: 24 }, (_, i) => i);

let sw: Swtpm;
let tpm: TpmClient;
/** Digests extended into PCRs 0-15 (locality 0 may extend those). */
const extended = new Map<number, Buffer>();

before(async () => {
  if (skip) return;
  sw = await startSwtpm();
  tpm = await openTpm(sw.spec);
});
after(async () => {
  if (skip) return;
  await tpm.close();
  await sw.stop();
});

test(
  'a fresh TPM was powered on and started; PCRs 0-15 are zero (their reset value after Startup(CLEAR))',
  { skip },
  async () => {
    const banks = await tpm.pcrBanks();
    const sha256Bank = banks.find((b) => b.hashAlg === TPM_ALG.SHA256);
    assert.deepEqual(sha256Bank?.pcrs, ALL_PCRS);
    const pcrs = await tpm.pcrRead('sha256', ALL_PCRS.slice(0, 16));
    for (let i = 0; i < 16; i++)
      assert.equal(pcrs.get(i)!.toString('hex'), '00'.repeat(32), `PCR ${i}`);
    assert.equal(await tpm.startup(), 'already-started');
  }
);

test(
  'PCR reads (24 PCRs, paged 8 per response) equal what was extended: H(0^32 || d)',
  { skip },
  async () => {
    for (let i = 0; i < 16; i++) {
      const d = randomBytes(32);
      extended.set(i, d);
      await tpm.pcrExtend(i, [{ bank: 'sha256', digest: d }]);
    }
    const pcrs = await tpm.pcrRead('sha256', ALL_PCRS);
    assert.equal(pcrs.size, 24);
    for (const [i, d] of extended)
      assert.equal(
        pcrs.get(i)!.toString('hex'),
        sha256(Buffer.alloc(32), d).toString('hex'),
        `PCR ${i}`
      );
    // Another bank was not touched by the sha256-only extends.
    const sha1 = await tpm.pcrRead('sha1', [0]);
    assert.equal(sha1.get(0)!.toString('hex'), '00'.repeat(20));
  }
);

test(
  'hardware aggregate = SHA-256(PCR0 || ... || PCR7) of the sha256 bank (tsem-model.md §2.7)',
  { skip },
  async () => {
    const expected = sha256(
      ...AGGREGATE_PCRS.map((i) => sha256(Buffer.alloc(32), extended.get(i)!))
    );
    assert.equal(
      (await hardwareAggregate(tpm, 'sha256')).toString('hex'),
      expected.toString('hex')
    );
    // sha512 root hash: each 32-byte PCR is zero-padded to 64 bytes before hashing.
    const padded = AGGREGATE_PCRS.map((i) =>
      Buffer.concat([sha256(Buffer.alloc(32), extended.get(i)!), Buffer.alloc(32)])
    );
    assert.equal(
      (await hardwareAggregate(tpm, 'sha512')).toString('hex'),
      createHash('sha512').update(Buffer.concat(padded)).digest('hex')
    );
    assert.equal((await hardwareAggregate(undefined, 'sha256')).toString('hex'), '00'.repeat(32));
  }
);

test(
  'a coefficient extends into the model PCR (default 11) of every bank, padded or truncated (§2.6)',
  { skip },
  async () => {
    const before11 = await tpm.pcrRead('sha256', [DEFAULT_MODEL_PCR]);
    const c = randomBytes(32);
    await extendCoefficient(tpm, c);
    const after256 = await tpm.pcrRead('sha256', [DEFAULT_MODEL_PCR]);
    assert.equal(after256.get(11)!.toString('hex'), sha256(before11.get(11)!, c).toString('hex'));
    const after1 = await tpm.pcrRead('sha1', [DEFAULT_MODEL_PCR]);
    assert.equal(
      after1.get(11)!.toString('hex'),
      createHash('sha1')
        .update(Buffer.concat([Buffer.alloc(20), c.subarray(0, 20)]))
        .digest('hex')
    );
    const after512 = await tpm.pcrRead('sha512', [DEFAULT_MODEL_PCR]);
    assert.equal(
      after512.get(11)!.toString('hex'),
      createHash('sha512')
        .update(Buffer.concat([Buffer.alloc(64), c, Buffer.alloc(32)]))
        .digest('hex')
    );
  }
);

test('GetRandom returns the bytes asked for, over several 32-byte chunks', { skip }, async () => {
  const a = await tpm.getRandom(100);
  const b = await tpm.getRandom(100);
  assert.equal(a.length, 100);
  assert.notDeepEqual(a, b);
});

test('a quote verifies with the AK; tampering with any part is named', { skip }, async () => {
  const ak = await tpm.createAttestationKey();
  const nonce = randomBytes(32);
  const pcrs = [0, 1, 2, 3, 4, 5, 6, 7, 11];
  const q = await tpm.quote(ak, nonce, 'sha256', pcrs);
  const values = await tpm.pcrRead('sha256', pcrs);
  const ev: QuoteEvidence = {
    akPublic: ak.publicArea.bytes.toString('hex'),
    attest: q.attest.toString('hex'),
    signature: { r: q.signature.r.toString('hex'), s: q.signature.s.toString('hex') },
    bank: 'sha256',
    pcrs: Object.fromEntries([...values].map(([i, v]) => [String(i), v.toString('hex')])),
  };
  const ok = verifyQuote(ev, nonce);
  assert.equal(ok.ok, true, ok.ok ? '' : ok.reason);

  const flip = (hex: string, at: number) => {
    const b = Buffer.from(hex, 'hex');
    b[at]! ^= 1;
    return b.toString('hex');
  };
  const other = await tpm.createAttestationKey(TPM_RH.OWNER); // another hierarchy: another key
  const cases: [string, QuoteEvidence, Buffer, string][] = [
    ['attest byte flipped', { ...ev, attest: flip(ev.attest, 40) }, nonce, 'quote.signature'],
    [
      'signature flipped',
      { ...ev, signature: { ...ev.signature, s: flip(ev.signature.s, 3) } },
      nonce,
      'quote.signature',
    ],
    [
      'other AK',
      { ...ev, akPublic: other.publicArea.bytes.toString('hex') },
      nonce,
      'quote.signature',
    ],
    ['other nonce', ev, randomBytes(32), 'quote.nonce'],
    [
      'PCR value changed',
      { ...ev, pcrs: { ...ev.pcrs, '11': '00'.repeat(32) } },
      nonce,
      'quote.pcr_digest',
    ],
    [
      'PCR dropped',
      { ...ev, pcrs: Object.fromEntries(Object.entries(ev.pcrs).filter(([k]) => k !== '7')) },
      nonce,
      'quote.pcr_selection',
    ],
  ];
  for (const [label, evidence, n, id] of cases) {
    const r = verifyQuote(evidence, n);
    assert.equal(r.ok ? 'ok' : r.id, id, label);
  }
  await tpm.flush(other.handle);
  await tpm.flush(ak.handle);
});

test(
  'TPM errors are decoded: a flushed handle, a PCR locality 0 may not extend',
  { skip },
  async () => {
    const ak = await tpm.createAttestationKey();
    await tpm.flush(ak.handle);
    await assert.rejects(
      tpm.quote(ak, Buffer.alloc(0), 'sha256', [0]),
      (e: Error) =>
        e instanceof TpmResponseError && /TPM2_Quote failed: TPM_RC_REFERENCE_H0/.test(e.message)
    );
    await assert.rejects(
      tpm.pcrExtend(17, [{ bank: 'sha256', digest: Buffer.alloc(32) }]),
      /TPM2_PCR_Extend failed: TPM_RC_LOCALITY/
    );
    await assert.rejects(
      tpm.pcrRead('sha3-256', [0]),
      /TPM2_PCR_Read failed: TPM_RC_HASH \(0x000001c3\) on parameter 1/
    );
  }
);

test('an unreachable simulator is a clear error naming the port', async () => {
  await assert.rejects(
    openTpm('swtpm:127.0.0.1:1'),
    (e: Error) =>
      e instanceof EngineError &&
      /cannot connect to swtpm command port at 127.0.0.1:1: ECONNREFUSED/.test(e.message)
  );
});

test(
  'a second client of a busy simulator gets "TPM busy" within seconds, not a 60 s hang',
  { skip },
  async () => {
    // `tpm` (opened in before()) holds swtpm's one client connection, as `tsem serve --tpm` does.
    const started = Date.now();
    await assert.rejects(
      openTpm(sw.spec),
      (e: Error) =>
        e instanceof EngineError &&
        e.code === 'TSEM_UNAVAILABLE' &&
        /TPM busy: .*serves one client at a time/.test(e.message)
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    // The holder is unaffected.
    assert.equal((await tpm.pcrRead('sha256', [0])).size, 1);
  }
);
