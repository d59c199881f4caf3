/** `# tsem:` lines: header, point notes, escaping, and the checks a load makes with them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../common/errors.js';
import type { EventDescription } from '../event/describe.js';
import { createDigest } from '../measure/digest.js';
import { formatModelFile, type ModelFile, parseModelFile } from './model-file.js';
import { readModelHeader } from './model-header.js';
import { checkModelTarget, mergeModels, pruneModel } from './model-ops.js';

const sha = createDigest('sha256');
const h = (c: string) => c.repeat(64);
const desc = (pathname: string, process = 'bash', type = 'file_open'): EventDescription => ({
  type,
  process,
  task_id: h('a'),
  p_task_id: h('b'),
  coe: { uid: '0', capeff: '0x0' },
  cell: { file: { flags: '32768', path: { pathname } } },
});
const described = (
  notes: [string, string, number?][],
  extra: Partial<ModelFile> = {}
): ModelFile => ({
  digest: 'sha256',
  comments: [],
  header: { digest: 'sha256', dialect: 'tsem-6.12', origin: 'test' },
  notes: new Map(notes.map(([hex, path, count]) => [hex, { count, description: desc(path) }])),
  aggregate: Buffer.alloc(32),
  states: notes.map(([hex]) => Buffer.from(hex, 'hex')),
  pseudonyms: [],
  sealed: false,
  ...extra,
});

test('header and notes round-trip through the file; Quixote lines follow them', () => {
  const m = described([
    [h('1'), '/etc/hosts', 3],
    [h('2'), '/usr/bin/cat'],
  ]);
  const text = formatModelFile(m);
  assert.match(
    text,
    /^# tsem: digest sha256\n# tsem: dialect tsem-6\.12\n# tsem: origin "test"\n# tsem: point 1{64} \{"count":3,"type":"file_open"/
  );
  const back = parseModelFile(text, sha);
  assert.deepEqual(back.header, { digest: 'sha256', dialect: 'tsem-6.12', origin: 'test' });
  assert.deepEqual(back.notes, m.notes);
  assert.deepEqual(back.states, m.states);
  assert.deepEqual(readModelHeader(text), { digest: 'sha256', dialect: 'tsem-6.12' });
  // Pure Quixote output carries none of it.
  const pure = formatModelFile(m, { pure: true });
  assert.doesNotMatch(pure, /tsem:/);
  assert.equal(parseModelFile(pure, sha).header, undefined);
});

test('a description holding a newline and a state line cannot add a point', () => {
  const evil = `/tmp/x\nstate ${h('e')}\n\r\u0085\u2028\u2029end`;
  const m = described([[h('1'), evil]]);
  const text = formatModelFile({
    ...m,
    header: { digest: 'sha256', origin: `o\nstate ${h('f')}` },
  });
  // Every line is either a comment or one of the model's own lines.
  const lines = text.split('\n').filter((l) => l !== '');
  assert.deepEqual(
    lines.filter((l) => !l.startsWith('#')),
    ['aggregate ' + '0'.repeat(64), `state ${h('1')}`, 'end']
  );
  for (const l of lines) assert.doesNotMatch(l, /[\r\u0085\u2028\u2029]/);
  const back = parseModelFile(text, sha);
  assert.deepEqual(
    back.states.map((s) => s.toString('hex')),
    [h('1')]
  );
  const d = back.notes!.get(h('1'))!.description!;
  assert.equal((d.cell['file'] as { path: { pathname: string } }).path.pathname, evil);
  assert.equal(back.header!.origin, `o\nstate ${h('f')}`);
});

const BAD: Record<string, [string, RegExp]> = {
  'header digest read as another': [
    `# tsem: digest sha384\nstate ${h('1')}\nend\n`,
    /line 1: the model's header names digest sha384, but it is read as sha256/,
  ],
  'unknown dialect': [
    `# tsem: dialect tsem-7\nend\n`,
    /line 1: # tsem: 'dialect' expects tsem-6\.12 or quixote-us/,
  ],
  'note after the model began': [
    `state ${h('1')}\n# tsem: point ${h('1')} {"count":1}\nend\n`,
    /line 2: '# tsem:' lines must come before the model's first line/,
  ],
  'bad JSON': [
    `# tsem: point ${h('1')} {"count":\nstate ${h('1')}\nend\n`,
    /line 1: .*not valid JSON/,
  ],
  'bad description': [
    `# tsem: point ${h('1')} {"type":"file_open","cell":{"a":[1]}}\nstate ${h('1')}\nend\n`,
    /line 1: .*'cell\.a' must be a string or an object of strings/,
  ],
  'short coefficient': [`# tsem: point ${'1'.repeat(40)} {}\nend\n`, /expected 64 for sha256/],
};
for (const [name, [text, re]] of Object.entries(BAD)) {
  test(`bad # tsem: line: ${name}`, () => {
    assert.throws(
      () => parseModelFile(text, sha, 'm'),
      (e: unknown) => e instanceof EngineError && re.test(e.message)
    );
  });
}

test('a note for a coefficient with no state line describes nothing and is dropped', () => {
  const m = parseModelFile(`# tsem: point ${h('2')} {"count":1}\nstate ${h('1')}\nend\n`, sha);
  assert.deepEqual([m.states.length, m.notes!.size], [1, 0]);
});

test('a load checks the header: another digest or dialect is an error naming both', () => {
  const target = { name: 'namespace web', digest: 'sha256', dialect: 'tsem-6.12' as const };
  assert.deepEqual(checkModelTarget(described([]), target), []);
  assert.throws(
    () => checkModelTarget(described([]), { ...target, dialect: 'quixote-us' }),
    /the model's header names dialect tsem-6\.12 but namespace web uses quixote-us/
  );
  const headerless = { ...described([]), header: undefined };
  assert.deepEqual(checkModelTarget(headerless, target), []);
  const warnings = checkModelTarget(headerless, { ...target, dialect: 'quixote-us' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /no header naming its dialect; namespace web uses quixote-us/);
});

test('merge of N models: first description wins, counts add; dialects must agree', () => {
  const a = described([[h('1'), '/a', 2]]);
  const b = described([
    [h('1'), '/other', 3],
    [h('2'), '/b', 1],
  ]);
  const c = described([[h('3'), '/c']]);
  const m = mergeModels(a, b, c);
  assert.deepEqual(
    m.states.map((s) => s.toString('hex')),
    [h('1'), h('2'), h('3')]
  );
  assert.equal(m.notes!.get(h('1'))!.count, 5);
  assert.deepEqual(m.notes!.get(h('1'))!.description, desc('/a'));
  const q = { ...c, header: { digest: 'sha256', dialect: 'quixote-us' as const } };
  assert.throws(() => mergeModels(a, q), /cannot merge a tsem-6\.12 model with a quixote-us model/);
});

test('prune by count, coefficient, type and process; what cannot be judged is counted', () => {
  const m: ModelFile = {
    ...described([
      [h('1'), '/a', 1],
      [h('2'), '/b', 50],
      [h('3'), '/c', 50],
    ]),
  };
  const notes = new Map(m.notes);
  notes.set(h('3'), { count: 50, description: desc('/c', 'cron', 'inode_getattr') });
  notes.set(h('4'), {});
  const full = { ...m, notes, states: [...m.states, Buffer.from(h('4'), 'hex')] };
  const byCount = pruneModel(full, { minCount: 10 });
  assert.deepEqual(byCount.dropped, [{ hex: h('1'), why: 'count 1' }]);
  assert.equal(byCount.unjudged, 1);
  const ba = Object.assign((n: string) => n.startsWith('ba'), { pattern: 'ba*' });
  const byType = pruneModel(full, { types: ['inode_getattr'], processes: [ba] });
  assert.deepEqual(
    byType.dropped.map((d) => d.why),
    ['process bash', 'process bash', 'type inode_getattr']
  );
  const byHex = pruneModel(full, { coefficients: new Set([h('4'), h('9')]) });
  assert.deepEqual(
    [byHex.dropped.length, byHex.absent, byHex.model.states.length],
    [1, [h('9')], 3]
  );
  assert.equal(byHex.model.notes!.has(h('4')), false);
});
