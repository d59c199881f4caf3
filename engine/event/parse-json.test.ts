import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseError } from '../../common/errors.js';
import { parseRecordLine } from './parse-json.js';
import { parseInteger } from './schema.js';

const HDR =
  '"event": {"process": "p", "type": "capable", "task_id": "' +
  'ab'.repeat(32) +
  '", "p_task_id": "' +
  'cd'.repeat(32) +
  '"}';
const COE =
  '"COE": {"uid": "0", "euid": "0", "suid": "0", "gid": "0", "egid": "0", "sgid": "0", "fsuid": "0", "fsgid": "0", "capeff": "0x3"}';
const ok = (cell: string) => `{${HDR}, ${COE}, ${cell}}`;

test('strtol(…, 0) number forms (§1.2)', () => {
  assert.equal(parseInteger('0100755'), 0o100755n);
  assert.equal(parseInteger('0xef53'), 0xef53n);
  assert.equal(parseInteger('32800'), 32800n);
  assert.equal(parseInteger('0'), 0n);
  assert.equal(parseInteger('-1'), -1n);
  assert.equal(parseInteger('09'), undefined);
  assert.equal(parseInteger('12ab'), undefined);
});

test('negative values wrap into the unsigned field width', () => {
  const r = parseRecordLine(ok('"capable": {"cap": "-1", "opts": "0"}'), { digestSize: 32 });
  assert.equal(
    r.kind === 'event' && r.event.cell.hook === 'capable' && r.event.cell.value.cap,
    0xffffffff
  );
});

const BAD: Record<string, [line: string, expected: RegExp]> = {
  'truncated JSON': [
    '{"event": {"process": "p", "type": "capa',
    /line 7: expected one JSON object per line \(truncated or invalid JSON/,
  ],
  'not an object': ['["a"]', /line 7: expected an object/],
  'unknown event type': [
    ok('"capable": {}').replace('"type": "capable"', '"type": "open_sesame"'),
    /line 7: field 'event.type': unknown event type 'open_sesame'/,
  ],
  'missing CELL field': [ok('"capable": {"cap": "8"}'), /field 'capable.opts': missing/],
  'non-numeric value': [
    ok('"capable": {"cap": "eight", "opts": "0"}'),
    /field 'capable.cap': expected a decimal, 0octal or 0xhex integer, got 'eight'/,
  ],
  'value too wide': [
    ok('"capable": {"cap": "0x1ffffffff", "opts": "0"}'),
    /field 'capable.cap': value 0x1ffffffff does not fit in 32 bits/,
  ],
  'non-hex digest': [
    ok('"capable": {"cap": "8", "opts": "0"}').replace('ab'.repeat(32), 'zz'.repeat(32)),
    /field 'event.task_id': expected 64 hex characters/,
  ],
  'wrong digest length': [
    ok('"capable": {"cap": "8", "opts": "0"}').replace('ab'.repeat(32), 'ab'.repeat(20)),
    /field 'event.task_id': expected 64 hex characters/,
  ],
  'a digest of another hash (sha384 in a sha256 namespace)': [
    ok('"capable": {"cap": "8", "opts": "0"}').replace('ab'.repeat(32), 'ab'.repeat(48)),
    /expected 64 hex characters, got '.*' \(96 hex characters: a 48-byte digest; the namespace's digest is 32 bytes, so the source hashes with another digest\)/,
  ],
  'number instead of string': [
    ok('"capable": {"cap": 8, "opts": "0"}'),
    /field 'capable.cap': expected a string value, got number/,
  ],
  'unknown export type': [
    '{"export": {"type": "nope"}}',
    /field 'export.type': expected one of aggregate, event, async_event, log/,
  ],
  'bad aggregate': [
    '{"export": {"type": "aggregate"}, "aggregate": {"value": "00"}}',
    /field 'aggregate.value': expected 64 hex characters/,
  ],
};
for (const [name, [line, expected]] of Object.entries(BAD)) {
  test(`bad input: ${name} gives one clear error naming line and field`, () => {
    assert.throws(
      () => parseRecordLine(line, { digestSize: 32, lineNumber: 7, source: 'traj' }),
      (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.match(err.message, expected);
        assert.match(err.message, /^traj line 7: /);
        return true;
      }
    );
  });
}

test('export records: aggregate, log, async_event', () => {
  const agg = parseRecordLine(
    `{"export": {"type": "aggregate"}, "aggregate": {"value": "${'01'.repeat(32)}"}}`,
    { digestSize: 32 }
  );
  assert.equal(agg.kind === 'aggregate' && agg.value.toString('hex'), '01'.repeat(32));
  const log = parseRecordLine(
    '{"export": {"type": "log"}, "log": {"process": "bash", "event": "file_open", "action": "DENY"}}',
    { digestSize: 32 }
  );
  assert.deepEqual(log, { kind: 'log', process: 'bash', event: 'file_open', action: 'DENY' });
  const ev = parseRecordLine(
    `{"export": {"type": "async_event"}, ${ok('"capable": {"cap": "8", "opts": "0"}').slice(1)}`,
    { digestSize: 32 }
  );
  assert.equal(ev.kind === 'event' && ev.event.exportType, 'async_event');
  assert.equal(ev.kind === 'event' && ev.event.line.startsWith('{"event": {'), true);
});

test('hooks without a known layout parse as generic', () => {
  const r = parseRecordLine(
    ok('"tun_dev_create": {}').replace('"type": "capable"', '"type": "tun_dev_create"'),
    { digestSize: 32 }
  );
  assert.deepEqual(r.kind === 'event' && r.event.cell, { hook: 'generic', name: 'tun_dev_create' });
});

test('raw bytes: a non-UTF-8 pathname hashes as its exact bytes', () => {
  const text = ok('"kernel_module_request": {"kmod_name": "modXX"}').replace(
    '"type": "capable"',
    '"type": "kernel_module_request"'
  );
  const line = Buffer.from(text, 'latin1');
  const at = line.indexOf('modXX') + 3;
  line[at] = 0xff;
  line[at + 1] = 0xfe;
  const r = parseRecordLine(line, { digestSize: 32 });
  assert.ok(r.kind === 'event' && r.event.cell.hook === 'kernel_module_request');
  if (r.kind === 'event' && r.event.cell.hook === 'kernel_module_request') {
    assert.deepEqual([...r.event.cell.value.kmod_name], [...Buffer.from('mod'), 0xff, 0xfe]);
  }
});
