/**
 * A forced flood into two audit consumers (root; CI runs it): two audit exporters that do not
 * know each other (separate daemon registries, i.e. the exclusion switched off) audit each other's
 * reads of /proc, and a child opens a file as fast as it can, so records come faster than they
 * can be mapped. Memory stays bounded (RSS under 512 MiB each), what does not fit is dropped and
 * counted (by the exporters, and in-band at the engine), and both exit on SIGTERM within 2 s,
 * leaving no audit rule. Rules are narrowed to this test's children. Duration:
 * TSEM_STORM_SECONDS, else 5 s in CI (CI=true) and 60 s by hand.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ruleOwner } from '../../exporter/audit/audit-rules.js';
import { type CliEngine, startCliEngine } from '../helpers/cli-engine.js';
import { auditSkipReason, listAuditRules } from '../helpers/kernel.js';
import { spawnTsem, testSeconds, type TsemProcess } from '../helpers/tsem-process.js';

const skip = await auditSkipReason();
const SECONDS = testSeconds('TSEM_STORM_SECONDS', 5, 60);
const RSS_LIMIT = 512 * 1024 * 1024;

test(
  `feedback storm for ${SECONDS} s: bounded memory, drops counted, SIGTERM within 2 s`,
  { skip, timeout: (SECONDS + 60) * 1000 },
  async () => {
    const e: CliEngine = await startCliEngine();
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'tsem-storm-')));
    const exporters: TsemProcess[] = [];
    const flood = `const fs = require('fs'); for (;;) fs.closeSync(fs.openSync('/etc/hostname', 'r'));`;
    let flooders: ReturnType<typeof spawn>[] = [];
    try {
      for (const [i, dir] of dirs.entries())
        exporters.push(
          spawnTsem(
            [
              'export',
              '--source',
              'audit',
              '--audit-ppid',
              String(process.pid),
              '--to',
              e.engine.address,
              '--namespace',
              `storm-${i}`,
              '--state',
              join(dir, 'state'),
            ],
            { env: { TSEM_RUN_DIR: dir } }
          )
        );
      // Once both rules are in, the flood starts.
      const ruled = async () => {
        const owners = new Set((await listAuditRules()).map((r) => ruleOwner(r)?.pid));
        return exporters.every((p) => owners.has(p.pid));
      };
      for (let i = 0; i < 100 && !(await ruled()); i++)
        await new Promise((r) => setTimeout(r, 100));
      // One per core: records come much faster than they can be mapped.
      flooders = [0, 1].map(() => spawn(process.execPath, ['-e', flood], { stdio: 'ignore' }));
      const maxRss = [0, 0];
      const events = () =>
        [0, 1].reduce((n, i) => n + (e.engine.registry.get(`storm-${i}`)?.eventCount ?? 0), 0);
      const end = Date.now() + SECONDS * 1000;
      while (Date.now() < end) {
        exporters.forEach((p, i) => (maxRss[i] = Math.max(maxRss[i]!, p.rss())));
        for (const p of exporters)
          assert.equal(p.child.exitCode, null, `exporter ${p.pid} died: ${p.err()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      for (const f of flooders) f.kill('SIGKILL');
      const stormEvents = events();
      assert.ok(stormEvents > 0, 'events reached the engine');

      const t0 = Date.now();
      for (const p of exporters) p.kill('SIGTERM');
      const exits = await Promise.all(
        exporters.map((p) => p.exited.then((x) => ({ ...x, ms: Date.now() - t0 })))
      );
      for (const [i, x] of exits.entries()) {
        assert.equal(x.code, 0, exporters[i]!.err());
        assert.ok(x.ms < 2000, `exporter ${i} exited ${x.ms} ms after SIGTERM`);
      }
      for (const [i, rss] of maxRss.entries())
        assert.ok(
          rss > 0 && rss < RSS_LIMIT,
          `exporter ${i}: max RSS ${Math.round(rss / 2 ** 20)} MiB`
        );
      // What did not fit was dropped and counted: by the exporters, and in-band at the engine.
      const dropped = exporters.map((p) => /source audit dropped: (.*)/.exec(p.err())?.[1] ?? '');
      assert.ok(
        dropped.some((d) => /reader-queue|mapper-queue|source-queue|kernel-lost/.test(d)),
        `drops counted: ${exporters.map((p) => p.err()).join('\n')}`
      );
      assert.ok(e.engine.hub.counters.sourceDropped.size > 0, 'the engine was told of the drops');
      const mine = new Set(exporters.map((p) => p.pid));
      assert.deepEqual(
        (await listAuditRules()).filter((r) => mine.has(ruleOwner(r)?.pid ?? -1)),
        [],
        'no audit rule left'
      );
      process.stderr.write(
        `# storm: ${stormEvents} events in ${SECONDS} s; max RSS ${maxRss.map((r) => Math.round(r / 2 ** 20)).join(', ')} MiB; SIGTERM exits ${exits.map((x) => x.ms).join(', ')} ms; dropped ${dropped.join(' | ')}\n`
      );
    } finally {
      for (const f of flooders) f.kill('SIGKILL');
      // SIGTERM first: a SIGKILL would leave the audit rules to the next start.
      for (const p of exporters) p.kill('SIGTERM');
      await Promise.race([
        Promise.all(exporters.map((p) => p.exited)),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
      for (const p of exporters) p.kill('SIGKILL');
      await e.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
);
