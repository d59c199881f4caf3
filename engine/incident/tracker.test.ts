import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventSeverity, type IncidentEvent, IncidentTracker } from './tracker.js';
import { RateLimiter } from './rate-limit.js';

let seq = 0;
function ev(p: Partial<IncidentEvent> & { pid: number }): IncidentEvent {
  seq++;
  return {
    namespace: 'web',
    mode: 'enforce',
    host: 'h',
    exporter: 'sim',
    timeMs: 1000 + seq,
    seq,
    type: 'file_open',
    process: 'sh',
    taskKey: `pid:${p.pid}`,
    taskId: 'aa',
    pTaskId: 'bb',
    kind: 'on-contour',
    action: 'allow',
    line: `{"event":{"pid":"${p.pid}"}}`,
    ima: [],
    ...p,
  };
}

function tracker(opts: Partial<ConstructorParameters<typeof IncidentTracker>[0]> = {}) {
  let n = 0;
  return new IncidentTracker({ newId: () => `inc-${++n}`, ...opts });
}

test('one off-contour event opens one incident; the task and its children attach to it', () => {
  const t = tracker();
  assert.equal(t.observe(ev({ pid: 10, kind: 'on-contour' })), undefined, 'not an alert');
  const id = t.observe(ev({ pid: 20, kind: 'off-contour', action: 'deny' }));
  assert.equal(id, 'inc-1');
  for (let i = 0; i < 13; i++)
    assert.equal(t.observe(ev({ pid: 20, kind: 'untrusted-task', action: 'deny' })), id);
  // a child (names pid 20 as its parent), then the child's own later events
  assert.equal(t.observe(ev({ pid: 21, parentKey: 'pid:20', kind: 'lifecycle' })), id);
  assert.equal(t.observe(ev({ pid: 21, kind: 'untrusted-task', action: 'deny' })), id);
  // an unrelated task's on-contour event does not attach
  assert.equal(t.observe(ev({ pid: 30, parentKey: 'pid:1' })), undefined);
  const { records, incidents } = t.drain(5000);
  assert.deepEqual(
    records.map((r) => r.activity),
    ['open'],
    'one record for the whole burst, emitted when the batch is complete'
  );
  const inc = records[0]!.incident;
  assert.equal(inc.counts.events, 16);
  assert.equal(inc.counts.offContour, 1);
  assert.equal(inc.counts.untrusted, 14);
  assert.equal(inc.counts.denied, 15);
  assert.equal(inc.taskCount, 2);
  assert.deepEqual(inc.tasks, ['pid:20', 'pid:21']);
  assert.equal(inc.severity, 'high');
  assert.equal(inc.version, 1);
  assert.equal(incidents.length, 1);
  assert.equal(t.incidentOfTask('web', 'pid:21'), id);
});

test('severity: enforce deny > sealed off-contour > audit would-be; IMA failures by mode', () => {
  assert.equal(eventSeverity(ev({ pid: 1, kind: 'off-contour', action: 'deny' })), 'high');
  assert.equal(eventSeverity(ev({ pid: 1, kind: 'off-contour', mode: 'sealed' })), 'medium');
  assert.equal(eventSeverity(ev({ pid: 1, kind: 'would-be-off-contour', mode: 'audit' })), 'low');
  const ima = [{ filename: '/bin/x', cause: 'invalid-hash', status: 'fail' }];
  assert.equal(eventSeverity(ev({ pid: 1, mode: 'audit', ima })), 'low');
  assert.equal(eventSeverity(ev({ pid: 1, mode: 'sealed', ima })), 'medium');
  assert.equal(eventSeverity(ev({ pid: 1, kind: 'learned' })), undefined);
  // an incident's severity is the highest of its alerts
  const t = tracker();
  t.observe(ev({ pid: 5, kind: 'would-be-off-contour', mode: 'audit' }));
  t.observe(ev({ pid: 5, kind: 'off-contour', action: 'deny' }));
  assert.equal(t.drain(0).records[0]!.incident.severity, 'high');
});

test('IMA failures attach once per file and cause, whichever level reported them', () => {
  const t = tracker();
  const fail = {
    filename: '/usr/bin/x',
    cause: 'invalid-signature',
    status: 'fail',
    enforced: 'true',
  };
  // host level and namespace level report the same failure on one event
  t.observe(
    ev({ pid: 7, mode: 'enforce', action: 'deny', ima: [fail, { ...fail, namespace: 'web' }] })
  );
  t.observe(ev({ pid: 7, mode: 'enforce', action: 'deny', ima: [fail] }));
  const inc = t.drain(0).records[0]!.incident;
  assert.equal(inc.ima.length, 1);
  assert.equal(inc.ima[0]!.enforced, true);
  assert.equal(inc.counts.ima, 2, 'events with IMA failures are counted');
});

