/** `tsem serve --nats` as a child process (so a test or benchmark can kill -9 it), on its own
 * port and data. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NatsServer } from './nats-server.js';

/** The package root (dist/bench/ is two levels below it). */
const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');

export interface FleetEngine {
  readonly id: string;
  readonly address: string;
  readonly dir: string;
  readonly proc: ChildProcess;
  log(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));
}

export async function spawnFleetEngine(
  nats: NatsServer,
  id: string,
  extra: readonly string[] = []
): Promise<FleetEngine> {
  const dir = mkdtempSync(join(tmpdir(), `tsem-fleet-${id}-`));
  const proc = spawn(
    process.execPath,
    [
      join(REPO, 'bin', 'tsem.js'),
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--data',
      dir,
      '--store-key',
      'none',
      '--log-format',
      'text',
      '--nats',
      nats.url,
      '--nats-user',
      nats.engine.user,
      '--nats-password-file',
      nats.engine.passwordFile,
      '--engine-id',
      id,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let log = '';
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine ${id} did not start: ${log}`)), 20_000);
    proc.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /listening on (\S+)/.exec(log);
      if (m && log.includes('joined the pool')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine ${id} exited ${code}: ${log}`));
    });
  });
  return {
    id,
    address,
    dir,
    proc,
    log: () => log,
    async kill9() {
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited(proc);
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
