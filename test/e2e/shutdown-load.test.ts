/**
 * Prompt shutdown under full load (root; CI runs it): `tsem serve` with an in-process audit source
 * flooded by a busy child, an exporter streaming as fast as the engine takes, and a subscriber.
 * SIGTERM ends it with status 0 within 2 s, its audit rule gone; a second start finds the store
 * sound (every acknowledged event there). Duration of the load: TSEM_SHUTDOWN_LOAD_SECONDS, else
 * 2 s in CI (CI=true) and 20 s by hand.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleOwner } from '../../exporter/audit/audit-rules.js';
import { clients, subscribe } from '../helpers/grpc.js';
import { auditSkipReason, listAuditRules } from '../helpers/kernel.js';
import { spawnTsem, testSeconds, type TsemProcess } from '../helpers/tsem-process.js';

const skip = await auditSkipReason();
const SECONDS = testSeconds('TSEM_SHUTDOWN_LOAD_SECONDS', 2, 20);

test(
  `SIGTERM after ${SECONDS} s of full load: exit 0 within 2 s, no rule left, the store sound`,
  { skip, timeout: (SECONDS + 60) * 1000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-shutdown-'));
    const runDir = mkdtempSync(join(tmpdir(), 'tsem-run-'));
    const env = { TSEM_RUN_DIR: runDir };
    const procs: TsemProcess[] = [];
    const flood = `const fs = require('fs'); for (;;) fs.closeSync(fs.openSync('/etc/hostname', 'r'));`;
    const flooder = spawn(process.execPath, ['-e', flood], { stdio: 'ignore' });
    try {
      const serve = spawnTsem(
        [
          'serve',
          '--listen',
          '127.0.0.1:0',
          '--data',
          dir,
          '--source',
          'audit',
          '--audit-ppid',
          String(process.pid),
        ],
        { env }
      );
      procs.push(serve);
      const address = (await serve.waitFor(/listening on (\S+)/))[1]!;
      await serve.waitFor(/source audit started/);
      const exporter = spawnTsem(
        [
          'export',
          '--source',
          'sim',
          '--scenario',
          'nginx',
          '--iterations',
          '100000',
          '--to',
          address,
          '--data',
          dir,
          '--namespace',
          'load',
          '--state',
          join(dir, 'state'),
        ],
        { env }
      );
      procs.push(exporter);
      const g = clients(address, readFileSync(join(dir, 'admin.token'), 'utf8').trim());
      const watch = subscribe(g, {});
      // The load counts from the first event the engine streams (the processes take a while up).
      for (let i = 0; i < 300 && watch.messages.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.ok(watch.messages.length > 0, `the engine was busy: ${serve.err()}${exporter.err()}`);
      await new Promise((r) => setTimeout(r, SECONDS * 1000));

      const t0 = Date.now();
      serve.kill('SIGTERM');
      const { code } = await serve.exited;
      const ms = Date.now() - t0;
      assert.equal(code, 0, serve.err());
      assert.ok(ms < 2000, `exited ${ms} ms after SIGTERM: ${serve.err()}`);
      assert.ok(
        !(await listAuditRules()).some((r) => ruleOwner(r)?.pid === serve.pid),
        'rule removed'
      );
      watch.cancel();
      g.close();
      exporter.kill('SIGTERM');
      await exporter.exited;
      flooder.kill('SIGKILL');

      // The store is sound: a start finds every namespace at its high-water mark.
      const again = spawnTsem(['serve', '--listen', '127.0.0.1:0', '--data', dir], { env });
      procs.push(again);
      await again.waitFor(/listening on/);
      again.kill('SIGTERM');
      assert.equal((await again.exited).code, 0, again.err());
      process.stderr.write(`# shutdown under load: ${ms} ms after ${SECONDS} s of load\n`);
    } finally {
      flooder.kill('SIGKILL');
      for (const p of procs) p.kill('SIGTERM');
      await Promise.race([
        Promise.all(procs.map((p) => p.exited)),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      for (const p of procs) p.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(runDir, { recursive: true, force: true });
    }
  }
);
