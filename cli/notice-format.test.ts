import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventNotice__Output } from '../proto/gen/tsem/v1/EventNotice.js';
import { eventObject, formatNoticeJson, formatNoticeLine } from './notice-format.js';

const COE = {
  uid: '0',
  euid: '0',
  suid: '0',
  gid: '0',
  egid: '0',
  sgid: '0',
  fsuid: '0',
  fsgid: '0',
  capeff: '0x0',
};
const line = (type: string, cell: unknown) =>
  JSON.stringify({ event: { process: 'p', type, pid: '1' }, COE, [type]: cell });

const OBJECTS: Record<string, [string, string, string | undefined]> = {
  'file pathname': [
    'file_open',
    line('file_open', {
      file: {
        flags: '0',
        inode: {},
        path: { type: 'root', pathname: '/etc/shadow' },
        digest: 'aa',
      },
    }),
    '/etc/shadow',
  ],
  'inode_getattr nested path': [
    'inode_getattr',
    line('inode_getattr', { path: { inode: {}, path: { pathname: '/usr/bin/cat' } } }),
    '/usr/bin/cat',
  ],
  'af_inet address and port': [
    'socket_connect',
    line('socket_connect', {
      sock: { family: '2' },
      addr: { af_inet: { port: '4444', address: '203.0.113.66' } },
    }),
    '203.0.113.66:4444',
  ],
  'af_inet6 in brackets': [
    'socket_connect',
    line('socket_connect', {
      addr: {
        af_inet6: {
          port: '443',
          flow: '0',
          scope: '0',
          address: '20010db8000000000000000000000001',
        },
      },
    }),
    '[20010db8000000000000000000000001]:443',
  ],
  'af_unix path': [
    'socket_connect',
    line('socket_connect', { addr: { af_unix: { address: '/run/x.sock' } } }),
    '/run/x.sock',
  ],
  'a pathname with a space is quoted': [
    'file_open',
    line('file_open', { file: { path: { pathname: '/tmp/a b' } } }),
    '"/tmp/a b"',
  ],
  'no object': ['task_kill', line('task_kill', { target: '0x1', sig: '9' }), undefined],
  'not JSON': ['file_open', '{"event": ', undefined],
};

for (const [name, [type, json, expected]] of Object.entries(OBJECTS)) {
  test(`eventObject: ${name}`, () => assert.equal(eventObject(json, type), expected));
}

function notice(over: Partial<EventNotice__Output> = {}): EventNotice__Output {
  return {
    namespace: 'web',
    host: 'h',
    exporter: 'sim',
    type: 'file_open',
    process: 'nginx',
    pid: '1234',
    verdict: {
      kind: 'VERDICT_KIND_OFF_CONTOUR',
      action: 'ACTION_DENY',
      coefficient: Buffer.from('3f2a09c1deadbeef', 'hex'),
      task_id: Buffer.from('0011', 'hex'),
      seq: '17',
      error: '',
      cacheable: false,
    },
    event_json: line('file_open', { file: { path: { pathname: '/etc/shadow' } } }),
    records_json: '',
    time_ms: String(Date.UTC(2026, 10, 23, 18, 0, 0, 123)),
    alert: true,
    ima_json: '',
    landlock: '',
    ...over,
  };
}

test('formatNoticeLine: the documented layout', () => {
  assert.equal(
    formatNoticeLine(notice()),
    '2026-11-23T18:00:00.123Z web  OFF-CONTOUR deny  nginx[1234] file_open  /etc/shadow  coef 3f2a09c1…'
  );
});

test('formatNoticeLine: an unmodeled event has no coefficient; an error shows its message', () => {
  const n = notice({
    type: 'task_kill',
    event_json: line('task_kill', {}),
    verdict: {
      kind: 'VERDICT_KIND_ERROR',
      action: 'ACTION_ALLOW',
      coefficient: Buffer.alloc(0),
      task_id: Buffer.alloc(0),
      seq: '0',
      error: 'bad CELL',
      cacheable: false,
    },
  });
  assert.equal(
    formatNoticeLine(n),
    '2026-11-23T18:00:00.123Z web  ERROR allow  nginx[1234] task_kill  error: bad CELL'
  );
});

