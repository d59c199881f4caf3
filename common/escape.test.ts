import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeBytes, escapeText, quoteInput } from './escape.js';
import { createLog, logText } from './log.js';

test('escapeText: control characters, separators and bidi overrides become visible escapes', () => {
  assert.equal(escapeText('a\nb\r\tc'), 'a\\nb\\r\\tc');
  assert.equal(escapeText('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m');
  assert.equal(escapeText('\x00\x7f\x85\u2028\u202e'), '\\x00\\x7f\\x85\\u{2028}\\u{202e}');
  assert.equal(
    escapeText(escapeText('a\x1b\n')),
    'a\\x1b\\n',
    'idempotent: layers never double up'
  );
  assert.equal(escapeText('plain /usr/bin/nginx é 文字'), 'plain /usr/bin/nginx é 文字');
});

test('escapeBytes: binary is never echoed raw', () => {
  assert.equal(escapeBytes(Buffer.from([0x41, 0x00, 0xff, 0x0a])), 'A\\x00\\xff\\n');
});

test('quoteInput: escaped, quoted and cut with the full length', () => {
  assert.equal(quoteInput('a\nb'), "'a\\nb'");
  assert.equal(quoteInput('x'.repeat(100), 4), "'xxxx…' (100 characters)");
  assert.equal(quoteInput(Buffer.from([1, 2, 3]), 2), "'\\x01\\x02…' (3 bytes)");
});

test('createLog: a message can never forge a log line, and bearer tokens are masked', () => {
  const out: string[] = [];
  const log = createLog('tsem', (s) => out.push(s), { format: 'text' });
  log('namespace=evil\n2026-01-01T00:00:00.000Z tsem admin logged in error="x"');
  log('call with authorization: Bearer s3cr3t-token-value failed');
  assert.equal(out.length, 2);
  for (const l of out) assert.equal(l.indexOf('\n'), l.length - 1, 'one line per message');
  assert.match(out[0]!, /evil\\n2026/);
  assert.doesNotMatch(out[1]!, /s3cr3t/);
  assert.equal(logText('Bearer abc'), 'Bearer <redacted>');
  const json: string[] = [];
  createLog('tsem', (s) => json.push(s))('x\n\x1b[31m', { ns: 'a\nb', auth: 'Bearer t0k' });
  assert.equal(json.length, 1);
  const rec = JSON.parse(json[0]!) as { msg: string; ns: string; auth: string };
  assert.deepEqual([rec.msg, rec.ns, rec.auth], ['x\\n\\x1b[31m', 'a\\nb', 'Bearer <redacted>']);
});
