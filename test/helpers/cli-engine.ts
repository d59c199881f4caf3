/** A real engine on an ephemeral loopback port with its own data dir, for the CLI e2e tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningEngine, startEngine } from '../../daemon/start-engine.js';
import { runCli } from './cli.js';

export interface CliEngine {
  readonly engine: RunningEngine;
  readonly dir: string;
  /** `--server ADDR --data DIR` (the admin token is read from DIR/admin.token). */
  readonly conn: readonly string[];
  /** Runs `tsem ...args` in-process; a non-zero exit fails with the captured stderr. */
  ok(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startCliEngine(): Promise<CliEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-cli-e2e-'));
  // Exporters run in this process keep their state (id, file runs) with the engine's data.
  process.env['TSEM_STATE_DIR'] = join(dir, 'exporter-state');
  const engine = await startEngine({ listen: '127.0.0.1:0', dataDir: dir, log: () => undefined });
  return {
    engine,
    dir,
    conn: ['--server', engine.address, '--data', dir],
    async ok(...args) {
      const r = await runCli(...args);
      if (r.code !== 0) throw new Error(`tsem ${args.join(' ')} exited ${r.code}: ${r.err}`);
      return r.out;
    },
    async close() {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `key value` lines of `tsem ns show` as a map. */
export function showFields(out: string): Map<string, string> {
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const [k, ...v] = l.trim().split(/\s+/);
        return [k!, v.join(' ')];
      })
  );
}

/** Numbers of the `sent N acked N learned N …` summary line. */
export function summaryCounts(out: string): Record<string, number> {
  const line = out.split('\n').find((l) => l.startsWith('sent '));
  if (!line) throw new Error(`no summary line in: ${out}`);
  const words = line.split(' ');
  const counts: Record<string, number> = {};
  for (let i = 0; i + 1 < words.length; i += 2) counts[words[i]!] = Number(words[i + 1]);
  return counts;
}