test('a Landlock denial says so, with the rights the kernel denied, in the line and the JSON', () => {
  const n = notice({ landlock: 'fs.read_file' });
  assert.match(formatNoticeLine(n), /  coef 3f2a09c1…  LANDLOCK-DENIED fs\.read_file$/);
  assert.equal((JSON.parse(formatNoticeJson(n)) as { landlock?: string }).landlock, 'fs.read_file');
  assert.equal(
    (JSON.parse(formatNoticeJson(notice())) as { landlock?: string }).landlock,
    undefined
  );
});

test('IMA results are summarized in the line and kept whole in the JSON', () => {
  const ima = JSON.stringify([
    { op: 'appraise_data', cause: 'invalid-hash', status: 'fail', filename: '/bin/x' },
  ]);
  const n = notice({ ima_json: ima });
  assert.match(formatNoticeLine(n), /  ima: appraise_data\/invalid-hash\/fail$/);
  assert.deepEqual((JSON.parse(formatNoticeJson(n)) as { ima: unknown }).ima, JSON.parse(ima));
  assert.equal((JSON.parse(formatNoticeJson(notice())) as { ima?: unknown }).ima, undefined);
});

test('formatNoticeJson: hex bytes, parsed event, no empty error', () => {
  const j = JSON.parse(formatNoticeJson(notice())) as Record<string, unknown>;
  assert.deepEqual(j['verdict'], {
    kind: 'VERDICT_KIND_OFF_CONTOUR',
    action: 'ACTION_DENY',
    coefficient: '3f2a09c1deadbeef',
    task_id: '0011',
    seq: '17',
  });
  assert.equal(j['time'], '2026-11-23T18:00:00.123Z');
  assert.deepEqual((j['event'] as { file_open: unknown }).file_open, {
    file: { path: { pathname: '/etc/shadow' } },
  });
  assert.equal(j['alert'], true);
});

test('formatNoticeLine: newlines and ANSI escapes in names are shown, never interpreted', () => {
  const forged = 'x\n2026-11-23T18:00:00.000Z web  \x1b[31mOFF-CONTOUR deny\x1b[0m  sshd[1]';
  const out = formatNoticeLine(
    notice({
      namespace: 'web\r',
      process: forged,
      pid: '1\n2',
      event_json: line('file_open', { file: { path: { pathname: '/tmp/\x1b]0;t\x07\n' } } }),
      verdict: { ...notice().verdict!, error: 'bad\nline', kind: 'VERDICT_KIND_ERROR' },
    })
  );
  assert.doesNotMatch(out, /[\x00-\x1f\x7f]/, 'no control character survives');
  assert.equal(out.split('\n').length, 1);
  assert.match(out, /x\\n2026-11-23T18:00:00\.000Z/);
  assert.match(out, /\\x1b\[31mOFF-CONTOUR/);
  assert.match(out, /web\\r/);
  assert.match(out, /\/tmp\/\\x1b\]0;t\\x07\\n/);
  assert.match(out, /error: bad\\nline/);
});

test('an auto-seal after this event is said in the line; the JSON keeps every stage record', () => {
  const records = [
    {
      stage: 'convergence',
      fields: { action: 'auto-sealed', mode: 'enforce', quiet_windows: '3' },
      alert: true,
    },
  ];
  const n = notice({ records_json: JSON.stringify(records) });
  assert.match(formatNoticeLine(n), /  AUTO-SEALED: namespace now enforce$/);
  assert.deepEqual((JSON.parse(formatNoticeJson(n)) as { records: unknown }).records, records);
  assert.doesNotMatch(formatNoticeLine(notice()), /AUTO-SEALED/);
});
