import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { decodeSockaddr } from './sockaddr.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// BEGIN TEST DATA: saddr hex as audit prints it (hand-written; layouts of struct sockaddr_*)
const VALID: Record<string, { saddr: string; family: number; addr: object }> = {
  'inet-loopback-80': {
    saddr: '020000507F0000010000000000000000',
    family: 2,
    addr: { af_inet: { port: '80', address: '127.0.0.1' } },
  },
  'inet-high-port': {
    saddr: '0200C350C0A801FE0000000000000000',
    family: 2,
    addr: { af_inet: { port: '50000', address: '192.168.1.254' } },
  },
  'inet6-loopback': {
    saddr: '0A001F90000000000000000000000000000000000000000100000000',
    family: 10,
    addr: { af_inet6: { port: '8080', flow: '0', scope: '0', address: `${'00'.repeat(15)}01` } },
  },
  'inet6-scoped-flow': {
    saddr: '0A0001BB00012345FE80000000000000000000000000000102000000',
    family: 10,
    addr: {
      af_inet6: {
        port: '443',
        flow: String(0x12345),
        scope: '2',
        address: 'fe800000000000000000000000000001',
      },
    },
  },
  'unix-path': {
    saddr: '01002F72756E2F646275732F73797374656D5F6275735F736F636B657400',
    family: 1,
    addr: { af_unix: { address: '/run/dbus/system_bus_socket' } },
  },
  'unix-abstract': {
    saddr: '0100002F746D702F2E5831312D756E69782F5830',
    family: 1,
    addr: { af_unix: { address: '@/tmp/.X11-unix/X0' } },
  },
  'netlink-other': {
    saddr: '100000000000000000000000',
    family: 16,
    addr: { af_other: { address: sha256(Buffer.from('00000000000000000000', 'hex')) } },
  },
};
const INVALID: Record<string, string> = {
  'odd-length': '02000',
  'not-hex': 'zz00',
  'short-inet': '02000050',
  'too-short': '02',
};
// END TEST DATA

for (const [name, c] of Object.entries(VALID)) {
  test(`saddr decodes: ${name}`, () => {
    const r = decodeSockaddr(c.saddr, sha256);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.value.family, c.family);
    assert.deepEqual(r.value.addr, c.addr);
  });
}

for (const [name, saddr] of Object.entries(INVALID)) {
  test(`saddr is rejected with a reason: ${name}`, () => {
    const r = decodeSockaddr(saddr, sha256);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /expected|needs/);
  });
}
