/**
 * Fuzzing every parser of outside input (fast-check): kernel JSON lines (raw, cached, structured),
 * gRPC messages as the server decodes them, IMA ascii and binary lists, IMA policies, Keylime
 * runtime policies, model files, attestation reports and identities files. Inputs are random
 * bytes and text, and mutations of real samples (byte flips, cuts, splices, control bytes). Each
 * case must return or throw the parser's own error with a message that names what was wrong in
 * escaped form: any other exception is a crash, and a case slower than HANG_MS is a hang.
 * Run counts: TSEM_FUZZ_RUNS (test/helpers/fuzz.ts; small in CI). Totals print at the end.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { EngineError } from '../../common/errors.js';
import { parseReport } from '../../engine/attest/parse-report.js';
import { parseModelFile } from '../../engine/contour/model-file.js';
import { EventParseCache } from '../../engine/event/parse-cache.js';
import { parseRecordLine } from '../../engine/event/parse-json.js';
import { MeasurementListError } from '../../engine/ima/binary-list-scan.js';
import { parseRuntimePolicy, RuntimePolicyError } from '../../engine/ima/keylime-policy.js';
import { parseAsciiList } from '../../engine/ima/measurement-list-ascii.js';
import { parseBinaryList } from '../../engine/ima/measurement-list-binary.js';
import { parsePolicy, PolicyError } from '../../engine/ima/policy-parse.js';
import { createDigest } from '../../engine/measure/digest.js';
import { parseAuthFile } from '../../engine/server/auth.js';
import { eventFromWire } from '../../engine/server/wire.js';
import { protoPath } from '../../proto/load.js';
import type { Event__Output } from '../../proto/gen/tsem/v1/Event.js';
import { fuzzRuns } from '../helpers/fuzz.js';
import { repoRoot, vectorPath } from '../helpers/repo.js';

/** A case slower than this counts as a hang (the parsers take microseconds). */
const HANG_MS = 2000;

interface Tally {
  cases: number;
  rejected: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
}
const tallies = new Map<string, Tally>();

after(() => {
  const rows = [...tallies].map(
    ([name, t]) =>
      `${name}: ${t.cases} cases, ${t.rejected} rejected with a clear error, ${t.crashes} crashes, ${t.hangs} hangs, slowest ${t.slowestMs.toFixed(1)} ms`
  );
  const sum = (k: keyof Tally) => [...tallies.values()].reduce((n, t) => n + t[k], 0);
  rows.push(`total: ${sum('cases')} cases, ${sum('crashes')} crashes, ${sum('hangs')} hangs`);
  process.stdout.write(`# fuzz\n${rows.map((r) => `#   ${r}`).join('\n')}\n`);
});

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs one parser on one input: it returns, or throws one of `expected` with a clear message (not
 * empty, no raw control characters). Anything else fails the property, and is counted.
 */
function check(name: string, expected: readonly ErrorClass[], run: () => unknown): boolean {
  const t = tallies.get(name) ?? { cases: 0, rejected: 0, crashes: 0, hangs: 0, slowestMs: 0 };
  tallies.set(name, t);
  t.cases++;
  const start = performance.now();
  let ok = true;
  try {
    run();
  } catch (err) {
    if (expected.some((c) => err instanceof c)) {
      const msg = (err as Error).message;
      t.rejected++;
      if (msg.length === 0 || /[\x00-\x1f\x7f]/.test(msg)) {
        t.crashes++;
        ok = false;
      }
    } else {
      t.crashes++;
      ok = false;
    }
  }
  const ms = performance.now() - start;
  t.slowestMs = Math.max(t.slowestMs, ms);
  if (ms > HANG_MS) {
    t.hangs++;
    ok = false;
  }
  return ok;
}

/** Random bytes, or a real sample mutated: bytes flipped, cut, spliced, control bytes inserted. */
function bytesLike(samples: readonly Buffer[], maxLength = 4096): fc.Arbitrary<Buffer> {
  const mutated = fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(
        fc.record({
          at: fc.nat(),
          op: fc.constantFrom('flip', 'cut', 'insert', 'dup'),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        { maxLength: 8 }
      )
    )
    .map(([sample, edits]) => {
      let b = Buffer.from(sample.subarray(0, maxLength * 4));
      for (const e of edits) {
        const at = b.length === 0 ? 0 : e.at % b.length;
        if (e.op === 'flip' && b.length > 0) b[at] = e.byte;
        else if (e.op === 'cut') b = b.subarray(0, at);
        else if (e.op === 'insert')
          b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte & 0x1f]), b.subarray(at)]);
        else b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + 64), b.subarray(at)]);
      }
      return b;
    });
  const random = fc.uint8Array({ maxLength }).map((u) => Buffer.from(u));
  return fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: random, weight: 1 });
}

