import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileCell, sourceEvent } from './helpers/events.js';
import { generateKeyPair } from '../engine/attest/keys.js';
import { expectedFromTrajectory } from '../engine/attest/expected-state.js';
import { verifyReport } from '../engine/attest/verify-report.js';
import { AgentError, Controller, ModelingAgent } from '../tee-sim/host/agent-client.js';
import { signControl } from '../tee-sim/control-auth.js';
import { createScenario } from '../exporter/sim/index.js';
import { type AgentInit, type EventResult, MAX_EVENT_BATCH } from '../tee-sim/protocol.js';
import { platformSealKey, unseal } from '../tee-sim/agent/sealed-store.js';

const D = (s: string) => createHash('sha256').update(s).digest('hex');
const line = (pid: number, path: string) =>
  JSON.stringify(sourceEvent(pid, 'file_open', { file: fileCell(path, D(path)) }));
const AGGREGATE = D('boot');
let dir: string;
let secretPath: string;
const controllerKeys = generateKeyPair();
const init = (over: Partial<AgentInit> = {}): AgentInit => ({
  platformSecretPath: secretPath,
  aggregate: AGGREGATE,
  controllerKey: Buffer.from(controllerKeys.publicKey).toString('base64'),
  ...over,
});

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsem-tee-'));
  secretPath = join(dir, 'platform.secret');
  writeFileSync(secretPath, randomBytes(32));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('events in, verdicts out; a signed report verifies against the replayed trajectory', async () => {
  const agent = await ModelingAgent.start(init());
  try {
    const ctl = new Controller(controllerKeys.secretKey);
    await agent.control(ctl.next('create-namespace', { id: 'app' }));
    const lines = [line(1, '/bin/sh'), line(1, '/etc/hosts'), line(1, '/bin/sh')];
    const kinds = [];
    for (const l of lines) {
      const r = await agent.processEvent('app', l);
      kinds.push(r.record === 'event' ? r.verdict.kind : r.record);
    }
    assert.deepEqual(kinds, ['learned', 'learned', 'on-contour']);
    await agent.control(ctl.next('set-mode', { ns: 'app', mode: 'sealed' }));
    const off = await agent.processEvent('app', line(2, '/tmp/evil'));
    assert.equal(off.record === 'event' && off.verdict.kind, 'off-contour');

    const nonce = randomBytes(16);
    const report = await agent.report('app', nonce);
    assert.equal(report.aggregate, AGGREGATE);
    assert.equal(report.mode, 'sealed');
    assert.deepEqual([report.points, report.forensics], [2, 1]);
    assert.deepEqual(verifyReport(report, { publicKey: agent.publicKey, nonce }).findings, []);
    // The trajectory alone (without the forensic event) gives another state: named.
    const expected = expectedFromTrajectory(Buffer.from(lines.join('\n')), report);
    assert.deepEqual(
      verifyReport(report, { publicKey: agent.publicKey, nonce, expected }).findings.map(
        (f) => f.id
      ),
      ['state.measurement', 'state.state', 'state.forensics']
    );
    const all = Buffer.from([...lines, line(2, '/tmp/evil')].join('\n'));
    // With the forensic event replayed in learn mode, measurement and state agree (§2.6: forensic
    // points extend too) and only the valid/forensic split differs.
    const split = verifyReport(report, {
      publicKey: agent.publicKey,
      nonce,
      expected: expectedFromTrajectory(all, report),
    });
    assert.deepEqual(
      split.findings.map((f) => f.id),
      ['state.points', 'state.forensics']
    );
  } finally {
    await agent.close();
  }
});

test('control messages must be signed by the controller and never replayed', async () => {
  const agent = await ModelingAgent.start(init());
  try {
    const ctl = new Controller(controllerKeys.secretKey);
    const create = ctl.next('create-namespace', { id: 'a' });
    await agent.control(create);
    await assert.rejects(
      agent.control(create),
      (e: Error) =>
        e instanceof AgentError && /counter 1 is not above 1 \(replayed\?\)/.test(e.message)
    );
    const intruder = generateKeyPair();
    await assert.rejects(
      agent.control(signControl('set-mode', { ns: 'a', mode: 'learn' }, 99, intruder.secretKey)),
      /not signed by the controller key/
    );
    const forged = {
      ...ctl.next('set-mode', { ns: 'a', mode: 'sealed' }),
      args: { ns: 'a', mode: 'learn' },
    };
    await assert.rejects(agent.control(forged), /not signed by the controller key/);
    await assert.rejects(agent.processEvent('nope', line(1, '/x')), /no namespace 'nope'/);
    assert.equal((await agent.status('a')).mode, 'learn');
  } finally {
    await agent.close();
  }
});

