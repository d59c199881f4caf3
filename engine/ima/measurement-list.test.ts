import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEntry } from './entry-builder.js';
import { hashBytes } from './hash-algo.js';
import { parseAsciiLine } from './measurement-list-ascii.js';
import {
  MeasurementListError,
  parseBinaryList,
  writeBinaryList,
} from './measurement-list-binary.js';
import { verifyList } from './pcr-replay.js';

// ima.md §1.2 worked example: ima-ng boot_aggregate of a TPM-less SHA-1 system.
const BOOT_NG =
  '10 1d8d532d463c9f8c205d0df7787669a85f93e260 ima-ng sha1:0000000000000000000000000000000000000000 boot_aggregate';

const BOOT_NG_DIGEST = '1d8d532d463c9f8c205d0df7787669a85f93e260';

test('ASCII: the worked example re-derives its template digest and PCR 10 (ima.md §1.2)', () => {
  const e = parseAsciiLine(BOOT_NG, 1);
  assert.equal(hashBytes('sha1', e.templateData).toString('hex'), BOOT_NG_DIGEST);
  const v = verifyList([e], 'sha1', ['sha1']);
  assert.equal(v.pcrs.get('sha1', 10).toString('hex'), '75103fd9bb3bb21b28a3d2ddf0d2576bd7f7a17e');
});

test('ASCII: empty sig field and %2d PCR survive a rebuild', () => {
  const e = buildEntry(1, 'ima-sig', { algo: 'sha256', digest: Buffer.alloc(32), name: '/a b' });
  const line = parseAsciiLine(
    `${' 1'} ${hashBytes('sha1', e.templateData).toString('hex')} ima-sig sha256:${'00'.repeat(32)} /a_b `,
    1
  );
  assert.deepEqual(line.templateData, e.templateData);
});

const INVALID_ASCII: Record<string, string> = {
  'not a line': 'this is text not an ima entry',
  'unknown template': '10 ' + '00'.repeat(20) + ' ima-xx sha1:' + '00'.repeat(20) + ' /a',
  'missing field': '10 ' + '11'.repeat(20) + ' ima-sig sha1:' + '00'.repeat(20) + ' /a',
  'digest size vs algo': '10 ' + '11'.repeat(20) + ' ima-ng sha256:' + '00'.repeat(31) + ' /a',
  'template digest size vs bank':
    '10 ' + '11'.repeat(32) + ' ima-ng sha1:' + '00'.repeat(20) + ' /a',
  'odd hex sig': '10 ' + '11'.repeat(20) + ' ima-sig sha1:' + '00'.repeat(20) + ' /a 030',
};

for (const [name, line] of Object.entries(INVALID_ASCII)) {
  test(`ASCII rejects: ${name}`, () => {
    assert.throws(
      () => parseAsciiLine(line, 7),
      (e: unknown) =>
        e instanceof MeasurementListError && e.record === 7 && /record 7/.test(e.message)
    );
  });
}

test('binary: write then parse gives the same bytes and digests, every template', () => {
  const entries = ['ima', 'ima-ng', 'ima-sig', 'ima-buf', 'ima-ns', 'd-ng|sig'].map((t) =>
    buildEntry(10, t, {
      algo: 'sha1',
      digest: hashBytes('sha1', Buffer.from(t)),
      name: `/bin/${t}`,
      buf: Buffer.from('x'),
      nsId: Buffer.alloc(16, 7),
    })
  );
  const bin = writeBinaryList(entries, 'sha256', 32);
  const back = parseBinaryList(bin, 32);
  assert.equal(back.trailingBytes, 0);
  assert.deepEqual(
    back.entries.map((e) => e.templateName),
    entries.map((e) => e.templateName)
  );
  const v = verifyList(back.entries, 'sha256', ['sha256']);
  assert.equal(v.templateDigestOk, entries.length);
  assert.deepEqual(
    v.pcrs.get('sha256', 10),
    verifyList(entries, 'sha256', ['sha256']).pcrs.get('sha256', 10)
  );
});

test('binary: a violation has a zero digest and extends 0xFF', () => {
  const viol = buildEntry(10, 'ima-ng', {
    algo: 'sha256',
    digest: Buffer.alloc(32),
    name: '/f',
    violation: true,
  });
  const back = parseBinaryList(writeBinaryList([viol], 'sha1', 20)).entries[0]!;
  assert.equal(back.violation, true);
  const expected = hashBytes('sha1', Buffer.alloc(20), Buffer.alloc(20, 0xff));
  assert.deepEqual(verifyList([back], 'sha1', ['sha1']).pcrs.get('sha1', 10), expected);
});

const good = writeBinaryList(
  [buildEntry(10, 'ima-ng', { algo: 'sha1', digest: Buffer.alloc(20, 1), name: '/a' })],
  'sha1',
  20
);
const INVALID_BINARY: Record<string, Buffer> = {
  'data length past the end': good.subarray(0, good.length - 1),
  'zero name length': Buffer.concat([good.subarray(0, 24), Buffer.alloc(4), good.subarray(28)]),
  'unknown template name': Buffer.from(good).fill(0x7a, 28, 34),
};

for (const [name, buf] of Object.entries(INVALID_BINARY)) {
  test(`binary rejects: ${name}`, () => {
    assert.throws(
      () => parseBinaryList(Buffer.concat([good, buf])),
      (e: unknown) => e instanceof MeasurementListError && e.record === 2
    );
  });
}

test('binary: a fragment shorter than a record header is reported, not parsed', () => {
  const p = parseBinaryList(Buffer.concat([good, Buffer.from([0x0a])]));
  assert.equal(p.entries.length, 1);
  assert.equal(p.trailingBytes, 1);
});
