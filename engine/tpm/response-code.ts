/**
 * Decoding TPM 2.0 response codes (TPM 2.0 Library Part 2 §6.6, Figures 26-27):
 *   bit 7 set            -> format 1: error number in bits 0-5 (base TPM_RC_FMT1 = 0x080);
 *                           bit 6 set: parameter number in bits 8-11;
 *                           else bit 11 set: session number in bits 8-10; else handle number.
 *   bit 7 clear, bit 8 clear -> a TPM 1.2 code.
 *   bit 7 clear, bit 8 set   -> format 0: bit 10 vendor, bit 11 warning (TPM_RC_WARN = 0x900,
 *                           else TPM_RC_VER1 = 0x100), number in bits 0-6.
 */
import { EngineError } from '../../common/errors.js';

const FMT1: Record<number, string> = {
  0x01: 'ASYMMETRIC',
  0x02: 'ATTRIBUTES',
  0x03: 'HASH',
  0x04: 'VALUE',
  0x05: 'HIERARCHY',
  0x07: 'KEY_SIZE',
  0x08: 'MGF',
  0x09: 'MODE',
  0x0a: 'TYPE',
  0x0b: 'HANDLE',
  0x0c: 'KDF',
  0x0d: 'RANGE',
  0x0e: 'AUTH_FAIL',
  0x0f: 'NONCE',
  0x10: 'PP',
  0x12: 'SCHEME',
  0x15: 'SIZE',
  0x16: 'SYMMETRIC',
  0x17: 'TAG',
  0x18: 'SELECTOR',
  0x1a: 'INSUFFICIENT',
  0x1b: 'SIGNATURE',
  0x1c: 'KEY',
  0x1d: 'POLICY_FAIL',
  0x1f: 'INTEGRITY',
  0x20: 'TICKET',
  0x21: 'RESERVED_BITS',
  0x22: 'BAD_AUTH',
  0x23: 'EXPIRED',
  0x24: 'POLICY_CC',
  0x25: 'BINDING',
  0x26: 'CURVE',
  0x27: 'ECC_POINT',
};

const VER1: Record<number, string> = {
  0x00: 'INITIALIZE',
  0x01: 'FAILURE',
  0x03: 'SEQUENCE',
  0x0b: 'PRIVATE',
  0x19: 'HMAC',
  0x20: 'DISABLED',
  0x21: 'EXCLUSIVE',
  0x24: 'AUTH_TYPE',
  0x25: 'AUTH_MISSING',
  0x26: 'POLICY',
  0x27: 'PCR',
  0x28: 'PCR_CHANGED',
  0x2d: 'UPGRADE',
  0x2e: 'TOO_MANY_CONTEXTS',
  0x2f: 'AUTH_UNAVAILABLE',
  0x30: 'REBOOT',
  0x31: 'UNBALANCED',
  0x42: 'COMMAND_SIZE',
  0x43: 'COMMAND_CODE',
  0x44: 'AUTHSIZE',
  0x45: 'AUTH_CONTEXT',
  0x46: 'NV_RANGE',
  0x47: 'NV_SIZE',
  0x48: 'NV_LOCKED',
  0x49: 'NV_AUTHORIZATION',
  0x4a: 'NV_UNINITIALIZED',
  0x4b: 'NV_SPACE',
  0x4c: 'NV_DEFINED',
  0x50: 'BAD_CONTEXT',
  0x51: 'CPHASH',
  0x52: 'PARENT',
  0x53: 'NEEDS_TEST',
  0x54: 'NO_RESULT',
  0x55: 'SENSITIVE',
};

const WARN: Record<number, string> = {
  0x01: 'CONTEXT_GAP',
  0x02: 'OBJECT_MEMORY',
  0x03: 'SESSION_MEMORY',
  0x04: 'MEMORY',
  0x05: 'SESSION_HANDLES',
  0x06: 'OBJECT_HANDLES',
  0x07: 'LOCALITY',
  0x08: 'YIELDED',
  0x09: 'CANCELED',
  0x0a: 'TESTING',
  0x20: 'NV_RATE',
  0x21: 'LOCKOUT',
  0x22: 'RETRY',
  0x23: 'NV_UNAVAILABLE',
};
for (let i = 0; i < 7; i++) {
  WARN[0x10 + i] = `REFERENCE_H${i}`;
  WARN[0x18 + i] = `REFERENCE_S${i}`;
}

export interface DecodedRc {
  readonly rc: number;
  /** `TPM_RC_<NAME>`, or a numeric description for codes we do not name. */
  readonly name: string;
  readonly format: 0 | 1 | 'tpm1.2';
  readonly warning: boolean;
  /** The base code with the parameter/handle/session number removed (e.g. 0x1c4 -> 0x084 for VALUE). */
  readonly base: number;
  readonly parameter?: number;
  readonly handle?: number;
  readonly session?: number;
}

export const TPM_RC_SUCCESS = 0;
export const TPM_RC_INITIALIZE = 0x100;
export const TPM_RC_FAILURE = 0x101;

export function decodeRc(rc: number): DecodedRc {
  if (rc & 0x80) {
    const num = rc & 0x3f;
    const name = `TPM_RC_${FMT1[num] ?? `FMT1_0x${num.toString(16)}`}`;
    const base = 0x80 | num;
    if (rc & 0x40) return { rc, name, format: 1, warning: false, base, parameter: (rc >> 8) & 0xf };
    if (rc & 0x800) return { rc, name, format: 1, warning: false, base, session: (rc >> 8) & 0x7 };
    const handle = (rc >> 8) & 0x7;
    return handle
      ? { rc, name, format: 1, warning: false, base, handle }
      : { rc, name, format: 1, warning: false, base };
  }
  if (!(rc & 0x100))
    return {
      rc,
      name: `TPM 1.2 response code 0x${rc.toString(16)}`,
      format: 'tpm1.2',
      warning: false,
      base: rc,
    };
  const num = rc & 0x7f;
  const warning = (rc & 0x800) !== 0;
  if (rc & 0x400)
    return {
      rc,
      name: `vendor-defined response code 0x${rc.toString(16)}`,
      format: 0,
      warning,
      base: rc,
    };
  const table = warning ? WARN : VER1;
  const name = `TPM_RC_${table[num] ?? `${warning ? 'WARN' : 'VER1'}_0x${num.toString(16)}`}`;
  return { rc, name, format: 0, warning, base: rc & 0xfff };
}

/** One line such as `TPM_RC_VALUE (0x000001c4) on parameter 1`. */
export function describeRc(rc: number): string {
  const d = decodeRc(rc);
  const hex = `0x${rc.toString(16).padStart(8, '0')}`;
  const where =
    d.parameter !== undefined
      ? ` on parameter ${d.parameter}`
      : d.handle !== undefined
        ? ` on handle ${d.handle}`
        : d.session !== undefined
          ? ` on session ${d.session}`
          : '';
  return `${d.name} (${hex})${where}${d.warning ? ' [warning]' : ''}`;
}

/** A TPM answered a command with a non-zero response code. */
export class TpmResponseError extends EngineError {
  readonly rc: number;
  readonly decoded: DecodedRc;
  constructor(
    readonly command: string,
    rc: number
  ) {
    super('TSEM_UNAVAILABLE', `TPM2_${command} failed: ${describeRc(rc)}`);
    this.rc = rc;
    this.decoded = decodeRc(rc);
  }
}
