import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeToken,
  encodeToken,
  eventSubject,
  namespaceEvents,
  parseEventSubject,
} from './names.js';

test('every namespace and host name encodes to one token and back', () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (name) => {
      const t = encodeToken(name);
      assert.match(t, /^[A-Za-z0-9_=-]+$/);
      assert.equal(decodeToken(t), name);
    })
  );
  assert.equal(encodeToken('web.prod@host:1'), 'web=2eprod=40host=3a1');
});

test('event subjects carry host and namespace; others are not events', () => {
  const s = eventSubject('db-1.example', 'host@db-1');
  assert.equal(s, 'tsem.ev.db-1=2eexample.host=40db-1');
  assert.deepEqual(parseEventSubject(s), { host: 'db-1.example', ns: 'host@db-1' });
  assert.equal(namespaceEvents('a.b'), 'tsem.ev.*.a=2eb');
  for (const bad of ['tsem.ev.a', 'tsem.out.a.b', 'tsem.ev.a.b.c', 'tsem.ev.a%.b', 'tsem.ev.a.=zz'])
    assert.equal(parseEventSubject(bad), undefined, bad);
  assert.throws(() => decodeToken('a.b'), /not an encoded name/);
});
