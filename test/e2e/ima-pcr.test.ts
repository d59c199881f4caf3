/** With a TPM, the root IMA log is extended into PCR 10: the TPM's PCR 10 equals the log's replay. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createImaStage } from '../../engine/ima-stage/create-ima-stage.js';
import { startEngine } from '../../engine/index.js';
import { openTpm } from '../../engine/tpm/open-tpm.js';
import { createTrust } from '../../engine/trust/create-trust.js';
import { createScenario } from '../../exporter/sim/index.js';
import { clients, ingest, toWire } from '../helpers/grpc.js';
import { startSwtpm, swtpmSkipReason } from '../helpers/swtpm.js';

test('the host IMA log lands in PCR 10 of every bank', { skip: swtpmSkipReason() }, async () => {
  const sw = await startSwtpm();
  const dir = mkdtempSync(join(tmpdir(), 'tsem-imapcr-'));
  try {
    const ima = createImaStage({ readXattr: () => undefined, hashFile: () => undefined });
    const trust = await createTrust({ tpm: sw.spec, agent: false, imaEntries: () => ima.host.log.entries, log: () => undefined });
    const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, stages: [ima.stage, ...trust.stages], ima: ima.logs, aggregate: trust.aggregate, log: () => undefined });
    const c = clients(engine.address);
    for (const [ns, scenario] of [['root', 'shell'], ['web', 'nginx']] as const) {
      await ingest(c, [[...createScenario(scenario, { seed: 2, iterations: 1 }).events()].map((e) => toWire(ns, e))]);
    }
    c.close();
    await engine.stop();
    await trust.close();
    assert.ok(ima.host.log.entries.length > 1, 'the host log measured something');
    const tpm = await openTpm(sw.spec);
    try {
      for (const bank of ['sha1', 'sha256']) {
        const pcr10 = (await tpm.pcrRead(bank, [10])).get(10)!;
        assert.equal(pcr10.toString('hex'), ima.host.log.aggregate(bank).toString('hex'), `${bank} PCR 10`);
      }
    } finally {
      await tpm.close();
    }
  } finally {
    await sw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
