/** Descriptions of real kernel lines, the nearest trained points, and pseudonyms over them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { vectorPath } from '../../test/helpers/repo.js';
import {
  checkDescription,
  describeLine,
  descriptionFields,
  descriptionLine,
  subjectOf,
} from '../event/describe.js';
import { parseRecordLine } from '../event/parse-json.js';
import { createDigest } from '../measure/digest.js';
import { Mapper } from '../measure/mapper.js';
import { NearestPoints } from './explain.js';
import type { ModelFile } from './model-file.js';
import { addPseudonyms, coefficientOf, pseudonymConflicts } from './model-pseudonyms.js';

const sha = createDigest('sha256');
const TV11 = readFileSync(vectorPath('tsem/tv11-forensics.json'), 'utf8').trim();
const vectors = (
  JSON.parse(readFileSync(vectorPath('tsem/tsem-6.12-coefficients.json'), 'utf8')) as {
    vectors: { name: string; line: string; coefficient: string }[];
  }
).vectors;

test('the TV-11 forensics line as a description: fields by name, subject, kernel line again', () => {
  const d = describeLine(TV11)!;
  assert.equal(d.type, 'inode_getattr');
  assert.equal(d.process, 'bash');
  assert.equal(d.task_id, '094e29687d185cf4eaa48ddebfcda205465ad78df543e361621ea0acf2d4f986');
  const f = descriptionFields(d);
  assert.equal(f.get('cell.path.path.pathname'), '/usr/bin/cat');
  assert.equal(f.get('coe.capeff'), '0x1fdffffffff');
  assert.equal(subjectOf(d), '/usr/bin/cat');
  assert.deepEqual(describeLine(descriptionLine(d)), d);
  assert.deepEqual(checkDescription(JSON.parse(JSON.stringify(d))), d);
});

test('a description rebuilds its exact coefficient (every published vector)', () => {
  for (const v of vectors) {
    const d = describeLine(v.line)!;
    assert.equal(coefficientOf(d, sha, 'tsem-6.12', new Set()), v.coefficient, v.name);
  }
});

test('nearest trained points: same type first, then same process, then fewest differing fields', () => {
  const target = describeLine(TV11)!;
  const withPath = (pathname: string, process = 'bash', type = 'inode_getattr') => {
    const d = structuredClone(target) as typeof target & {
      cell: { path: { path: { pathname: string } } };
    };
    d.cell.path.path.pathname = pathname;
    return { ...d, process, type };
  };
  const finder = new NearestPoints(target, 'ff'.repeat(32), 3);
  finder.offer('01'.repeat(32), withPath('/usr/bin/bash', 'cron')); // same type, other process
  finder.offer('02'.repeat(32), withPath('/usr/bin/ls', 'bash', 'file_open')); // other type
  finder.offer('03'.repeat(32), { ...withPath('/usr/bin/cut'), coe: { ...target.coe, uid: '5' } });
  finder.offer('04'.repeat(32), withPath('/usr/bin/cut')); // same type and process, 1 field
  finder.offer('ff'.repeat(32), target); // the point itself is never its own neighbour
  const r = finder.result();
  assert.deepEqual(
    r.map((n) => n.hex.slice(0, 2)),
    ['04', '03', '01']
  );
  assert.deepEqual(r[0]!.differences, [
    { field: 'cell.path.path.pathname', value: '/usr/bin/cat', nearest: '/usr/bin/cut' },
  ]);
  assert.equal(r[1]!.differing, 2);
  assert.equal(finder.compared, 4);
});

test('pseudonyms: a model declaring one its described points were trained without is caught, and remapped', () => {
  const lines = vectors.slice(0, 4).map((v) => v.line);
  const notes = new Map(
    lines.map((l, i) => [vectors[i]!.coefficient, { count: 1, description: describeLine(l)! }])
  );
  const m: ModelFile = {
    digest: 'sha256',
    comments: [],
    notes,
    states: vectors.slice(0, 4).map((v) => Buffer.from(v.coefficient, 'hex')),
    pseudonyms: [],
    sealed: false,
  };
  // TV-3 opens /usr/bin/bash and TV-4 maps it: declare a pseudonym for it.
  const r = addPseudonyms(m, ['/usr/bin/bash'], sha, 'tsem-6.12');
  assert.deepEqual(
    r.remapped.map((x) => x.from),
    [vectors[2]!.coefficient, vectors[3]!.coefficient]
  );
  assert.equal(r.model.states.length, 4);
  assert.equal(r.undescribed, 0);
  // The remapped point is what the mapper gives the event under the pseudonym.
  const e = parseRecordLine(lines[2]!, { digestSize: 32 });
  assert.equal(e.kind, 'event');
  if (e.kind !== 'event') return;
  const mapper = new Mapper(sha, {
    pseudonyms: new Set(r.model.pseudonyms.map((p) => p.toString('hex'))),
  });
  assert.equal(
    mapper.coefficientHex(
      e.event.header.type,
      e.event.header.pTaskId!,
      e.event.header.taskId!,
      e.event.coe,
      e.event.cell
    ),
    r.remapped[0]!.to
  );
  assert.deepEqual(pseudonymConflicts(r.model, sha, 'tsem-6.12'), []);
  // The pseudonym line alone, added by hand, is caught.
  const byHand = { ...m, pseudonyms: r.model.pseudonyms };
  assert.deepEqual(pseudonymConflicts(byHand, sha, 'tsem-6.12'), [
    { hex: vectors[2]!.coefficient, pathname: '/usr/bin/bash' },
    { hex: vectors[3]!.coefficient, pathname: '/usr/bin/bash' },
  ]);
});
