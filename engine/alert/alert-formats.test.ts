import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ecsAlertProblems, ocsfDetectionFindingProblems } from '../../test/helpers/siem-schema.js';
import type { AlertRecord } from '../incident/incident.js';
import { IncidentTracker } from '../incident/tracker.js';
import { ecsAlert, nativeAlert, ocsfAlert } from './formats.js';
import { parseOutput } from './output-spec.js';
import { escapeSdValue, octetCounted, syslogMessage } from './syslog-format.js';
import { signWebhook, webhookKey } from './webhook-sink.js';

const product = { name: 'tsem-engine', version: '9.9.9' };
const LINE =
  '{"event":{"pid":"42","ppid":"1","process":"sh","type":"file_open"},"file_open":{"file":{"path":{"pathname":"/etc/passwd"}}}}';

function records(): AlertRecord[] {
  const t = new IncidentTracker({ newId: () => 'c0ffee00-0000-4000-8000-000000000001' });
  const base = {
    namespace: 'web"]\\',
    mode: 'enforce' as const,
    host: 'node-1',
    exporter: 'fanotify',
    process: 'sh',
    pid: 42,
    taskKey: 'pid:42',
    taskId: 'aa',
    pTaskId: 'bb',
    line: LINE,
    ima: [],
  };
  t.observe({
    ...base,
    timeMs: 1_700_000_000_000,
    seq: 7,
    type: 'file_open',
    kind: 'off-contour',
    action: 'deny',
    coefficient: 'ab',
  });
  t.observe({
    ...base,
    timeMs: 1_700_000_000_005,
    seq: 8,
    type: 'socket_connect',
    kind: 'untrusted-task',
    action: 'deny',
    line: '{"event":{"pid":"42"},"socket_connect":{"addr":{"af_inet":{"address":"203.0.113.9","port":"4444"}}}}',
  });
  const open = t.drain(1_700_000_000_010).records;
  t.tick(1_800_000_000_000);
  return [...open, ...t.drain(1_800_000_000_000).records];
}

test('OCSF Detection Finding: every record passes the schema field list; Create, then Close', () => {
  const recs = records();
  assert.deepEqual(
    recs.map((r) => r.activity),
    ['open', 'close']
  );
  for (const r of recs) {
    const f = ocsfAlert(r, product);
    assert.deepEqual(ocsfDetectionFindingProblems(f), [], JSON.stringify(f));
  }
  const [open, close] = recs.map((r) => ocsfAlert(r, product));
  assert.equal(open!['type_uid'], 200401);
  assert.equal(open!['is_alert'], true);
  assert.equal(close!['type_uid'], 200403);
  assert.equal(close!['status_id'], 4);
  assert.deepEqual(open!['metadata'], {
    version: '1.8.0',
    uid: 'c0ffee00-0000-4000-8000-000000000001.1',
    product: { name: 'tsem-engine', vendor_name: 'tsem-engine', version: '9.9.9' },
    log_name: 'incidents',
  });
  const ev = (open!['evidences'] as Record<string, unknown>[])[0]!;
  assert.deepEqual(ev['file'], { name: 'passwd', path: '/etc/passwd', type_id: 1 });
  assert.deepEqual((open!['evidences'] as Record<string, unknown>[])[1]!['dst_endpoint'], {
    ip: '203.0.113.9',
    port: 4444,
  });
  // the schema check catches what it is meant to catch
  assert.notDeepEqual(ocsfDetectionFindingProblems({ ...open, type_uid: 200402 }), []);
  assert.notDeepEqual(ocsfDetectionFindingProblems({ ...open, metadata: { product: {} } }), []);
});

test('ECS: required fields and categorization values hold for every record', () => {
  for (const r of records()) assert.deepEqual(ecsAlertProblems(ecsAlert(r, product)), []);
  const d = ecsAlert(records()[0]!, product);
  assert.equal((d['event'] as Record<string, unknown>)['kind'], 'alert');
  assert.deepEqual((d['event'] as Record<string, unknown>)['type'], ['denied']);
  assert.deepEqual(d['file'], { path: '/etc/passwd' });
  assert.notDeepEqual(
    ecsAlertProblems({
      ...d,
      event: { kind: 'signal', category: ['intrusion_detection'], type: ['info'] },
    }),
    []
  );
});

test('native: the incident as kept, with its stable delivery id', () => {
  const n = nativeAlert(records()[1]!);
  assert.equal(n['schema'], 'tsem.alert.v1');
  assert.equal(n['id'], 'c0ffee00-0000-4000-8000-000000000001.2');
  assert.equal((n['incident'] as { counts: { events: number } }).counts.events, 2);
});

