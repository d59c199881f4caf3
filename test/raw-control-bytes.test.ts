/**
 * Kernel lines with raw control bytes in JSON strings (real TSEM kernels print pathnames
 * unescaped): they hash to the coefficient of their raw bytes, computed outside the engine
 * (test/vectors/tsem/raw-control-bytes/make.sh), and files holding them build completely. Lines
 * that are not JSON even leniently are reported by line number and the rest is processed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseRecordLine } from '../engine/event/parse-json.js';
import { EventParseCache } from '../engine/event/parse-cache.js';
import { repairKernelJson } from '../engine/event/lenient-json.js';
import { createDigest } from '../engine/measure/digest.js';
import { Mapper } from '../engine/measure/mapper.js';
import { createNamespaceConfig, NamespaceModel } from '../engine/ns/namespace-model.js';
import { runCli } from './helpers/cli.js';
import { vectorPath } from './helpers/repo.js';

const dir = mkdtempSync(join(tmpdir(), 'tsem-rawctl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = readFileSync(vectorPath('tsem/raw-control-bytes/event.jsonl')).subarray(0, -1);
const expected = new Map(
  readFileSync(vectorPath('tsem/raw-control-bytes/expected.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ') as [string, string])
);
const mapper = new Mapper(createDigest('sha256'));
const RAW_PATH = Buffer.from('/tmp/a\x01b\x1b[31mred\x1b[0m\tc\x1fd\x7fe', 'latin1');

test('the vector line really holds raw control bytes that strict JSON refuses', () => {
  assert.ok(line.includes(RAW_PATH), 'raw pathname bytes in the line');
  assert.throws(() => JSON.parse(line.toString('latin1')), SyntaxError);
});

test('a raw-control-byte line hashes to the coefficient computed outside the engine', () => {
  for (const parse of [
    () => parseRecordLine(line, { digestSize: 32 }),
    () => new EventParseCache(32).parseLine(line, { digestSize: 32 }),
  ]) {
    const r = parse();
    assert.equal(r.kind, 'event');
    if (r.kind !== 'event') return;
    const e = r.event;
    assert.equal(e.cell.hook, 'file_open');
    if (e.cell.hook !== 'file_open') return;
    assert.deepEqual(e.cell.value.file.path.pathname, RAW_PATH);
    assert.equal(mapper.coeId(e.coe).toString('hex'), expected.get('COE_ID'));
    assert.equal(mapper.cellId(e.cell).toString('hex'), expected.get('CELL_ID'));
    const c = mapper.coefficient(e.header.type, e.header.pTaskId!, e.header.taskId!, e.coe, e.cell);
    assert.equal(c.toString('hex'), expected.get('coefficient'));
    // The stored line is strict JSON that decodes to the same bytes.
    const stored = JSON.parse(e.line) as { file_open: { file: { path: { pathname: string } } } };
    assert.equal(stored.file_open.file.path.pathname, RAW_PATH.toString('latin1'));
  }
});

test('repairKernelJson: only strings change; a lone backslash stands for itself', () => {
  assert.equal(repairKernelJson(Buffer.from('{"a": "b"}')), undefined);
  assert.equal(
    repairKernelJson(Buffer.from('{"a": "x\x01\\q\\n\\u00e9"}'))!.toString(),
    '{"a": "x\\u0001\\\\q\\n\\u00e9"}'
  );
  // Outside a string nothing is repaired: still not JSON.
  const bad = repairKernelJson(Buffer.from('{"a": \x01"b"}'));
  assert.equal(bad, undefined);
});

test('model build: a file of raw-control-byte lines builds completely', async () => {
  const tv3 = (
    JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
      vectors: { name: string; line: string; coefficient: string }[];
    }
  ).vectors.find((v) => v.name.startsWith('TV-3'))!;
  const file = join(dir, 'raw.jsonl');
  writeFileSync(
    file,
    Buffer.concat([line, Buffer.from(`\n${tv3.line}\n`), line, Buffer.from('\n')])
  );
  const r = await runCli('model', 'build', file);
  assert.equal(r.code, 0, r.err);
  const states = r.out.split('\n').filter((l) => l.startsWith('state '));
  assert.deepEqual(states, [`state ${expected.get('coefficient')}`, `state ${tv3.coefficient}`]);
});

test('model build and replay: a line that is not JSON is reported by number, the rest processed', async () => {
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(
    file,
    Buffer.concat([
      line,
      Buffer.from('\n{"event": {"type": \x01garbage\n'),
      line,
      Buffer.from('\n'),
    ])
  );
  const built = await runCli('model', 'build', file, '-o', join(dir, 'mixed.model'));
  assert.equal(built.code, 1, 'the command worked and found rejected lines');
  assert.match(built.err, /mixed\.jsonl line 2: .*expected one JSON object per line/);
  assert.match(built.err, /\\x01garbage/, 'the bad input is quoted escaped');
  assert.doesNotMatch(built.err, /\x01/);
  const model = readFileSync(join(dir, 'mixed.model'), 'utf8');
  assert.match(model, new RegExp(`state ${expected.get('coefficient')}`));

  const strict = await runCli('model', 'build', '--strict', file);
  assert.equal(strict.code, 65);
  assert.equal(strict.out, '', 'no model under --strict');

  // Replayed in enforce against an empty model: the unparsable line is denied, never allowed.
  writeFileSync(join(dir, 'empty.model'), 'end\n');
  const rep = await runCli(
    'replay',
    file,
    '--model',
    join(dir, 'empty.model'),
    '--mode',
    'enforce'
  );
  assert.match(rep.err, /line 2/);
  // The summary line names the rejected lines among its counts (digest, dialect, measurement last).
  assert.match(rep.out, /^summary .* rejected 1 /m);
  assert.match(rep.out, /denied 3 /, 'two off-contour/untrusted events and the rejected line');
});

test('a rejected line in an enforce namespace is evidence, alerted and denied', () => {
  const ns = new NamespaceModel(createNamespaceConfig({ id: 'x', mode: 'enforce' }));
  const r = ns.reject('{"event": \\x01', 'bad');
  assert.deepEqual(r, { seq: 1, alert: true, deny: true });
  assert.equal(ns.rejectedCount, 1);
  assert.equal(ns.drainChanges().rejected.length, 1);
  const learn = new NamespaceModel(createNamespaceConfig({ id: 'y' }));
  assert.deepEqual(learn.reject('x', 'bad'), { alert: false, deny: false });
});
