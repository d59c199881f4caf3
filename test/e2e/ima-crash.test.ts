/**
 * kill -9 with IMA on: `tsem serve --ima-policy` is killed during ingest again and again while an
 * exporter resends what was not acknowledged. Every event opens a file of its own, so each
 * persisted event has exactly one IMA entry: after the last restart the namespace holds every
 * event once and its IMA log one entry per event (the entries go in the model's batch, never
 * after it), and a further kill and restart serve the same log and pcr10. Kills:
 * TSEM_IMA_CRASH_KILLS, else 3 in CI (CI=true) and 10 by hand.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatEventLine } from '../../exporter/sim/kernel-line.js';
import type { ImaLog__Output } from '../../proto/gen/tsem/v1/ImaLog.js';
import type { NamespaceInfo__Output } from '../../proto/gen/tsem/v1/NamespaceInfo.js';
import { fileCell, sourceEvent } from '../helpers/events.js';
import { call, clients } from '../helpers/grpc.js';
import { spawnTsem, testSeconds, type TsemProcess } from '../helpers/tsem-process.js';

const KILLS = testSeconds('TSEM_IMA_CRASH_KILLS', 3, 10);
const EVENTS = 3000;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The namespace's event count and IMA log as the running server serves them. */
async function state(address: string): Promise<{ events: number; entries: number; log: string }> {
  const c = clients(address);
  try {
    let info: NamespaceInfo__Output;
    try {
      info = await call<NamespaceInfo__Output>(c, 'GetNamespace', { name: 'crash' });
    } catch {
      return { events: 0, entries: 0, log: '' };
    }
    const ima = await call<ImaLog__Output>(c, 'GetImaLog', {
      name: 'crash',
      format: 'ascii',
      bank: 'sha256',
    });
    return {
      events: Number(info.events),
      entries: Number(ima.entries),
      log: `${ima.pcr10} ${ima.log.toString('base64')}`,
    };
  } finally {
    c.close();
  }
}

test(
  `kill -9 of the engine ${KILLS} times with IMA on: every event once, one IMA entry each`,
  { timeout: (KILLS * 20 + 90) * 1000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-ima-crash-'));
    const runDir = mkdtempSync(join(tmpdir(), 'tsem-run-'));
    const env = { TSEM_RUN_DIR: runDir };
    const procs: TsemProcess[] = [];
    try {
      const policy = join(dir, 'ima.policy');
      writeFileSync(policy, 'measure func=FILE_CHECK mask=^MAY_READ uid=0\n');
      const lines = Array.from({ length: EVENTS }, (_, i) => {
        const digest = createHash('sha256').update(`file ${i}`).digest('hex');
        const ev = sourceEvent(100 + (i % 50), 'file_open', {
          file: fileCell(`/crash/f${i}`, digest),
        });
        return formatEventLine(ev) + '\n';
      });
      const trajectory = join(dir, 'crash.trajectory');
      writeFileSync(trajectory, lines.join(''));
      const address = `127.0.0.1:${await freePort()}`;
      const data = join(dir, 'data');
      const serve = () => {
        const p = spawnTsem(
          ['serve', '--listen', address, '--data', data, '--ima-policy', policy],
          {
            env,
          }
        );
        procs.push(p);
        return p;
      };
      let server = serve();
      await server.waitFor(/listening on/);
      const exporter = spawnTsem(
        [
          'export',
          '--source',
          'file',
          trajectory,
          '--namespace',
          'crash',
          '--rate',
          String(Math.ceil(EVENTS / (KILLS + 2))),
          '--batch',
          '32',
          '--to',
          address,
          '--state',
          join(dir, 'state'),
        ],
        { env }
      );
      procs.push(exporter);
      let last = 0;
      for (let k = 0; k < KILLS; k++) {
        // Killed once more events were acknowledged, at a moment of its own within a batch's work.
        for (let i = 0; i < 400; i++) {
          const s = await state(address);
          if (s.events > last) {
            last = s.events;
            break;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
        await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 200)));
        server.kill('SIGKILL');
        await server.exited;
        server = serve();
        await server.waitFor(/listening on/);
        const s = await state(address);
        assert.equal(s.entries, s.events, `after kill ${k + 1}: one IMA entry per persisted event`);
        assert.ok(
          s.events >= last,
          `after kill ${k + 1}: ${s.events} of ${last} acknowledged kept`
        );
      }
      const { code } = await exporter.exited;
      assert.equal(code, 0, exporter.err());
      const done = await state(address);
      assert.equal(done.events, EVENTS, 'every event applied exactly once');
      assert.equal(done.entries, EVENTS, 'one IMA entry per event');

      server.kill('SIGKILL');
      await server.exited;
      server = serve();
      await server.waitFor(/listening on/);
      assert.deepEqual(await state(address), done, 'the same log and pcr10 after one more kill');
      server.kill('SIGTERM');
      assert.equal((await server.exited).code, 0, server.err());
      process.stderr.write(`# IMA crash: ${KILLS} kills, ${EVENTS} events, ${EVENTS} entries\n`);
    } finally {
      for (const p of procs) p.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.exited));
      rmSync(dir, { recursive: true, force: true });
      rmSync(runDir, { recursive: true, force: true });
    }
  }
);
