/** The package's own name and version (package.json above the compiled code), read once. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'tsem-engine';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The folder holding package.json. */
  readonly root: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) {
        cached = { name: pkg.name, version: pkg.version ?? '0.0.0', root: dir };
        return cached;
      }
    }
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`${PACKAGE_NAME}: package.json not found above ${dir}`);
    dir = up;
  }
}
