/** `tsem watch` end to end: a live subscription while `tsem export` feeds the engine. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createScenario } from '../../exporter/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { type CliEngine, startCliEngine } from '../helpers/cli-engine.js';

let e: CliEngine;
before(async () => {
  e = await startCliEngine();
});
after(() => e.close());

const MAX_EXPORTS = 20;

/**
 * Runs `watch` and exports `scenario` until it exits: the subscription registers asynchronously,
 * so the first export may come before it; later ones reach it.
 */
async function watchWhileExporting(watchArgs: string[], ns: string, scenario: string) {
  const watching = runCli('watch', ...watchArgs, '--namespace', ns, ...e.conn);
  let done = false;
  void watching.finally(() => (done = true));
  for (let i = 0; i < MAX_EXPORTS && !done; i++) {
    // Exit 1 when the export found off-contour events: expected for attack scenarios.
    const r = await runCli(
      'export',
      '--source',
      'sim',
      '--scenario',
      scenario,
      '--seed',
      String(10 + i),
      '--to',
      e.engine.address,
      '--data',
      e.dir,
      '--namespace',
      ns
    );
    assert.ok(r.code === 0 || r.code === 1, `export exited ${r.code}: ${r.err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const r = await watching;
  assert.equal(r.code, 0, r.err);
  return r.out.split('\n').filter((l) => l !== '');
}

test('--json prints one object per event with the verdict and the parsed event', async () => {
  const out = await watchWhileExporting(['--json', '--count', '5'], 'w-json', 'shell');
  assert.equal(out.length, 5);
  for (const line of out) {
    const n = JSON.parse(line) as {
      namespace: string;
      type: string;
      verdict: { kind: string };
      event: { event: { type: string } };
      time: string;
    };
    assert.equal(n.namespace, 'w-json');
    assert.equal(n.event.event.type, n.type);
    assert.match(n.verdict.kind, /^VERDICT_KIND_/);
    assert.ok(!Number.isNaN(Date.parse(n.time)));
  }
});

test('text lines: time, namespace, verdict, action, process[pid], type', async () => {
  const out = await watchWhileExporting(['--count', '4'], 'w-text', 'nginx');
  assert.equal(out.length, 4);
  for (const line of out) {
    assert.match(
      line,
      /^\d{4}-\d\d-\d\dT[\d:.]+Z w-text {2}(learned|on-contour|lifecycle|ERROR) (allow|deny) {2}\S+\[\d+\] [a-z_]+( {2}|$)/
    );
  }
});

test('--off-contour shows only the attack events of an audited namespace', async () => {
  await e.ok(
    'export',
    '--source',
    'sim',
    '--scenario',
    'shell',
    '--seed',
    '1',
    '--to',
    e.engine.address,
    '--data',
    e.dir,
    '--namespace',
    'w-off'
  );
  await e.ok('ns', 'mode', 'w-off', 'audit', ...e.conn);
  const malicious = createScenario('shadow-read', { seed: 10, iterations: 1 }).attackIndices.size;
  assert.ok(malicious > 0);
  const out = await watchWhileExporting(
    ['--off-contour', '--json', '--count', String(malicious)],
    'w-off',
    'shadow-read'
  );
  assert.equal(out.length, malicious);
  for (const line of out) {
    const n = JSON.parse(line) as { verdict: { kind: string }; alert: boolean };
    assert.equal(n.verdict.kind, 'VERDICT_KIND_WOULD_BE_OFF_CONTOUR');
    assert.equal(n.alert, true);
  }
});

test('--task must be hex; --count must be at least 1 (usage errors)', async () => {
  assert.equal((await runCli('watch', '--task', 'xyz', ...e.conn)).code, 2);
  assert.equal((await runCli('watch', '--count', '0', ...e.conn)).code, 2);
});