test("the agent's signing key never leaves the worker except sealed; sealed state round-trips", async () => {
  const seen: string[] = [];
  const agent = await ModelingAgent.start(init());
  let sealed: Buffer;
  const ctl = new Controller(controllerKeys.secretKey);
  try {
    seen.push(JSON.stringify(await agent.hello()));
    seen.push(JSON.stringify(await agent.control(ctl.next('create-namespace', { id: 'n' }))));
    seen.push(JSON.stringify(await agent.processEvent('n', line(5, '/bin/true'))));
    seen.push(JSON.stringify(await agent.report('n', randomBytes(8))));
    const res = (await agent.control(ctl.next('seal-state'))) as { sealed: string };
    seen.push(JSON.stringify(res));
    sealed = Buffer.from(res.sealed, 'base64');
  } finally {
    await agent.close();
  }
  // Only the platform (secret file + aggregate) can open the sealed state: do so to learn the key.
  const content = JSON.parse(
    Buffer.from(
      unseal(sealed, platformSealKey(await readSecret(), Buffer.from(AGGREGATE, 'hex')))
    ).toString()
  ) as { secretKey: string };
  const secret = Buffer.from(content.secretKey, 'base64');
  assert.deepEqual(
    new Uint8Array(secret.subarray(32)),
    agent.publicKey,
    'sealed key is the agent key'
  );
  for (const enc of [
    secret.toString('base64'),
    secret.toString('hex'),
    secret.subarray(0, 32).toString('base64'),
    secret.subarray(0, 32).toString('hex'),
  ]) {
    for (const s of seen) assert.equal(s.includes(enc), false, 'secret key material in a message');
  }
  assert.equal(sealed.includes(secret.subarray(0, 32)), false);

  const resumed = await ModelingAgent.start(init({ sealedState: sealed }));
  try {
    assert.deepEqual(resumed.publicKey, agent.publicKey);
    assert.equal((await resumed.status('n')).points, 1);
    // The counter survived: the old seal-state message (counter 2) cannot be replayed.
    await assert.rejects(
      resumed.control({ ...ctl.next('seal-state'), counter: 2 }),
      /not signed by the controller key|not above/
    );
  } finally {
    await resumed.close();
  }
  await assert.rejects(
    ModelingAgent.start(init({ sealedState: sealed, aggregate: D('other boot') })),
    /does not open with this platform key/
  );
  const otherSecret = join(dir, 'other.secret');
  writeFileSync(otherSecret, randomBytes(32));
  await assert.rejects(
    ModelingAgent.start(init({ sealedState: sealed, platformSecretPath: otherSecret })),
    /does not open with this platform key/
  );
});

async function readSecret(): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(secretPath);
}

test('one events message gives the same verdicts and state as the same lines sent one by one', async () => {
  const agent = await ModelingAgent.start(init());
  try {
    const ctl = new Controller(controllerKeys.secretKey);
    for (const id of ['single', 'batch', 'other'])
      await agent.control(ctl.next('create-namespace', { id }));
    const learn = [...createScenario('shell', { seed: 4, iterations: 2 }).events()].map((e) =>
      JSON.stringify(e)
    );
    const attack = [...createScenario('reverse-shell', { seed: 5, iterations: 1 }).events()].map(
      (e) => JSON.stringify(e)
    );
    const aggregate = JSON.stringify({
      export: { type: 'aggregate' },
      aggregate: { value: D('elsewhere') },
    });
    // Bytes and text, a non-event record and a bad line (refused alone, the rest goes on).
    const head: (string | Uint8Array)[] = [
      ...learn.slice(0, 100),
      Buffer.from(learn[100]!),
      aggregate,
      '{"nope": 1}',
      ...learn.slice(101),
    ];
    const compact = (r: EventResult) =>
      r.record === 'event' ? `${r.verdict.kind} ${r.verdict.coefficient ?? '-'}` : r.record;
    const one = async (lines: readonly (string | Uint8Array)[]) => {
      const out: string[] = [];
      for (const l of lines)
        out.push(
          await agent.processEvent('single', l).then(compact, (e: Error) => `error ${e.message}`)
        );
      return out;
    };
    const many = async (lines: readonly (string | Uint8Array)[]) =>
      (await agent.processEvents([{ ns: 'batch', lines }])).map((v) =>
        'error' in v
          ? `error ${v.error}`
          : 'record' in v
            ? v.record
            : `${v.kind} ${v.coefficient ?? '-'}`
      );

    const singles = await one(head);
    assert.deepEqual(
      await many(head),
      singles.map((s) => s.replace('namespace single', 'namespace batch'))
    );
    assert.equal(singles[101], 'aggregate');
    assert.match(singles[102]!, /^error /);
    for (const id of ['single', 'batch'])
      await agent.control(ctl.next('set-mode', { ns: id, mode: 'sealed' }));
    const tail = await one(attack);
    assert.deepEqual(await many(attack), tail);
    assert.ok(
      tail.some((s) => s.startsWith('off-contour ')),
      'the attack is off the sealed contour'
    );
    const figures = async (id: string) => {
      const { namespace: _, ...rest } = await agent.status(id);
      return rest;
    };
    assert.deepEqual(await figures('batch'), await figures('single'));
    assert.equal((await figures('batch')).events, learn.length + attack.length);

    // Runs of several namespaces in one message keep their order; an unknown namespace is named per event.
    const mixed = await agent.processEvents([
      { ns: 'other', lines: learn.slice(0, 3) },
      { ns: 'missing', lines: [learn[0]!] },
      { ns: 'other', lines: learn.slice(3, 5) },
    ]);
    assert.deepEqual(
      mixed.map((v) => ('error' in v ? v.error : 'record' in v ? v.record : 'event')),
      [
        ...Array<string>(3).fill('event'),
        "no namespace 'missing' in the agent (create it with a control message)",
        'event',
        'event',
      ]
    );
    assert.equal((await agent.status('other')).events, 5);
    const tooMany = Array.from({ length: MAX_EVENT_BATCH + 1 }, () => learn[0]!);
    await assert.rejects(
      agent.processEvents([{ ns: 'other', lines: tooMany }]),
      new RegExp(`events: ${MAX_EVENT_BATCH + 1} events in one message, at most ${MAX_EVENT_BATCH}`)
    );
    assert.equal((await agent.status('other')).events, 5, 'a refused message changes nothing');
  } finally {
    await agent.close();
  }
});