test('syslog: RFC 5424 header, escaped structured data, BOM before MSG, octet counting', () => {
  const r = records()[0]!;
  const msg = syslogMessage(r, '{"x":1}', {
    facility: 4,
    hostname: 'node 1',
    appName: 'tsem',
    procId: '77',
    sdId: 'tsem@32473',
  }).toString('utf8');
  // auth (4) × 8 + crit (2) for a high-severity opening
  assert.match(
    msg,
    /^<34>1 2023-11-14T22:13:20\.010Z node_1 tsem 77 incident-open \[tsem@32473 id="c0ffee00-0000-4000-8000-000000000001" version="1" seq="1" namespace="web\\"\\]\\\\" severity="high" status="open"\] \ufeff\{"x":1\}$/
  );
  assert.equal(escapeSdValue('a"b\\c]d'), 'a\\"b\\\\c\\]d');
  const framed = octetCounted(Buffer.from('héllo'));
  assert.equal(framed.toString('utf8'), '6 héllo', 'the length counts octets, not characters');
});

test('webhook signature: the Standard Webhooks test vector', () => {
  const key = webhookKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  assert.equal(
    signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
    'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
  );
  assert.deepEqual(webhookKey('plain'), Buffer.from('plain'));
});

test('output specs: one spelling for flags and the config file, errors name the key', () => {
  const w = parseOutput(
    'webhook:https://hooks.example/tsem;format=ocsf;secret-env=HOOK',
    '--alert[0]'
  );
  assert.deepEqual(w, {
    type: 'webhook',
    url: 'https://hooks.example/tsem',
    name: 'webhook:https://hooks.example/tsem',
    format: 'ocsf',
    maxQueue: 10_000,
    secretEnv: 'HOOK',
    timeoutMs: 10_000,
  });
  assert.deepEqual(
    parseOutput(
      { type: 'webhook', url: 'https://hooks.example/tsem', format: 'ocsf', 'secret-env': 'HOOK' },
      'x'
    ),
    w
  );
  const f = parseOutput('file:/var/log/tsem/alerts.jsonl;max-bytes=4096;keep=3', 'a');
  assert.equal(f.type === 'file' && f.maxBytes, 4096);
  const s = parseOutput('syslog:tcp:127.0.0.1:514;facility=local3', 'a');
  assert.equal(s.type === 'syslog' && s.facility, 19);
  const cases: [unknown, RegExp][] = [
    ['mail:x', /alert\[1\]\.type: expected file, syslog or webhook/],
    ['file:/x;format=xml', /alert\[1\]\.format: expected native, ocsf, ecs/],
    ['file:/x;max-bytes=ten', /alert\[1\]\.max-bytes: expected a whole number/],
    ['syslog:udp:1.2.3.4:514', /alert\[1\]\.address: expected unix:\/PATH or tcp:HOST:PORT/],
    ['syslog:unix:/dev/log;facility=nope', /alert\[1\]\.facility/],
    ['webhook:ftp://x', /alert\[1\]\.url: expected an http or https URL/],
    [{ type: 'webhook', url: 'http://x', colour: 'red' }, /alert\[1\]\.colour: unknown key/],
    [{ type: 'file' }, /alert\[1\]\.path: required/],
    ['nothing', /expected TYPE:TARGET/],
  ];
  for (const [spec, re] of cases) assert.throws(() => parseOutput(spec, 'alert[1]'), re);
});

test('a Landlock denial is named in the title, the OCSF evidence and types, and ECS', () => {
  const t = new IncidentTracker({ newId: () => 'c0ffee00-0000-4000-8000-000000000002' });
  t.observe({
    namespace: 'work',
    mode: 'sealed',
    host: 'node-1',
    exporter: 'audit',
    process: 'sh',
    pid: 42,
    taskKey: 'pid:42',
    taskId: 'aa',
    pTaskId: 'bb',
    line: LINE,
    ima: [],
    timeMs: 1_700_000_000_000,
    seq: 9,
    type: 'file_open',
    kind: 'off-contour',
    action: 'allow',
    coefficient: 'ab',
    landlock: 'fs.read_file',
  });
  const [r] = t.drain(1_700_000_000_010).records;
  assert.ok(r);
  assert.equal(r.incident.severity, 'medium', 'as any off-contour event in a sealed namespace');
  assert.match(r.incident.title, /\(denied by Landlock: fs\.read_file\)$/);
  assert.equal(r.incident.counts.denied, 1, 'the kernel denied it');
  assert.equal(r.incident.denials[0]?.landlock, 'fs.read_file');
  const o = ocsfAlert(r, product) as {
    finding_info: { types: string[] };
    evidences: { data: Record<string, unknown> }[];
  };
  assert.deepEqual(ocsfDetectionFindingProblems(o), []);
  assert.ok(o.finding_info.types.includes('landlock-denied'));
  assert.equal(o.evidences[0]?.data['landlock_denied'], 'fs.read_file');
  const e = ecsAlert(r, product) as {
    event: { type: string[] };
    labels: Record<string, string>;
  };
  assert.deepEqual(ecsAlertProblems(e), []);
  assert.deepEqual(e.event.type, ['denied']);
  assert.equal(e.labels['tsem_landlock_denied'], 'fs.read_file');
});
