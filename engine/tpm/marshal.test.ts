import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getRandomCommand, pcrExtendCommand, pcrReadCommand, startupCommand } from './commands.js';
import { TPM_ALG } from './constants.js';
import { pcrBitmap } from './marshal.js';
import {
  TpmFormatError,
  TpmReader,
  readPcrSelectionList,
  readResponseHeader,
} from './unmarshal.js';
import { parseTpmSpec } from './tpm-spec.js';
import { EngineError } from '../../common/errors.js';

// Frames written out by hand from TPM 2.0 Part 3 (tag, size, code, handles, auth, params).
test('command frames match the Part 3 layouts byte for byte', () => {
  assert.equal(startupCommand().toString('hex'), '80010000000c00000144' + '0000');
  assert.equal(getRandomCommand(8).toString('hex'), '80010000000c0000017b' + '0008');
  assert.equal(
    pcrReadCommand([{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 1, 2, 3, 4, 5, 6, 7, 10] }]).toString(
      'hex'
    ),
    '8001000000140000017e' + '00000001' + '000b' + '03' + 'ff0400'
  );
  const d = Buffer.alloc(32, 0xab);
  assert.equal(
    pcrExtendCommand(11, [{ hashAlg: TPM_ALG.SHA256, digest: d }]).toString('hex'),
    '8002' +
      (10 + 4 + 4 + 9 + 4 + 2 + 32).toString(16).padStart(8, '0') +
      '00000182' +
      '0000000b' +
      '00000009' +
      '40000009' +
      '0000' +
      '00' +
      '0000' +
      '00000001' +
      '000b' +
      d.toString('hex')
  );
});

test('pcrBitmap sets bit j of byte i for PCR 8i+j and refuses indices outside 0-23', () => {
  assert.equal(pcrBitmap([0, 9, 23]).toString('hex'), '010280');
  assert.throws(() => pcrBitmap([24]), RangeError);
});

test('readPcrSelectionList reads back what pcrReadCommand wrote', () => {
  const cmd = pcrReadCommand([
    { hashAlg: TPM_ALG.SHA1, pcrs: [3, 17] },
    { hashAlg: TPM_ALG.SHA256, pcrs: [0] },
  ]);
  const sel = readPcrSelectionList(new TpmReader(cmd.subarray(10)));
  assert.deepEqual(sel, [
    { hashAlg: TPM_ALG.SHA1, pcrs: [3, 17] },
    { hashAlg: TPM_ALG.SHA256, pcrs: [0] },
  ]);
});

test('a truncated or mis-sized response is a TpmFormatError naming the field', () => {
  assert.throws(
    () => readResponseHeader(Buffer.from('8001000000', 'hex')),
    (e: Error) => e instanceof TpmFormatError && /responseSize/.test(e.message)
  );
  assert.throws(
    () => readResponseHeader(Buffer.from('80010000000e00000000', 'hex')),
    /responseSize says 14 bytes, got 10/
  );
  assert.throws(
    () => readResponseHeader(Buffer.from('00c40000000a00000000', 'hex')),
    /response tag 0xc4/
  );
  assert.throws(
    () => new TpmReader(Buffer.from('0005aabb', 'hex')).tpm2b('outPublic'),
    /outPublic: needs 5 bytes at offset 2, only 2 left/
  );
});

test('parseTpmSpec: swtpm, mssim, IPv6 and device forms; bad specs name the expected forms', () => {
  assert.deepEqual(parseTpmSpec('swtpm:127.0.0.1:2321'), {
    kind: 'tcp',
    dialect: 'swtpm',
    host: '127.0.0.1',
    port: 2321,
    platformPort: 2322,
  });
  assert.deepEqual(parseTpmSpec('mssim:[::1]:2321'), {
    kind: 'tcp',
    dialect: 'mssim',
    host: '::1',
    port: 2321,
    platformPort: 2322,
  });
  assert.deepEqual(parseTpmSpec('/dev/tpmrm0'), { kind: 'device', path: '/dev/tpmrm0' });
  for (const bad of ['swtpm:localhost', 'swtpm::2321', 'tcp:host:1', 'tpmrm0', 'swtpm:h:65535']) {
    assert.throws(
      () => parseTpmSpec(bad),
      (e: Error) => e instanceof EngineError && e.message.includes(`'${bad}'`),
      bad
    );
  }
});
