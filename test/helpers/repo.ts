import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found by walking up from the compiled test file to our package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsem-engine'
    ) {
      return dir;
    }
    const up = resolve(dir, '..');
    if (up === dir) throw new Error('tsem-engine package.json not found above the test file');
    dir = up;
  }
}

/** A file under test/vectors/, by path relative to that folder. */
export function vectorPath(relative: string): string {
  return join(repoRoot(), 'test', 'vectors', relative);
}

/** Why a root-only test is skipped here, or undefined when it can run. */
export function rootSkipReason(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'needs root (CI runs as root); skipped as non-root';
}
