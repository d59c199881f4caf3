import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';

/** Runs the `tsem` CLI in-process and captures its output. */
export async function runCli(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

let tokenDir: string | undefined;

/**
 * A file holding `token`, for `--token-file` (the CLI refuses `--token`: it would show in ps).
 * Files live in one temporary folder removed when the test process exits.
 */
export function tokenFile(token: string): string {
  if (tokenDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-test-tokens-'));
    tokenDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const file = join(tokenDir, createHash('sha256').update(token).digest('hex').slice(0, 16));
  writeFileSync(file, token, { mode: 0o600 });
  return file;
}
