/**
 * The in-process fanotify source's verdict cache (root: fanotify permission events). One trace
 * (learn, then enforce with an off-contour open that makes the task untrusted) is run by an engine
 * with the cache and by one without: the processes see the same answers, the cache answers the
 * repeated opens, and the namespace ends in the same state (measurement, points with their counts,
 * forensics, tasks and their trust), since every answer from the cache is still modeled.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startEngine } from '../../daemon/start-engine.js';
import { fanotifyUnavailableReason } from '../../exporter/fanotify/fanotify-source.js';
import { clients } from '../helpers/grpc.js';
import { rootSkipReason } from '../helpers/repo.js';

const skip = rootSkipReason() ?? fanotifyUnavailableReason(true);
const FILES = ['f0', 'f1', 'f2', 'f3'];

/** Opens each of `names` in `dir` in order and prints 'ok' or the error code of each, as JSON. */
const OPENER = `
const fs = require('fs');
const [dir, names] = [process.argv[1], JSON.parse(process.argv[2])];
const out = names.map((n) => {
  try { fs.closeSync(fs.openSync(dir + '/' + n, 'r')); return 'ok'; } catch (e) { return e.code; }
});
process.stdout.write(JSON.stringify(out));
`;

function opens(dir: string, names: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', OPENER, dir, JSON.stringify(names)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', () => resolve(JSON.parse(out) as string[]));
  });
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
    // Learn: every file twice in one process (the second pass is on-contour: cacheable).
    const learned = await opens(dir, [...FILES, ...FILES]);
    const ns = () => engine.registry.require('vcache');
    await until('the learning run is modeled', () => ns().eventCount === 8);
    await new Promise<void>((resolve, reject) =>
      c.control.SetMode({ name: 'vcache', mode: 'MODE_ENFORCE' }, c.meta, (err) =>
        err ? reject(err) : resolve()
      )
    );
    // Enforce: known files three times over, an unknown one (denied, the task turns untrusted),
    // then a known one again: denied too, however it was answered before.
    const enforced = await opens(dir, [...FILES, ...FILES, ...FILES, 'unknown', 'f0']);
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
    const dir = mkdtempSync(join(tmpdir(), 'tsem-vcache-'));
    try {
      chmodSync(dir, 0o755);
      for (const [i, f] of [...FILES, 'unknown'].entries())
        writeFileSync(join(dir, f), `content ${i}\n`);
      const without = await trace(dir, false);
      const withCache = await trace(dir, true);

      const ok = (n: number) => Array<string>(n).fill('ok');
      assert.deepEqual(without.answers, {
        learned: ok(8),
        enforced: [...ok(12), 'EPERM', 'EPERM'],
      });
      assert.deepEqual(withCache.answers, without.answers, 'the processes see the same answers');
      assert.equal(without.hits, 0);
      // Enforce's second and third passes. Learning's first pass learns (never cached), its second
      // is on-contour and fills the cache; enforce's first pass is a new process (the cache is
      // per task) and fills it again; the untrusted task's last open finds it emptied.
      assert.equal(withCache.hits, 8, 'repeated on-contour opens answered by the reader');
      assert.deepEqual(withCache.state, without.state, 'the namespace ends in the same state');
      assert.equal(withCache.state.forensics.length, 1);
      assert.ok(withCache.state.tasks.some((t) => t.endsWith('untrusted')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
