import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CanisterRoutes, type NewRoute } from './routes.js';

const route = (cgroupId: string, namespace = 'web', host = 'h1'): NewRoute => ({
  host,
  cgroupId,
  cgroupPath: `/tsem/${cgroupId}`,
  namespace,
  label: '',
  command: 'sh',
});

test("a running canister's cgroup routes to its namespace, on its host only, counting events", () => {
  let now = 1000;
  const r = new CanisterRoutes(() => now, 60_000, 8);
  assert.equal(r.route('h1', '42'), undefined, 'nothing registered');
  const a = r.add(route('42'));
  now = 1500;
  assert.equal(r.route('h1', '42'), 'web');
  assert.equal(r.route('h2', '42'), undefined, 'cgroup ids are per host');
  assert.equal(r.route('h1', '43'), undefined);
  assert.equal(r.route('h1', undefined), undefined);
  assert.equal(r.route('h1', '0'), undefined);
  assert.deepEqual([a.events, a.lastEventMs, a.startedMs], [1, 1500, 1000]);
  assert.equal(r.liveFor('web'), 1);
  assert.throws(
    () => r.add(route('42', 'other')),
    /already belongs to a running canister \(namespace web\)/
  );
  assert.throws(() => r.add(route('0')), /expected a cgroup v2 id/);
  assert.throws(() => r.add(route('x1')), /expected a cgroup v2 id/);
});

test('a finished route keeps routing late events for its grace period, then stops', () => {
  let now = 0;
  const r = new CanisterRoutes(() => now, 1000, 8);
  const a = r.add(route('7'));
  r.finish(a);
  assert.equal(r.liveFor('web'), 0);
  now = 900;
  assert.equal(r.route('h1', '7'), 'web', 'late event within the grace period');
  assert.equal(r.routedInto('web'), 1);
  now = 1001;
  assert.equal(r.route('h1', '7'), undefined, 'grace over');
  assert.equal(r.list().length, 0);
  // A namespace deleted: its finished routes go at once.
  r.finish(r.add(route('8')));
  r.forgetNamespace('web');
  assert.equal(r.route('h1', '8'), undefined);
});

test('finished routes are bounded: the oldest go first; list shows running, then newest finished', () => {
  const r = new CanisterRoutes(() => 5, 60_000, 2);
  const live = r.add(route('1', 'a'));
  for (const id of ['2', '3', '4']) r.finish(r.add(route(id, `ns${id}`)));
  assert.deepEqual(
    r.list().map((x) => [x.cgroupId, x.finishedMs === 0 ? 'running' : 'finished']),
    [
      ['1', 'running'],
      ['4', 'finished'],
      ['3', 'finished'],
    ]
  );
  assert.equal(r.route('h1', '2'), undefined, 'dropped beyond the bound');
  r.finish(live);
  r.finish(live); // twice: no effect
  assert.equal(r.list().length, 2);
});

test("a Landlock domain created by a canister's workload routes its denials there, by domain after the first", () => {
  let now = 0;
  const r = new CanisterRoutes(() => now, 1000, 8, undefined, 2);
  const a = r.add(route('42'));
  const other = r.add(route('43', 'other'));
  r.setCreator(a, { pid: 100, start: '555' });
  r.setCreator(other, { pid: 200, start: '777' });
  assert.equal(r.routeDomain('h1', { domain: 'd1' }), undefined, 'unknown domain, no creator');
  assert.equal(r.unknownDomains, 1);
  assert.equal(
    r.routeDomain('h1', { domain: 'd1', creator: { pid: 100, start: '999' } }),
    undefined,
    'a reused pid (another start time) is not the creator'
  );
  assert.equal(
    r.routeDomain('h2', { domain: 'd1', creator: { pid: 100, start: '555' } }),
    undefined
  );
  assert.equal(r.routeDomain('h1', { domain: 'd1', creator: { pid: 100, start: '555' } }), 'web');
  // Later denials carry the domain only (the source no longer knows the creator): still routed.
  assert.equal(r.routeDomain('h1', { domain: 'd1' }), 'web');
  assert.equal(a.events, 2);
  // The creator reaped before its record was read: its pid alone, within the route's life.
  assert.equal(r.routeDomain('h1', { domain: 'd2', creator: { pid: 200 } }), 'other');
  // Finished: routed for the grace period, then forgotten with the route.
  r.finish(a);
  now = 900;
  assert.equal(r.routeDomain('h1', { domain: 'd1' }), 'web');
  now = 1001;
  assert.equal(r.routeDomain('h1', { domain: 'd1' }), undefined);
  assert.equal(r.domainCount, 1, "only the running canister's domain is left");
  // Bounded: the oldest domain goes first.
  r.setCreator(a, { pid: 1 }); // a finished route takes no creator
  assert.equal(r.routeDomain('h1', { domain: 'd9', creator: { pid: 1 } }), undefined);
  r.routeDomain('h1', { domain: 'd3', creator: { pid: 200, start: '777' } });
  r.routeDomain('h1', { domain: 'd4', creator: { pid: 200, start: '777' } });
  assert.equal(r.domainCount, 2);
  assert.equal(r.routeDomain('h1', { domain: 'd2' }), undefined, 'dropped beyond the bound');
  // A namespace deleted: its domains go with its routes.
  r.finish(other);
  r.forgetNamespace('other');
  assert.equal(r.domainCount, 0);
});
