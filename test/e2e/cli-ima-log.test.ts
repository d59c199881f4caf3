/** `tsem ima log` fetches a namespace's list; `tsem ima verify-log` replays it to the served pcr10. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { createScenario } from '../../exporter/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { clients, ingest, toWire } from '../helpers/grpc.js';

test('ima log serves a list that verify-log accepts with the same PCR 10', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-imalog-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    ima: { localFiles: false },
    log: () => undefined,
  });
  const c = clients(engine.address);
  try {
    await ingest(c, [
      [...createScenario('shell', { seed: 4, iterations: 1 }).events()].map((e) => toWire('sh', e)),
    ]);
    const list = join(dir, 'sh.bin');
    const got = await runCli(
      'ima',
      'log',
      '--server',
      engine.address,
      '--namespace',
      'sh',
      '--format',
      'binary',
      '-o',
      list
    );
    assert.equal(got.code, 0, got.err);
    const entries = /entries (\d+)/.exec(got.err)![1]!;
    const pcr10 = /pcr10 sha1 ([0-9a-f]{40})/.exec(got.err)![1]!;
    assert.ok(Number(entries) > 0);
    const v = await runCli('ima', 'verify-log', list, '--format', 'binary', '--pcr-banks', 'sha1');
    assert.equal(v.code, 0, v.err);
    assert.match(v.out, new RegExp(`^entries ${entries}$`, 'm'));
    assert.match(v.out, new RegExp(`^pcr10 sha1 ${pcr10}$`, 'm'));
    const bad = await runCli('ima', 'log', '--server', engine.address, '--namespace', 'nope');
    assert.equal(bad.code, 65);
    assert.match(bad.err, /namespace 'nope' does not exist/);
  } finally {
    c.close();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
