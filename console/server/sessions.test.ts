import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Identity } from '../../engine/server/auth.js';
import { LoginThrottle, Sessions } from './sessions.js';

const viewer: Identity = { name: 'v', roles: new Set(['viewer']) };

test('a session lives until idle or too old, and only its own id finds it', () => {
  let now = 0;
  const s = new Sessions({ idleMs: 100, maxAgeMs: 250, now: () => now });
  const { id, session } = s.create(viewer);
  assert.match(id, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
  assert.equal(s.get(id), session);
  assert.equal(s.get(id.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))), undefined);
  assert.equal(s.get(undefined), undefined);
  assert.equal(s.get('x'.repeat(10_000)), undefined);
  now = 90;
  assert.equal(s.get(id), session, 'used within the idle time');
  now = 180;
  assert.equal(s.get(id), session, 'idle time counts from the last use');
  now = 260;
  assert.equal(s.get(id), undefined, 'past the absolute lifetime, however busy');
  const b = s.create(viewer);
  now = 400;
  assert.equal(s.get(b.id), undefined, 'idle too long');
  assert.equal(s.size, 0, 'expired sessions are forgotten');
});

test('sessions are bounded: the least recently used goes first; logout forgets', () => {
  const s = new Sessions({ max: 2 });
  const a = s.create(viewer);
  const b = s.create(viewer);
  assert.ok(s.get(a.id), 'a used: b is now the oldest');
  const c = s.create(viewer);
  assert.equal(s.size, 2);
  assert.equal(s.get(b.id), undefined);
  assert.ok(s.get(a.id) && s.get(c.id));
  s.delete(a.id);
  assert.equal(s.get(a.id), undefined);
});

test('an open live view keeps its session from idling, never past its lifetime or a sign-out', () => {
  let now = 0;
  const s = new Sessions({ idleMs: 100, maxAgeMs: 250, now: () => now });
  const a = s.create(viewer);
  now = 90;
  assert.ok(s.touch(a.session));
  now = 180;
  assert.ok(s.touch(a.session), 'touched within the idle time');
  assert.equal(s.get(a.id), a.session);
  now = 260;
  assert.ok(!s.touch(a.session), 'past the lifetime');
  const b = s.create(viewer);
  s.delete(b.id);
  assert.ok(!s.touch(b.session), 'signed out');
  assert.ok(b.session.ended);
});

test('CSRF tokens are per session and compared whole', () => {
  const s = new Sessions();
  const a = s.create(viewer).session;
  const b = s.create(viewer).session;
  assert.notEqual(a.csrf, b.csrf);
  assert.ok(Sessions.csrfMatches(a, a.csrf));
  assert.ok(!Sessions.csrfMatches(a, b.csrf));
  assert.ok(!Sessions.csrfMatches(a, a.csrf.slice(1)));
  assert.ok(!Sessions.csrfMatches(a, undefined));
  assert.ok(!Sessions.csrfMatches(a, [a.csrf]));
});

test('the cookie is HttpOnly, SameSite=Strict, scoped to the console, Secure on TLS', () => {
  assert.equal(
    Sessions.cookie('abc', false),
    'tsem_console=abc; Path=/console; HttpOnly; SameSite=Strict'
  );
  assert.match(Sessions.cookie('abc', true), /; Secure$/);
  assert.match(Sessions.clearCookie(false), /Max-Age=0/);
});

test('failed sign-ins are throttled per address for a window', () => {
  let now = 0;
  const t = new LoginThrottle(3, 1000, () => now);
  for (let i = 0; i < 3; i++) {
    assert.ok(!t.blocked('a'));
    t.failed('a');
  }
  assert.ok(t.blocked('a'));
  assert.ok(!t.blocked('b'), 'another address is not affected');
  now = 1001;
  assert.ok(!t.blocked('a'), 'the window passed');
});
