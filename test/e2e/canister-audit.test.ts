/**
 * Canister routing for the audit source (root: kernel audit, cgroups). The audit trail names no
 * cgroup: the source reads /proc/PID/cgroup as each record arrives, and a process already gone
 * resolves to its parent's cgroup (the record carries ppid), or to its own while the launcher keeps
 * its zombie. Every exec of the canister's processes, short-lived ones included, lands in the
 * canister's namespace and none in the source's own.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import type { NamespaceModel } from '../../engine/ns/namespace-model.js';
import { auditUnavailableReason } from '../../exporter/audit/audit-source.js';
import { canisterSkipReason, tsem } from '../helpers/canister.js';
import { heldLine } from '../helpers/events.js';

const skip = canisterSkipReason() ?? (await auditUnavailableReason());

/** Pathnames of the execs a namespace saw (its trajectory's file_open events with exec flags). */
function execs(ns: NamespaceModel | undefined): string[] {
  return (
    (ns?.trajectory() ?? [])
      .map(
        (e) =>
          JSON.parse(heldLine(e)) as {
            file_open?: { file: { flags: string; path: { pathname: string } } };
          }
      )
      .filter((j) => j.file_open?.file.flags === '32800')
      .map((j) => j.file_open!.file.path.pathname)
      // The ELF loader is opened for exec too (PATH item 1 of each execve): not a program run.
      .filter((p) => !/\/ld-linux[^/]*$/.test(p))
  );
}

test(
  'audit: the execs of a canister, short-lived ones included, go to its namespace only',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-canister-audit-'));
    let engine: RunningEngine | undefined;
    try {
      const prog = (name: string) => {
        const p = join(dir, name);
        copyFileSync('/bin/true', p);
        chmodSync(p, 0o755);
        return p;
      };
      const [child1, child2, root] = [prog('child-one'), prog('child-two'), prog('root-only')];
      engine = await startEngine({
        listen: '127.0.0.1:0',
        dataDir: join(dir, 'data'),
        log: () => undefined,
        // Only execve keeps the host-wide rule light; the events lag behind (files are hashed).
        sources: [{ kind: 'audit', syscalls: ['execve'], namespace: 'host:audit-host' }],
      });
      const conn = ['--server', engine.address, '--data', join(dir, 'data')];
      const tree = await tsem([
        'run',
        ...conn,
        '--namespace',
        'aud-tree',
        '--quiet',
        '--',
        'sh',
        '-c',
        `${child1}; ${child2}`,
      ]);
      assert.equal(tree.code, 0, tree.stderr);
      // The canister's only process execs and exits at once: found through its kept zombie.
      const alone = await tsem(['run', ...conn, '--namespace', 'aud-alone', '--quiet', '--', root]);
      assert.equal(alone.code, 0, alone.stderr);

      const deadline = Date.now() + 60_000;
      const want = () =>
        execs(engine!.registry.get('aud-tree')).filter((p) => p === child1 || p === child2)
          .length === 2 && execs(engine!.registry.get('aud-alone')).includes(root);
      while (!want() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        execs(engine.registry.get('aud-tree'))
          .filter((p) => p.startsWith(dir))
          .sort(),
        [child1, child2].sort()
      );
      assert.ok(
        execs(engine.registry.get('aud-tree')).some((p) => /\/(da|ba)?sh$/.test(p)),
        'the shell itself'
      );
      assert.deepEqual(execs(engine.registry.get('aud-alone')), [root]);
      assert.ok(
        engine.registry.get('audit-host'),
        "the source's own namespace got the host's events"
      );
      const leaked = engine.registry
        .list()
        .filter((ns) => !ns.id.startsWith('aud-'))
        .flatMap((ns) => execs(ns))
        .filter((p) => p.startsWith(dir));
      assert.deepEqual(leaked, [], 'no canister exec in any other namespace');
    } finally {
      await engine?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);
