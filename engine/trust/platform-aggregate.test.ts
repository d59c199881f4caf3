import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createPlatformAggregate } from './platform-aggregate.js';

const PCRS = Array.from({ length: 8 }, (_, i) => createHash('sha256').update(`pcr ${i}`).digest());

test('§2.7: one hash over PCRs 0-7, each copied into the namespace digest size', () => {
  const aggregate = createPlatformAggregate(PCRS);
  assert.equal(
    aggregate('sha256').toString('hex'),
    createHash('sha256').update(Buffer.concat(PCRS)).digest('hex')
  );
  const padded = PCRS.map((p) => Buffer.concat([p, Buffer.alloc(32)]));
  assert.equal(
    aggregate('sha512').toString('hex'),
    createHash('sha512').update(Buffer.concat(padded)).digest('hex')
  );
});

test('no TPM: the zero digest of the namespace digest size', () => {
  const aggregate = createPlatformAggregate(undefined);
  assert.deepEqual(aggregate('sha256'), Buffer.alloc(32));
  assert.deepEqual(aggregate('sha384'), Buffer.alloc(48));
});

test('callers get copies: changing one does not change the next', () => {
  const aggregate = createPlatformAggregate(PCRS);
  const first = aggregate('sha256');
  const expected = Buffer.from(first);
  first.fill(0xff);
  assert.deepEqual(aggregate('sha256'), expected);
  assert.throws(() => aggregate('md4-unknown'), /md4-unknown/);
});
