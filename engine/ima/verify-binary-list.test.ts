/**
 * The fast binary-list verifier (buffer and chunked file) against the vectors' expected values
 * and, differentially, against parseBinaryList + verifyList: same counts, mismatches, every PCR
 * of every bank, same trailing bytes, same error for malformed lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { vectorPath } from '../../test/helpers/repo.js';
import { buildEntry } from './entry-builder.js';
import { hashBytes } from './hash-algo.js';
import { loadList } from './io/load-list.js';
import { verifyBinaryListFile, verifyListFile } from './io/verify-list-file.js';
import { parseBinaryList, writeBinaryList } from './measurement-list-binary.js';
import { verifyList, type ListVerification } from './pcr-replay.js';
import type { TemplateEntry } from './template-entry.js';
import { verifyBinaryList } from './verify-binary-list.js';

const BANKS = ['sha1', 'sha256', 'sha384', 'sha512'];
const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-fast-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

/** Comparable form of a result: counts, mismatches, every touched PCR of every bank in hex. */
function summary(v: ListVerification, banks: readonly string[]): unknown {
  const pcrs = banks.map((b) =>
    v.pcrs.indexes(b).map((i) => `${b}/${i}=${v.pcrs.get(b, i).toString('hex')}`)
  );
  return {
    entries: v.entries,
    ok: v.templateDigestOk,
    violations: v.violations,
    mismatches: v.mismatches,
    pcrs,
  };
}

/** Outcome of a verification: its summary and trailing bytes, or the error message it threw. */
async function outcomes(
  list: Buffer,
  logBank: string,
  banks: string[],
  paddedSha1: boolean
): Promise<unknown[]> {
  const size = logBank === 'sha1' ? 20 : 32;
  const run = async (
    f: () => Promise<{ v: ListVerification; trailing: number }>
  ): Promise<unknown> => {
    try {
      const r = await f();
      return { ...(summary(r.v, banks) as object), trailing: r.trailing };
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  };
  const file = join(dir, `list-${fileNo++}`);
  writeFileSync(file, list);
  return [
    await run(async () => {
      const p = parseBinaryList(list, size);
      return {
        v: verifyList(p.entries, logBank, banks, { paddedSha1 }),
        trailing: p.trailingBytes,
      };
    }),
    await run(async () => {
      const v = verifyBinaryList(list, logBank, banks, { paddedSha1 });
      return { v, trailing: v.trailingBytes };
    }),
    await run(async () => {
      const v = verifyBinaryListFile(file, logBank, banks, { paddedSha1 });
      return { v, trailing: v.trailingBytes };
    }),
  ];
}

async function assertSame(
  list: Buffer,
  logBank: string,
  banks: string[],
  paddedSha1 = false
): Promise<unknown> {
  const [generic, fast, file] = await outcomes(list, logBank, banks, paddedSha1);
  assert.deepEqual(fast, generic, 'verifyBinaryList');
  assert.deepEqual(file, generic, 'verifyBinaryListFile');
  return generic;
}

const BIN_VECTORS = [
  'ibmtss/imatest.log',
  'tpm2-tss/sml-ima-ng-sha1.bin',
  'tpm2-tss/sml-ima-sha1.bin',
  'tpm2-tss/sml-ima-sig-sha256.bin',
  'tpm2-tss/sml-ima-sha1-invalidated.bin',
  'tpm2-tss/sml-ima-sig-sha256-invalidated.bin',
];
const expected = JSON.parse(readFileSync(vectorPath('ima/expected.json'), 'utf8')) as {
  files: Record<
    string,
    {
      entries: number;
      template_digest_ok: number;
      violations?: number;
      computed: { pcr10: Record<string, string> };
    }
  >;
};

for (const file of BIN_VECTORS) {
  test(`fast path, vector ${file}: counts and PCR 10 per bank as expected.json`, async () => {
    const exp = expected.files[file]!;
    const buf = readFileSync(vectorPath(`ima/${file}`));
    await assertSame(buf, 'sha1', BANKS);
    const v = verifyBinaryList(buf, 'sha1', BANKS);
    assert.deepEqual(
      [v.entries, v.templateDigestOk, v.violations],
      [exp.entries, exp.template_digest_ok, exp.violations ?? 0]
    );
    for (const [bank, hex] of Object.entries(exp.computed.pcr10))
      assert.equal(v.pcrs.get(bank, 10).toString('hex'), hex, bank);
  });
}

test('fast path: the malformed vector fails as parseBinaryList does (record 1, data length 49)', async () => {
  const out = await assertSame(
    readFileSync(vectorPath('ima/tpm2-tss/sml-ima-ng-sha1-invalidated.bin')),
    'sha1',
    BANKS
  );
  assert.match(
    String(out),
    /^MeasurementListError: record 1 \(offset 0\): template data length 49/
  );
});

const TEMPLATES = ['ima', 'ima-ng', 'ima-sig', 'ima-buf', 'ima-ns', 'd-ng|sig', 'evm-sig'];

/** `n` entries cycling through templates, PCRs 10/11, a violation every 7th; ima-buf data of `big` bytes. */
function entries(n: number, big = 0): TemplateEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const t = TEMPLATES[i % TEMPLATES.length]!;
    const name = `/usr/bin/tool-${i}${i % 5 === 0 ? '-' + 'x'.repeat(300) : ''}`;
    return buildEntry(i % 3 === 0 ? 11 : 10, t, {
      algo: 'sha256',
      digest: hashBytes('sha256', Buffer.from(name)),
      name,
      sha1Digest: hashBytes('sha1', Buffer.from(name)),
      buf: Buffer.alloc(big || 3, i & 0xff),
      nsId: Buffer.alloc(16, i),
      uid: i,
      mode: 0o755,
      violation: i % 7 === 6,
    });
  });
}

