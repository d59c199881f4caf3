#!/usr/bin/env node
// The prepare script (npm ci, npm install in a checkout, npm pack): compiles the TypeScript into
// dist/ (the engine and the console's browser code) when the compiler is installed. Without dev dependencies (npm ci --omit=dev, e.g. the
// container's runtime stage, which copies dist/ from its build stage) there is nothing to compile
// with: say so and succeed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  process.stderr.write(
    existsSync(join(root, 'dist', 'cli', 'main.js'))
      ? 'tsem-engine: TypeScript is not installed: keeping the compiled dist/\n'
      : 'tsem-engine: TypeScript is not installed (dev dependency): dist/ was not built; run `npm ci` with dev dependencies, then `npm run build`\n'
  );
  process.exit(0);
}
// The engine, then the web console's browser code (its own tsconfig: DOM library, no Node).
for (const project of ['tsconfig.json', join('console', 'web', 'tsconfig.json')]) {
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
