/**
 * The in-process fanotify source's verdict cache (root: fanotify permission events). One trace
 * (learn, then enforce with an off-contour open that makes the task untrusted) is run by an engine
 * with the cache and by one without: the processes see the same answers, the cache answers the
 * repeated opens, and the namespace ends in the same state (measurement, points with their counts,
 * forensics, tasks and their trust), since every answer from the cache is still modeled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { fanotifyUnavailableReason } from '../../exporter/fanotify/fanotify-source.js';
import { clients } from '../helpers/grpc.js';
import { assertCacheTrace, CACHE_TRACE, opens, traceDir, until } from '../helpers/opener.js';
import { rootSkipReason } from '../helpers/repo.js';

const skip = rootSkipReason() ?? fanotifyUnavailableReason(true);

async function trace(dir: string, verdictCache: boolean) {
  const data = mkdtempSync(join(tmpdir(), 'tsem-vcache-data-'));
  const engine = await startEngine({
    listen: '127.0.0.1:0',
    dataDir: data,
    log: () => undefined,
    daemonRegistry: false,
    sources: [
      {
        kind: 'fanotify',
        watch: [dir],
        markKind: 'directory',
        enforce: true,
        decisionTimeoutMs: 10_000,
        failMode: 'closed',
        namespace: 'host:vcache',
        verdictCache,
      },
    ],
  });
  const c = clients(engine.address, engine.adminToken);
  try {
    const learned = await opens(dir, CACHE_TRACE.learn);
    const ns = () => engine.registry.require('vcache');
    await until('the learning run is modeled', () => ns().eventCount === 8);
    await new Promise<void>((resolve, reject) =>
      c.control.SetMode({ name: 'vcache', mode: 'MODE_ENFORCE' }, c.meta, (err) =>
        err ? reject(err) : resolve()
      )
    );
    const enforced = await opens(dir, CACHE_TRACE.enforce);
    await until('the enforce run is modeled', () => ns().eventCount === 8 + 14);
    const model = ns();
    const hits = Number(
      /name="cacheHits"\} (\d+)/.exec((await engine.metrics.scrape()).body)?.[1] ?? 0
    );
    return {
      answers: { learned, enforced },
      hits,
      state: {
        mode: model.mode,
        measurement: model.measurement.toString('hex'),
        points: model.points().map((p) => [p.coefficient.toString('hex'), p.count, p.valid]),
        forensics: model.forensics().map((f) => f.coefficient.toString('hex')),
        tasks: [...model.taskEntries()]
          .map(([, t]) => `${t.taskId.toString('hex')} ${t.trust}`)
          .sort(),
      },
    };
  } finally {
    c.close();
    await engine.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

test(
  'verdict cache: the same answers and the same namespace state as without it, repeated opens answered by the reader',
  { skip },
  async () => {
    const dir = traceDir('tsem-vcache-');
    try {
      const without = await trace(dir, false);
      const withCache = await trace(dir, true);
      // Enforce's second and third passes. Learning's first pass learns (never cached), its second
      // is on-contour and fills the cache; enforce's first pass is a new process (the cache is
      // per task) and fills it again; the untrusted task's last open finds it emptied.
      assertCacheTrace(without, withCache);
      assert.deepEqual(withCache.state, without.state, 'the namespace ends in the same state');
      assert.equal(withCache.state.forensics.length, 1);
      assert.ok(withCache.state.tasks.some((t) => t.endsWith('untrusted')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