for (const [logBank, size] of [
  ['sha1', 20],
  ['sha256', 32],
] as const) {
  for (const padded of [false, true]) {
    test(`fast path equals parse + verifyList: ${logBank} list, every template${padded ? ', padded SHA-1 replay' : ''}`, async () => {
      const list = writeBinaryList(entries(60), logBank, size);
      const out = (await assertSame(list, logBank, BANKS, padded)) as {
        ok: number;
        violations: number;
      };
      assert.deepEqual([out.ok, out.violations], [52, 8]);
    });
  }
}

/** Offset of each record of a list (its PCR field), from the parsed logged digests. */
function recordStarts(list: Buffer, size = 20): number[] {
  return parseBinaryList(list, size).entries.map(
    (e) => e.loggedDigest!.byteOffset - list.byteOffset - 4
  );
}

test('fast path: a wrong logged digest is a mismatch naming its record and both digests', async () => {
  const bad = Buffer.from(writeBinaryList(entries(10), 'sha1', 20));
  const at = recordStarts(bad)[3]! + 4;
  bad[at] = bad[at]! ^ 1;
  const out = (await assertSame(bad, 'sha1', ['sha1'])) as { mismatches: unknown[] };
  const computed = hashBytes('sha1', parseBinaryList(bad).entries[3]!.templateData).toString('hex');
  assert.deepEqual(out.mismatches, [
    { record: 4, logged: bad.toString('hex', at, at + 20), computed },
  ]);
});

test('chunked file: records larger than a chunk, straddling chunks, trailing bytes', async () => {
  const list = writeBinaryList(entries(40, 700 * 1024), 'sha1', 20);
  assert.ok(list.length > 2 * 1024 * 1024);
  await assertSame(list, 'sha1', ['sha1', 'sha256']);
  const out = (await assertSame(Buffer.concat([list, Buffer.from([0x0a])]), 'sha1', BANKS)) as {
    trailing: number;
  };
  assert.equal(out.trailing, 1);
});

test('chunked file: a malformed record past the first chunks fails naming its record and offset', async () => {
  const list = writeBinaryList(entries(5000), 'sha1', 20);
  assert.ok(list.length > 512 * 1024);
  const starts = recordStarts(list);
  const cut = list.subarray(0, list.length - 3);
  const out = await assertSame(cut, 'sha1', BANKS);
  assert.ok(
    String(out).startsWith(
      `MeasurementListError: record 5000 (offset ${starts[4999]}): template data length`
    )
  );
  const n = starts.findIndex((o) => o > 400 * 1024);
  const zeroName = Buffer.from(list);
  zeroName.writeUInt32LE(0, starts[n]! + 24);
  const msg = `MeasurementListError: record ${n + 1} (offset ${starts[n]}): template name length 0 is invalid`;
  assert.ok(String(await assertSame(zeroName, 'sha1', BANKS)).startsWith(msg));
});

test('verifyListFile detects the format and equals loadList + verifyList, ASCII and binary', async () => {
  for (const [file, format] of [
    ['ima-evm-utils/test_ascii_runtime_measurements', 'ascii'],
    ['tpm2-tss/sml-ima-sig-sha256.bin', 'binary'],
  ]) {
    const path = vectorPath(`ima/${file}`);
    const list = await loadList(path, 'sha1');
    const v = await verifyListFile(path, 'sha1', BANKS);
    assert.equal(v.format, format, file);
    assert.equal(v.trailingBytes, list.trailingBytes);
    assert.deepEqual(
      summary(v, BANKS),
      summary(verifyList(list.entries, 'sha1', BANKS), BANKS),
      file
    );
  }
});

test('property: any corruption of a list gives the same outcome on all three paths', async () => {
  const list = writeBinaryList(entries(14), 'sha1', 20);
  const runs = Number(process.env['TSEM_FUZZ_RUNS'] ?? 100);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(list.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(list.length),
      async (edits, cutAt) => {
        const bad = Buffer.from(list.subarray(0, Math.max(cutAt, list.length - 40)));
        for (const [at, byte] of edits) if (at < bad.length) bad[at] = byte;
        await assertSame(bad, 'sha1', ['sha1', 'sha256']);
      }
    ),
    { numRuns: runs }
  );
});
