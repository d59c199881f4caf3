/**
 * The verdict cache of a remote exporter (root: fanotify permission events): `tsem export --source
 * fanotify --enforce` remembers the allows the engine marks cacheable and forgets them when the
 * engine says its decisions changed (DecisionsChanged on the Ingest stream). The trace of the
 * in-process test: learn, enforce, an off-contour open that makes the task untrusted, then a known
 * open by that task, which must be denied although the cache had allowed it before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { fanotifyUnavailableReason } from '../../exporter/fanotify/fanotify-source.js';
import { call, clients } from '../helpers/grpc.js';
import { assertCacheTrace, CACHE_TRACE, opens, traceDir, until } from '../helpers/opener.js';
import { rootSkipReason } from '../helpers/repo.js';
import { spawnTsem } from '../helpers/tsem-process.js';

const skip = rootSkipReason() ?? fanotifyUnavailableReason(true);

async function trace(dir: string, cache: boolean) {
  const data = mkdtempSync(join(tmpdir(), 'tsem-rcache-data-'));
  const state = mkdtempSync(join(tmpdir(), 'tsem-rcache-state-'));
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: data, log: () => undefined });
  const c = clients(engine.address, engine.adminToken);
  const exporter = spawnTsem([
    'export',
    '--source',
    'fanotify',
    '--watch',
    dir,
    '--mark',
    'directory',
    '--enforce',
    '--fail-closed',
    '--timeout-ms',
    '10000',
    '--namespace',
    'rcache',
    '--server',
    engine.address,
    '--state',
    state,
    '--retry-for',
    '0',
    ...(cache ? [] : ['--no-verdict-cache']),
  ]);
  try {
    // Ready once the engine holds the namespace: create it first, then wait for the mark.
    await call(c, 'CreateNamespace', { name: 'rcache' }, c.meta);
    const ns = () => engine.registry.require('rcache');
    for (let i = 0; ns().eventCount === 0; i++) {
      if (i > 200) throw new Error(`tsem export did not start: ${exporter.err()}`);
      await opens(dir, ['warm']);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Every warm-up open modeled: the count stands still.
    for (let last = -1; last !== ns().eventCount;) {
      last = ns().eventCount;
      await new Promise((r) => setTimeout(r, 300));
    }
    const base = ns().eventCount;
    const learned = await opens(dir, CACHE_TRACE.learn);
    await until('the learning run is modeled', () => ns().eventCount === base + 8);
    await call(c, 'SetMode', { name: 'rcache', mode: 'MODE_ENFORCE' });
    const enforced = await opens(dir, CACHE_TRACE.enforce);
    await until('the enforce run is modeled', () => ns().eventCount === base + 8 + 14);
    exporter.kill('SIGTERM');
    await exporter.exited;
    const counter = (name: string) =>
      Number(new RegExp(`\\b${name} (\\d+)`).exec(exporter.err())?.[1] ?? 0);
    return {
      answers: { learned, enforced },
      hits: counter('cacheHits'),
      disagreements: counter('cacheDisagreements'),
      flushes: counter('cacheFlushes'),
    };
  } finally {
    exporter.kill('SIGKILL');
    await exporter.exited;
    c.close();
    await engine.stop();
    rmSync(data, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}

test(
  'remote verdict cache: the same answers as without it, repeated opens answered by the reader, emptied when decisions change',
  { skip },
  async () => {
    const dir = traceDir('tsem-rcache-', ['warm']);
    try {
      const without = await trace(dir, false);
      const withCache = await trace(dir, true);
      // As in process: enforce's second and third passes; the untrusted task's last open finds
      // the cache emptied (DecisionsChanged came before the verdict that made it untrusted).
      assertCacheTrace(without, withCache);
      assert.equal(withCache.disagreements, 0);
      assert.ok(withCache.flushes > 0, 'the engine told the exporter its decisions changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
