import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeNotice, encodeNotice } from './notice-codec.js';

test('a notice survives the outputs stream: bytes as hex, every field back', () => {
  const line = encodeNotice({
    namespace: 'ns',
    host: 'h',
    exporter: 'sim',
    type: 'file_open',
    process: 'nginx',
    pid: '7',
    verdict: {
      kind: 'VERDICT_KIND_OFF_CONTOUR',
      action: 'ACTION_ALLOW',
      coefficient: Buffer.from('00ff', 'hex'),
      task_id: Buffer.from('ab', 'hex'),
      seq: '3',
    },
    event_json: '{"x":1}',
    time_ms: '12',
    alert: true,
    ima_json: '',
  });
  assert.ok(!line.includes('\n'));
  assert.match(line, /"coefficient":"00ff"/);
  const n = decodeNotice(line);
  assert.equal(n.verdict?.coefficient.toString('hex'), '00ff');
  assert.equal(n.verdict?.task_id.toString('hex'), 'ab');
  assert.deepEqual([n.namespace, n.type, n.time_ms, n.alert], ['ns', 'file_open', '12', true]);
  assert.throws(() => decodeNotice('[1]'), /expected a notice object/);
  assert.throws(() => decodeNotice('nope'), /expected a notice object/);
});
