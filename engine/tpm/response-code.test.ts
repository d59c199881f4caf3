import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRc, describeRc, TpmResponseError } from './response-code.js';

// Named cases: code -> expected name and position (TPM 2.0 Part 2 §6.6).
const CASES: Record<
  string,
  [
    number,
    string,
    Partial<{ parameter: number; handle: number; session: number; warning: boolean }>,
  ]
> = {
  'format-0 initialize': [0x100, 'TPM_RC_INITIALIZE', {}],
  'format-0 failure': [0x101, 'TPM_RC_FAILURE', {}],
  'format-0 command code': [0x143, 'TPM_RC_COMMAND_CODE', {}],
  'format-1 value on parameter 1': [0x1c4, 'TPM_RC_VALUE', { parameter: 1 }],
  'format-1 size on parameter 3': [0x3d5, 'TPM_RC_SIZE', { parameter: 3 }],
  'format-1 handle on handle 1': [0x18b, 'TPM_RC_HANDLE', { handle: 1 }],
  'format-1 auth fail on session 1': [0x98e, 'TPM_RC_AUTH_FAIL', { session: 1 }],
  'format-1 bad auth on session 2': [0xaa2, 'TPM_RC_BAD_AUTH', { session: 2 }],
  'warning locality': [0x907, 'TPM_RC_LOCALITY', { warning: true }],
  'warning retry': [0x922, 'TPM_RC_RETRY', { warning: true }],
  'warning reference H0': [0x910, 'TPM_RC_REFERENCE_H0', { warning: true }],
};

for (const [label, [rc, name, where]] of Object.entries(CASES)) {
  test(`decodeRc: ${label}`, () => {
    const d = decodeRc(rc);
    assert.equal(d.name, name);
    assert.equal(d.parameter, where.parameter);
    assert.equal(d.handle, where.handle);
    assert.equal(d.session, where.session);
    assert.equal(d.warning, where.warning ?? false);
  });
}

test('decodeRc: TPM 1.2 and vendor codes are named as such', () => {
  assert.equal(decodeRc(0x3).format, 'tpm1.2');
  assert.match(decodeRc(0x503).name, /vendor/);
});

test('describeRc and TpmResponseError name the command, code and position', () => {
  assert.equal(describeRc(0x1c4), 'TPM_RC_VALUE (0x000001c4) on parameter 1');
  const e = new TpmResponseError('PCR_Extend', 0x98e);
  assert.equal(e.message, 'TPM2_PCR_Extend failed: TPM_RC_AUTH_FAIL (0x0000098e) on session 1');
  assert.equal(e.decoded.base, 0x8e);
});
