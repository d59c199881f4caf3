/** With a TPM, the root IMA log is extended into PCR 10: the TPM's PCR 10 equals the log's replay. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import { createScenario } from '../../exporter/sim/index.js';
import { clients, ingest, toWire } from '../helpers/grpc.js';
import { startSwtpm, swtpmSkipReason } from '../helpers/swtpm.js';

test('the host IMA log lands in PCR 10 of every bank', { skip: swtpmSkipReason() }, async () => {
  const sw = await startSwtpm();
  const dir = mkdtempSync(join(tmpdir(), 'tsem-imapcr-'));
  try {
    const engine = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      ima: { localFiles: false },
      tpm: sw.spec,
      log: () => undefined,
    });
    const ima = engine.ima!;
    const c = clients(engine.address);
    for (const [ns, scenario] of [
      ['root', 'shell'],
      ['web', 'nginx'],
    ] as const) {
      await ingest(c, [
        [...createScenario(scenario, { seed: 2, iterations: 1 }).events()].map((e) =>
          toWire(ns, e)
        ),
      ]);
    }
    c.close();
    await engine.stop();
    assert.ok(ima.host.log.entries.length > 1, 'the host log measured something');
    await assertPcr10(sw.spec, ima.host.log);
    // A restart on the same store and TPM: the TPM holds the whole restored log, so only what is
    // appended after the restart is extended.
    const again = await startEngine({
      listen: '127.0.0.1:0',
      dataDir: dir,
      ima: { localFiles: false },
      tpm: sw.spec,
      log: () => undefined,
    });
    const c2 = clients(again.address);
    await ingest(c2, [
      [...createScenario('cron-backup', { seed: 3, iterations: 1 }).events()].map((e) =>
        toWire('cron', e)
      ),
    ]);
    c2.close();
    await again.stop();
    assert.ok(
      again.ima!.host.log.entries.length > ima.host.log.entries.length,
      'the restarted engine appended entries'
    );
    await assertPcr10(sw.spec, again.ima!.host.log);
  } finally {
    await sw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function assertPcr10(spec: string, log: { aggregate(bank: string): Buffer }): Promise<void> {
  const tpm = await openTpm(spec);
  try {
    for (const bank of ['sha1', 'sha256']) {
      const pcr10 = (await tpm.pcrRead(bank, [10])).get(10)!;
      assert.equal(pcr10.toString('hex'), log.aggregate(bank).toString('hex'), `${bank} PCR 10`);
    }
  } finally {
    await tpm.close();
  }
}
