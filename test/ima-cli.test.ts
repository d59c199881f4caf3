/**
 * `tsem ima …` commands print exactly the stated lines and exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, vectorPath } from './helpers/repo.js';
import { main } from '../cli/main.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const expected = JSON.parse(readFileSync(vectorPath('ima/expected.json'), 'utf8')) as {
  files: Record<string, { computed?: { pcr10?: Record<string, string> } }>;
};

test('ima verify-log prints entries, template-digest-ok, violations and one pcr10 line per bank', async () => {
  const r = await run(
    'ima',
    'verify-log',
    vectorPath('ima/ibmtss/imatest.log'),
    '--pcr-banks',
    'sha1,sha256'
  );
  const pcr = expected.files['ibmtss/imatest.log']!.computed!.pcr10!;
  assert.equal(r.code, 0);
  assert.equal(
    r.out,
    `entries 17\ntemplate-digest-ok 16\nviolations 1\npcr10 sha1 ${pcr.sha1}\npcr10 sha256 ${pcr.sha256}\n`
  );
});

test('ima verify-log: a malformed list is bad data (65) naming the record; a digest mismatch is found (1)', async () => {
  const bad = await run(
    'ima',
    'verify-log',
    vectorPath('ima/tpm2-tss/sml-ima-ng-sha1-invalidated.bin')
  );
  assert.equal(bad.code, 65);
  assert.match(bad.err, /record 1 \(offset 0\): template data length 49/);
  const mismatch = await run(
    'ima',
    'verify-log',
    vectorPath('ima/keylime/test_ima_verification_bad_signature.ascii'),
    '--format',
    'ascii'
  );
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.err, /record 1: template digest 5d4d5141/);
});

test('ima policy check counts rules and rejects a bad line naming it (65); a missing file is 74', async () => {
  assert.deepEqual(
    await run('ima', 'policy', 'check', join(repoRoot(), 'policies', 'ima', 'tcb')),
    { code: 0, out: 'rules 20\n', err: '' }
  );
  const r = await run('ima', 'policy', 'check', vectorPath('ima/expected.json'));
  assert.equal(r.code, 65);
  assert.match(r.err, /policy line 1: '\{': unknown keyword/);
  assert.equal((await run('ima', 'policy', 'check', join(repoRoot(), 'no-such-policy'))).code, 74);
});

test('ima keylime-policy verify reports findings per record and exits 1', async () => {
  const r = await run(
    'ima',
    'keylime-policy',
    'verify',
    '--policy',
    vectorPath('ima/keylime/runtime-policy-test.json'),
    vectorPath('ima/keylime/test_ima_verification_measurements_signatures_keyrings.ascii'),
    '--keys',
    vectorPath('ima/keylime/rsa2048pub.pem'),
    '--keys',
    vectorPath('ima/keylime/secp256k1-pub.pem')
  );
  assert.equal(r.code, 1);
  assert.match(r.out, /entries 6\nfindings 3\n$/);
});

test('ima measure without --policy is a usage error', async () => {
  assert.equal((await run('ima', 'measure', 'x')).code, 2);
});

test('built-in policies parse', async () => {
  for (const p of ['tcb', 'appraise_tcb', 'secure_boot']) {
    assert.equal(
      (await run('ima', 'policy', 'check', join(repoRoot(), 'policies', 'ima', p))).code,
      0,
      p
    );
  }
});

test('ima policy check refuses the engine extension cache_result unless --allow-extensions', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tsem-policy-check-'));
  try {
    const file = join(dir, 'p');
    writeFileSync(file, 'measure func=BPRM_CHECK\nappraise func=BPRM_CHECK cache_result=no\n');
    const kernel = await run('ima', 'policy', 'check', file);
    assert.equal(kernel.code, 65); // not kernel policy syntax: bad input data
    assert.match(
      kernel.err,
      /policy line 2: 'cache_result=no': a tsem-engine extension \(docs\/ima\.md §9\.3\), not kernel policy syntax/
    );
    const engine = await run('ima', 'policy', 'check', '--allow-extensions', file);
    assert.deepEqual([engine.code, engine.out], [0, 'rules 2\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
