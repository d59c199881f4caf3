/**
 * No feedback (root; CI runs it): an engine, an audit exporter and a fanotify exporter on one
 * host, each a real `tsem` process registered as a daemon. The engine's store is on the watched
 * tmpfs and every process is audited, so without exclusion each would report the others' work
 * (the engine's store writes, the exporters' reads of /proc) and feed them. With it, not one event
 * of a tsem daemon reaches the engine, while a workload's events still do, from both sources.
 * Duration: TSEM_FEEDBACK_SECONDS, else 3 s in CI (CI=true) and 30 s by hand.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleOwner } from '../../exporter/audit/audit-rules.js';
import type { MonitorMessage__Output } from '../../proto/gen/tsem/v1/MonitorMessage.js';
import { clients, subscribe } from '../helpers/grpc.js';
import {
  auditSkipReason,
  fanotifySkipReason,
  listAuditRules,
  mountTmpfs,
} from '../helpers/kernel.js';
import { spawnTsem, testSeconds, type TsemProcess } from '../helpers/tsem-process.js';

const disk = mountTmpfs('64m');
const skip = disk.skip ?? (await auditSkipReason()) ?? fanotifySkipReason();
// Nothing of it stays behind when the test does not run.
if (skip) disk.unmount();
const SECONDS = testSeconds('TSEM_FEEDBACK_SECONDS', 3, 30);

test(
  `${SECONDS} s of an engine and two exporters: no event of a tsem daemon, the workload's all seen`,
  { skip, timeout: (SECONDS + 90) * 1000 },
  async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'tsem-run-'));
    const procs: TsemProcess[] = [];
    const env = { TSEM_RUN_DIR: runDir };
    const c = { close: () => undefined } as { close(): void };
    try {
      const data = join(disk.dir, 'engine');
      const serve = spawnTsem(['serve', '--listen', '127.0.0.1:0', '--data', data], { env });
      procs.push(serve);
      const address = (await serve.waitFor(/listening on (\S+)/))[1]!;
      const exporter = (source: string[], name: string) =>
        spawnTsem(
          [
            'export',
            ...source,
            '--to',
            address,
            '--data',
            data,
            '--namespace',
            'feedback',
            '--state',
            join(disk.dir, name),
          ],
          { env }
        );
      const audit = exporter(
        ['--source', 'audit', '--audit-ppid', String(process.pid)],
        'audit-state'
      );
      const fan = exporter(['--source', 'fanotify', '--watch', disk.dir], 'fan-state');
      procs.push(audit, fan);
      const daemons = new Set(procs.map((p) => String(p.pid)));
      // Up: every one registered, the audit rule in.
      for (let i = 0; i < 200; i++) {
        const registered = procs.every((p) => existsSync(join(runDir, 'daemons', `${p.pid}.json`)));
        const ruled = (await listAuditRules()).some((r) => ruleOwner(r)?.pid === audit.pid);
        if (registered && ruled) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1000)); // their start-up is behind them

      const token = readFileSync(join(data, 'admin.token'), 'utf8').trim();
      const g = clients(address, token);
      c.close = () => g.close();
      const watch = subscribe(g, { namespaces: ['feedback'], queue_size: 65536 });
      await new Promise((r) => setTimeout(r, 300));

      // A workload: a child of this test (audited) reading a file on the watched tmpfs.
      const file = join(disk.dir, 'work', 'input.txt');
      mkdirSync(join(disk.dir, 'work'));
      writeFileSync(file, 'workload\n');
      const workload = spawn(
        process.execPath,
        ['-e', `require('fs').readFileSync(${JSON.stringify(file)})`],
        { stdio: 'ignore' }
      );
      await new Promise((r) => workload.once('close', r));
      const end = Date.now() + SECONDS * 1000;
      while (Date.now() < end) await new Promise((r) => setTimeout(r, 100));

      const events = watch.messages.flatMap((m: MonitorMessage__Output) =>
        m.event ? [m.event] : []
      );
      const fromDaemons = events.filter((e) => daemons.has(e.pid));
      assert.deepEqual(
        fromDaemons.map((e) => `${e.exporter} ${e.process}[${e.pid}] ${e.type}`),
        [],
        'no event of a tsem daemon'
      );
      const work = events.filter((e) => e.pid === String(workload.pid));
      assert.ok(
        work.some((e) => e.exporter === 'audit'),
        `the audit source saw the workload (${events.length} events)`
      );
      assert.ok(
        work.some((e) => e.exporter === 'fanotify' && e.event_json.includes('input.txt')),
        'the fanotify source saw it open its file'
      );
      watch.cancel();

      const t0 = Date.now();
      for (const p of [audit, fan, serve]) p.kill('SIGTERM');
      for (const p of [audit, fan, serve]) {
        const { code } = await p.exited;
        assert.equal(code, 0, p.err());
      }
      assert.ok(Date.now() - t0 < 2000, `all exited within ${Date.now() - t0} ms of SIGTERM`);
      assert.ok(!(await listAuditRules()).some((r) => ruleOwner(r)?.pid === audit.pid));
      process.stderr.write(
        `# feedback: ${events.length} events in ${SECONDS} s, none from the ${daemons.size} daemons, ${work.length} from the workload\n`
      );
    } finally {
      c.close();
      for (const p of procs) p.kill('SIGTERM');
      await Promise.race([
        Promise.all(procs.map((p) => p.exited)),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      for (const p of procs) p.kill('SIGKILL');
      rmSync(runDir, { recursive: true, force: true });
      disk.unmount();
    }
  }
);
