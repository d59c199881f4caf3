import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TsemEventJson } from '../proto/kernel-json.js';
import { eventJsonToStructured, eventToWire, WireEventError } from './wire-event.js';

// tsem-model.md §5 sample line (file_open, with a JSON-escaped quote in the pathname).
const FILE_OPEN = {
  event: {
    pid: '100',
    tnum: '6999993339',
    context: '12',
    number: '3',
    process: 'quixote',
    type: 'file_open',
    ttd: '483',
    p_ttd: '483',
    task_id: 'b459ac883ced8289f95a86aab6834a0a05bbe720f104dbe2d9774e84152025f6',
    p_task_id: 'b459ac883ced8289f95a86aab6834a0a05bbe720f104dbe2d9774e84152025f6',
    ts: '202360',
  },
  COE: {
    uid: '0',
    euid: '0',
    suid: '0',
    gid: '0',
    egid: '0',
    sgid: '0',
    fsuid: '0',
    fsgid: '0',
    capeff: '0x1ffffffffff',
  },
  file_open: {
    file: {
      flags: '32800',
      inode: {
        uid: '0',
        gid: '0',
        mode: '0100755',
        s_magic: '0xef53',
        s_id: 'xvda',
        s_uuid: 'feadbeaffeadbeaffeadbeaffeadbeaf',
      },
      path: { dev: { major: '202', minor: '0' }, type: 'root', pathname: '/bin/bash-"3.2.57' },
      digest: '575c788d39f3bc837fcfd9c083af5667ed82852b1e10f07e0db8d91988b22008',
    },
  },
} satisfies TsemEventJson;

test('structured: header and COE strings are copied field by field', () => {
  const s = eventJsonToStructured(FILE_OPEN);
  assert.deepEqual(s.header, FILE_OPEN.event);
  assert.deepEqual(s.coe, FILE_OPEN.COE);
});

test('structured: cell_json is the JSON of the object under the hook name, not the whole event', () => {
  const s = eventJsonToStructured(FILE_OPEN);
  const cell = JSON.parse(Buffer.from(s.cell_json as Buffer).toString('utf8')) as unknown;
  assert.deepEqual(cell, FILE_OPEN.file_open);
  assert.equal(
    (cell as { file: { path: { pathname: string } } }).file.path.pathname,
    '/bin/bash-"3.2.57'
  );
});

test('structured: absent header fields are left out, not sent as empty strings', () => {
  const ev = {
    event: { pid: '42', ppid: '1', process: 'sh', type: 'task_kill', ts: '7' },
    COE: FILE_OPEN.COE,
    task_kill: { target: '0x1', sig: '9', cross_ns: '0' },
  } as unknown as TsemEventJson;
  const s = eventJsonToStructured(ev);
  assert.deepEqual(s.header, { pid: '42', ppid: '1', process: 'sh', type: 'task_kill', ts: '7' });
  assert.equal(Object.keys(s.header ?? {}).includes('task_id'), false);
});

test('structured: a hook without a CELL object sends {}', () => {
  const ev = {
    event: { process: 'x', type: 'task_alloc', pid: '3' },
    COE: FILE_OPEN.COE,
  } as unknown as TsemEventJson;
  assert.equal(Buffer.from(eventJsonToStructured(ev).cell_json as Buffer).toString('utf8'), '{}');
});

test('eventToWire: a Buffer goes byte for byte as kernel_json with the namespace', () => {
  const raw = Buffer.from('{"event": {"type": "file_open"}, "x": "caf\xe9"}', 'latin1');
  const w = eventToWire('web', raw);
  assert.equal(w.namespace, 'web');
  assert.equal(w.kernel_json, raw);
  assert.equal(w.structured, undefined);
  assert.equal(w.host, undefined);
});

test('eventToWire: an object becomes a structured body; host is set only when given', () => {
  const w = eventToWire('db', FILE_OPEN, 'node-7');
  assert.equal(w.namespace, 'db');
  assert.equal(w.host, 'node-7');
  assert.equal(w.kernel_json, undefined);
  assert.equal(w.structured?.header?.type, 'file_open');
});

const INVALID: Record<string, [unknown, RegExp]> = {
  'not an object': ['nope', /expected an object with an "event" header/],
  'no header': [{ COE: {} }, /expected an object with an "event" header/],
  'no type': [{ event: { process: 'x' }, COE: {} }, /event\.type: expected the hook name/],
  'numeric pid': [
    { event: { process: 'x', type: 't', pid: 5 }, COE: {} },
    /event\.pid: expected a string, got number/,
  ],
  'numeric uid': [
    { event: { process: 'x', type: 't' }, COE: { uid: 0 } },
    /COE\.uid: expected a string, got number/,
  ],
  'CELL not an object': [
    { event: { process: 'x', type: 'file_open' }, COE: {}, file_open: 'f' },
    /file_open: expected the CELL object/,
  ],
};

for (const [name, [input, message]] of Object.entries(INVALID)) {
  test(`structured rejects ${name}`, () => {
    assert.throws(
      () => eventJsonToStructured(input as TsemEventJson),
      (e: unknown) => e instanceof WireEventError && message.test(e.message)
    );
  });
}
