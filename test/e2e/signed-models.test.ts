/**
 * Signed models enforced (TSEM's model lock): a bad signature is always refused; where signed
 * models are required (server option or namespace setting) an unsigned model, a tampered one and an
 * attacker's re-signed Quixote model are refused, and only a model signed by a pinned key loads.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as rsaSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatPublicKey, formatSignature, generateKeyPair } from '../../engine/attest/keys.js';
import { signModel } from '../../engine/attest/model-signature.js';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { call, type Clients, clients } from '../helpers/grpc.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-signed-'));
const owner = generateKeyPair();
const MODEL = `state ${'11'.repeat(32)}\nstate ${'22'.repeat(32)}\nend\n`;
const TAMPERED = MODEL.replace('11', '33');
const sigOf = (text: string) => formatSignature(signModel(Buffer.from(text), owner.secretKey));

/** A Quixote model re-signed with the attacker's own RSA key (valid signature, unpinned key). */
function attackerQuixote(): string {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const lines = [
    `key ${publicKey.export({ format: 'der', type: 'spki' }).toString('base64')}`,
    ...TAMPERED.trimEnd().split('\n'),
  ];
  const data = Buffer.from(lines.map((l) => `${l}\0`).join(''));
  return `${lines.join('\n')}\nsignature ${rsaSign('sha256', data, privateKey).toString('base64')}\n`;
}

let engine: RunningEngine;
let admin: Clients;
const keyFile = join(dir, 'owner.pub');
writeFileSync(keyFile, formatPublicKey(owner.publicKey));

before(async () => {
  engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    modelKeyFiles: [keyFile],
    requireSignedModels: true,
    log: () => undefined,
  });
  admin = clients(engine.address, engine.adminToken);
});
after(async () => {
  admin.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

const load = (model: string, signature = '') =>
  call(admin, 'LoadModel', { name: 'web', model, signature, create: true });

test('signed models required: unsigned, tampered and re-signed models are refused', async () => {
  await assert.rejects(load(MODEL), {
    code: 7,
    details: /loads signed models only: the model has no signature/,
  });
  await assert.rejects(load(TAMPERED, sigOf(MODEL)), { code: 7, details: /signature is bad/ });
  await assert.rejects(load(attackerQuixote()), { code: 7, details: /not a trusted key/ });
  const other = generateKeyPair();
  await assert.rejects(
    load(MODEL, formatSignature(signModel(Buffer.from(MODEL), other.secretKey))),
    { code: 7, details: /does not verify with any trusted key/ }
  );
  assert.equal(engine.registry.get('web'), undefined, 'nothing was created by a refused load');
  await load(MODEL, sigOf(MODEL));
  assert.equal(engine.registry.require('web').pointCount, 2);
});

test('per namespace: a namespace created with require_signed_models refuses unsigned models', async () => {
  const e = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data2'),
    modelKeyFiles: [keyFile],
    log: () => undefined,
  });
  const c = clients(e.address, e.adminToken);
  try {
    await call(c, 'CreateNamespace', { name: 'locked', require_signed_models: true });
    await call(c, 'CreateNamespace', { name: 'open' });
    await assert.rejects(call(c, 'LoadModel', { name: 'locked', model: MODEL }), { code: 7 });
    await call(c, 'LoadModel', { name: 'open', model: MODEL });
    // A bad signature is refused even where signatures are optional.
    await assert.rejects(
      call(c, 'LoadModel', { name: 'open', model: TAMPERED, signature: sigOf(MODEL) }),
      {
        code: 7,
      }
    );
    await call(c, 'LoadModel', { name: 'locked', model: MODEL, signature: sigOf(MODEL) });
  } finally {
    c.close();
    await e.stop();
  }
});

test('CLI: model verify calls an unpinned Quixote key untrusted; replay refuses a bad signature', async () => {
  const q = join(dir, 'attacker.model');
  writeFileSync(q, attackerQuixote());
  const v = await runCli('model', 'verify', q);
  assert.equal(v.code, 1);
  assert.match(v.err, /not pinned: untrusted/);
  const traj = join(dir, 'empty.jsonl');
  writeFileSync(traj, '');
  const broken = join(dir, 'broken.model');
  writeFileSync(broken, attackerQuixote().replace(/^state 3/m, 'state 4'));
  const r = await runCli('replay', traj, '--model', broken);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /bad signature/);
  const plain = join(dir, 'plain.model');
  writeFileSync(plain, MODEL);
  const req = await runCli('replay', traj, '--model', plain, '--model-key', keyFile);
  assert.notEqual(req.code, 0);
  assert.match(req.err, /requires a model signed by it: the model has no signature/);
  writeFileSync(`${plain}.sig`, sigOf(MODEL));
  assert.equal((await runCli('replay', traj, '--model', plain, '--model-key', keyFile)).code, 0);
});