const text = (samples: readonly Buffer[]) => bytesLike(samples).map((b) => b.toString('utf8'));
const read = (p: string) => readFileSync(vectorPath(p));
const sha256 = createDigest('sha256');
const runs = (n: number) => ({ numRuns: fuzzRuns(n) });

const KERNEL_LINES = [
  ...readFileSync(vectorPath('tsem/tv11-forensics.json')).toString('utf8').split('\n'),
  readFileSync(vectorPath('tsem/tv9-export-record.json'), 'utf8'),
  readFileSync(vectorPath('tsem/raw-control-bytes/event.jsonl'), 'latin1'),
  ...(
    JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
      vectors: { line: string }[];
    }
  ).vectors.map((v) => v.line),
]
  .filter((l) => l.trim() !== '')
  .map((l) => Buffer.from(l, 'latin1'));

test('fuzz: kernel JSON lines (full parser and the parse cache)', () => {
  const cache = new EventParseCache(32);
  fc.assert(
    fc.property(bytesLike(KERNEL_LINES), (line) => {
      const opts = { digestSize: 32, lineNumber: 7, source: 'fuzz' };
      return (
        check('kernel JSON', [EngineError], () => parseRecordLine(line, opts)) &&
        check('kernel JSON (cache)', [EngineError], () => cache.parseLine(line, opts))
      );
    }),
    runs(20_000)
  );
});

test('fuzz: gRPC Ingest messages as the server decodes and parses them', () => {
  // Field names as the proto spells them, as grpc-js (proto-loader keepCase) gives them to the server.
  const root = new protobuf.Root().loadSync(protoPath(), { keepCase: true });
  const Request = root.lookupType('tsem.v1.IngestRequest');
  const toObject = (m: protobuf.Message) =>
    Request.toObject(m, {
      longs: String,
      enums: String,
      bytes: Buffer,
      defaults: true,
      oneofs: true,
    }) as {
      batch?: { events: Event__Output[] };
    };
  const sample = Buffer.from(
    Request.encode(
      Request.fromObject({
        batch: {
          batch_id: 1,
          events: [
            { namespace: 'web', kernel_json: KERNEL_LINES[0] },
            {
              namespace: 'web',
              structured: {
                header: { pid: '1', process: 'sh', type: 'file_open' },
                coe: {
                  uid: '0',
                  euid: '0',
                  suid: '0',
                  gid: '0',
                  egid: '0',
                  sgid: '0',
                  fsuid: '0',
                  fsgid: '0',
                  capeff: '0x0',
                },
                cell_json: Buffer.from('{"file": {"flags": "0"}}'),
              },
            },
          ],
        },
      })
    ).finish()
  );
  const cache = new EventParseCache(32);
  fc.assert(
    fc.property(bytesLike([sample]), (bytes) => {
      let msg: ReturnType<typeof toObject>;
      try {
        msg = toObject(Request.decode(bytes));
      } catch {
        return true; // not a message: grpc-js answers the call with an error before our code runs
      }
      return (msg.batch?.events ?? []).every((e, i) =>
        check('gRPC events', [EngineError], () => {
          const incoming = eventFromWire(e, i);
          const opts = { digestSize: 32, source: 'fuzz' };
          if ('line' in incoming) cache.parseLine(incoming.line, opts);
          else if ('structured' in incoming) cache.parseStructured(incoming.structured, opts);
        })
      );
    }),
    runs(5000)
  );
});

