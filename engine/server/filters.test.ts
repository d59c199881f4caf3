import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Verdict } from '../ns/namespace-model.js';
import { buildFilter } from './filters.js';
import { compileGlob } from './glob.js';
import type { Notice } from './notice.js';

const verdict = (
  kind: Verdict['kind'],
  action: 'allow' | 'deny' = 'allow',
  task = 'ab'
): Verdict => ({
  kind,
  action,
  taskId: Buffer.from(task, 'hex'),
  pTaskId: Buffer.alloc(1),
  trust: 'trusted',
  seq: 1,
  newPoint: false,
});
const notice = (p: Partial<Notice>): Notice => ({
  namespace: 'web',
  host: 'h',
  exporter: 'x',
  type: 'file_open',
  process: 'nginx',
  pid: '1',
  eventJson: () => '',
  timeMs: 0,
  alert: false,
  verdict: verdict('on-contour'),
  ...p,
});

test('glob patterns over comm', () => {
  assert.ok(compileGlob('nginx*')('nginx: worker'));
  assert.ok(compileGlob('b?sh')('bash'));
  assert.ok(!compileGlob('b?sh')('bsh'));
  assert.ok(compileGlob('a.b')('a.b') && !compileGlob('a.b')('axb'));
});

const CASES: [string, Parameters<typeof buildFilter>[0], Partial<Notice>, boolean][] = [
  ['empty filter matches everything', {}, {}, true],
  ['namespace listed', { namespaces: ['db', 'web'] }, {}, true],
  ['namespace not listed', { namespaces: ['db'] }, {}, false],
  ['event type', { eventTypes: ['socket_connect'] }, {}, false],
  ['verdict kind', { verdicts: ['off-contour'] }, { verdict: verdict('off-contour') }, true],
  ['off-contour only: on-contour is not an alert', { offContourOnly: true }, {}, false],
  [
    'off-contour only: a denial is',
    { offContourOnly: true },
    { verdict: verdict('untrusted-task', 'deny') },
    true,
  ],
  ['process pattern', { processPatterns: ['sshd', 'ngi*'] }, {}, true],
  ['task id (case-insensitive hex)', { taskIds: ['AB'] }, {}, true],
  ['fields are ANDed', { namespaces: ['web'], eventTypes: ['capable'] }, {}, false],
];
for (const [name, spec, n, expected] of CASES) {
  test(`filter: ${name}`, () => assert.equal(buildFilter(spec)(notice(n)), expected));
}
