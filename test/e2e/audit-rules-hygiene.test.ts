/**
 * Kernel state never outlives its owner (root; CI runs it): an audit exporter's rule names its
 * owner; kill -9 leaves the rule, and the next start removes it; SIGTERM removes its own rule and
 * exits 0 within 2 s, even the moment the rule appears. The kernel's backlog limit, raised while an exporter runs, is put back the
 * same way. Rules are narrowed to this test's children (--audit-ppid).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ruleOwner } from '../../exporter/audit/audit-rules.js';
import { DEFAULT_BACKLOG_LIMIT, readAuditStatus } from '../../exporter/audit/audit-source.js';
import { type CliEngine, startCliEngine } from '../helpers/cli-engine.js';
import { auditSkipReason, listAuditRules } from '../helpers/kernel.js';
import { spawnTsem, type TsemProcess } from '../helpers/tsem-process.js';

const skip = await auditSkipReason();
let e: CliEngine;
let runDir: string;
before(async () => {
  if (skip) return;
  e = await startCliEngine();
  runDir = mkdtempSync(join(tmpdir(), 'tsem-run-'));
});
after(async () => {
  if (skip) return;
  await e.close();
  rmSync(runDir, { recursive: true, force: true });
});

const ownedBy = async (pid: number) =>
  (await listAuditRules()).filter((r) => ruleOwner(r)?.pid === pid);

async function startExporter(pollMs = 50): Promise<TsemProcess> {
  const p = spawnTsem(
    [
      'export',
      '--source',
      'audit',
      '--audit-ppid',
      String(process.pid),
      '--to',
      e.engine.address,
      '--namespace',
      'hygiene',
    ],
    { env: { TSEM_RUN_DIR: runDir } }
  );
  for (let i = 0; i < 10_000 / pollMs && (await ownedBy(p.pid)).length === 0; i++)
    await new Promise((r) => setTimeout(r, pollMs));
  assert.equal((await ownedBy(p.pid)).length, 1, `exporter ${p.pid} added its rule: ${p.err()}`);
  return p;
}

test(
  'kill -9 leaves the rule and the raised backlog limit; the next start removes both; SIGTERM its own',
  { skip },
  async () => {
    const limit = async () => (await readAuditStatus()).backlogLimit;
    const found = await limit();
    const raised = found === 0 || found >= DEFAULT_BACKLOG_LIMIT ? found : DEFAULT_BACKLOG_LIMIT;
    const first = await startExporter();
    assert.equal(await limit(), raised, 'raised while the exporter runs');
    const [rule] = await ownedBy(first.pid);
    assert.ok(
      rule!.keys.some((k) => k.startsWith('tsem-owner=')),
      'the key names the owner'
    );
    first.kill('SIGKILL');
    await first.exited;
    assert.equal((await ownedBy(first.pid)).length, 1, 'kill -9 cannot remove the rule');
    assert.equal(await limit(), raised, 'nor put the backlog limit back');

    const second = await startExporter();
    assert.deepEqual(await ownedBy(first.pid), [], "the dead owner's rule was removed at start");

    const t0 = Date.now();
    second.kill('SIGTERM');
    const { code } = await second.exited;
    const ms = Date.now() - t0;
    assert.equal(code, 0, second.err());
    assert.ok(ms < 2000, `exited ${ms} ms after SIGTERM`);
    assert.deepEqual(await ownedBy(second.pid), [], 'SIGTERM removed its own rule');
    assert.equal(await limit(), found, 'and put the backlog limit back as it was found');
  }
);

test('SIGTERM the moment the rule appears: exit 0, the rule removed', { skip }, async () => {
  // The rule is added while the source starts; the signal must already be handled by then.
  for (let round = 0; round < 3; round++) {
    const p = await startExporter(2);
    p.kill('SIGTERM');
    const { code, signal } = await p.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, p.err());
    assert.deepEqual(await ownedBy(p.pid), [], 'SIGTERM removed its rule');
  }
});