test('fuzz: IMA ascii and binary measurement lists', () => {
  const ascii = [
    read('ima/ima-evm-utils/test_ascii_runtime_measurements'),
    read('ima/keylime/test_ima_dm_entries.ascii'),
    read('ima/lkml-ima-ns-rfc/ima-ns-rfc-v1-sample.ascii'),
  ];
  const binary = [
    read('ima/tpm2-tss/sml-ima-ng-sha1.bin'),
    read('ima/tpm2-tss/sml-ima-sig-sha256.bin'),
  ];
  fc.assert(
    fc.property(text(ascii), (t) =>
      check('IMA ascii list', [MeasurementListError], () => parseAsciiList(t))
    ),
    runs(3000)
  );
  fc.assert(
    fc.property(bytesLike(binary), (b) =>
      check('IMA binary list', [MeasurementListError], () => parseBinaryList(b))
    ),
    runs(3000)
  );
});

test('fuzz: IMA policies and Keylime runtime policies', () => {
  const policies = ['tcb', 'appraise_tcb', 'secure_boot'].map((n) =>
    readFileSync(`${repoRoot()}/policies/ima/${n}`)
  );
  policies.push(read('ima/rust-keylime/ima-policy'));
  fc.assert(
    fc.property(text(policies), (t) => check('IMA policy', [PolicyError], () => parsePolicy(t))),
    runs(3000)
  );
  fc.assert(
    fc.property(text([read('ima/keylime/runtime-policy.json')]), (t) =>
      check('Keylime runtime policy', [RuntimePolicyError], () => parseRuntimePolicy(t))
    ),
    runs(2000)
  );
});

test('fuzz: model files, attestation reports and identities files', () => {
  const model = Buffer.from(
    `# tsem: digest sha256\nkey AAAA\naggregate ${'ab'.repeat(32)}\nstate ${'01'.repeat(32)}\npseudonym ${'02'.repeat(32)}\nseal\nend\nsignature AAAA\n`
  );
  fc.assert(
    fc.property(text([model, read('tsem/tv10-head.model')]), (t) =>
      check('model file', [EngineError], () => parseModelFile(t, sha256, 'fuzz'))
    ),
    runs(3000)
  );
  const report = Buffer.from(
    JSON.stringify({
      version: 1,
      namespace: 'root',
      digest: 'sha256',
      aggregate: '00'.repeat(32),
      base: '00'.repeat(32),
      measurement: '11'.repeat(32),
      state: '22'.repeat(32),
      points: 3,
      forensics: 0,
      mode: 'enforce',
      nonce: 'aa'.repeat(16),
      agentKey: 'AAAA',
      quote: {
        akPublic: '00',
        attest: '00',
        signature: { r: '00', s: '00' },
        bank: 'sha256',
        pcrs: { '10': '00' },
      },
      signature: 'AAAA',
    })
  );
  fc.assert(
    fc.property(text([report]), (t) =>
      check('attestation report', [EngineError], () => parseReport(t, 'fuzz'))
    ),
    runs(3000)
  );
  const ids = Buffer.from(
    JSON.stringify({
      identities: [
        { name: 'ops', token_sha256: 'ab'.repeat(32), roles: ['admin'], namespaces: ['*'] },
        { name: 'w', cert_cn: 'watcher', roles: ['viewer'], namespaces: ['web'], hosts: ['h'] },
      ],
      anonymous: { roles: ['viewer'] },
    })
  );
  const base = { tokens: new Map(), certs: new Map() };
  fc.assert(
    fc.property(text([ids]), (t) =>
      check('identities file', [EngineError], () => parseAuthFile(t, 'fuzz', base))
    ),
    runs(3000)
  );
});

test('fuzz: no parser crashed or hung', () => {
  for (const [name, t] of tallies) {
    assert.equal(t.crashes, 0, `${name} crashed`);
    assert.equal(t.hangs, 0, `${name} hung`);
  }
});