test('rate limiting: a storm folds into one counted incident; another severity still opens', () => {
  const t = tracker({ rateLimit: { burst: 3, perMinute: 1 } });
  const ids = new Set<string>();
  for (let pid = 100; pid < 150; pid++)
    ids.add(t.observe(ev({ pid, kind: 'would-be-off-contour', mode: 'audit', timeMs: 1000 }))!);
  assert.equal(ids.size, 4, '3 incidents, then one rate-limited incident');
  const high = t.observe(ev({ pid: 999, kind: 'off-contour', action: 'deny', timeMs: 1000 }));
  assert.ok(high && !ids.has(high), 'the one real alert is not drowned');
  const recs = t.drain(2000).records;
  const storm = recs.find((r) => r.incident.rateLimited)!.incident;
  assert.equal(storm.counts.suppressed, 47);
  assert.match(storm.title, /rate limited/);
  // the bucket refills: a minute later one more opens on its own
  const later = t.observe(
    ev({ pid: 2000, kind: 'would-be-off-contour', mode: 'audit', timeMs: 61_000 })
  );
  assert.ok(later && !ids.has(later));
  const limiter = new RateLimiter({ burst: 0, perMinute: 1 });
  assert.ok(limiter.take('x', 0) && limiter.take('x', 0), 'burst 0 turns limiting off');
});

test('quiet incidents close; updates go out at most every interval; release closes with who', () => {
  const t = tracker({ quietMs: 10_000, updateIntervalMs: 1000 });
  const a = t.observe(ev({ pid: 1, kind: 'off-contour', action: 'deny', timeMs: 0 }))!;
  const b = t.observe(ev({ pid: 2, kind: 'off-contour', action: 'deny', timeMs: 0 }))!;
  assert.deepEqual(
    t.drain(0).records.map((r) => r.activity),
    ['open', 'open']
  );
  t.observe(ev({ pid: 1, kind: 'untrusted-task', action: 'deny', timeMs: 500 }));
  t.tick(600);
  assert.equal(t.drain(600).records.length, 0, 'too soon for an update');
  t.tick(1200);
  const upd = t.drain(1200).records;
  assert.deepEqual(
    upd.map((r) => [r.activity, r.incident.id, r.incident.version]),
    [['update', a, 2]]
  );
  assert.deepEqual(t.release('web', ['pid:2'], 'ops', 1300), [b]);
  t.tick(10_600);
  const rest = t.drain(10_600).records;
  assert.deepEqual(
    rest.map((r) => [r.activity, r.incident.id, r.incident.closeReason, r.incident.releasedBy]),
    [
      ['close', b, 'released', 'ops'],
      ['close', a, 'quiet', undefined],
    ]
  );
  assert.equal(t.openIncidents().length, 0);
  assert.equal(t.hasOpen('web'), false);
  // log sequence numbers are consecutive across drains
  assert.deepEqual(
    [...upd, ...rest].map((r) => r.seq),
    [3, 4, 5]
  );
});

test('restore: open incidents and task links come back; ids and sequence numbers go on', () => {
  const t = tracker();
  const id = t.observe(ev({ pid: 40, kind: 'off-contour', action: 'deny' }))!;
  const { incidents } = t.drain(0);
  const t2 = tracker();
  t2.restore(incidents, t.nextSeq);
  assert.equal(t2.observe(ev({ pid: 40, kind: 'untrusted-task', action: 'deny' })), id);
  t2.tick(10_000_000);
  const recs = t2.drain(10_000_000).records;
  assert.deepEqual(
    recs.map((r) => [r.seq, r.activity, r.incident.version]),
    [[2, 'close', 2]]
  );
  assert.equal(recs[0]!.incident.counts.events, 2);
});

test('tasks gone: the probe closes an incident (never before its opening went out)', () => {
  const t = tracker();
  t.observe(ev({ pid: 50, kind: 'off-contour', action: 'deny', timeMs: 0 }));
  t.tick(1, () => true);
  assert.deepEqual(
    t.drain(1).records.map((r) => r.activity),
    ['open']
  );
  t.tick(2, (_inc, keys) => keys.has('pid:50'));
  const r = t.drain(2).records;
  assert.deepEqual(
    r.map((x) => [x.activity, x.incident.closeReason]),
    [['close', 'tasks-gone']]
  );
});
