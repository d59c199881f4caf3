#!/usr/bin/env node
// The package's install script: builds the optional native addon (binding.gyp → build/Release)
// with npm's own node-gyp, and never fails the install. Without the addon the fanotify and audit
// sources, local-file IMA, syslog to a local socket, systemd readiness and `tsem run` (the
// launcher helper, built by the same binding.gyp) say that they need it; everything else works.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.TSEM_SKIP_ADDON) {
  process.stderr.write('tsem-engine: TSEM_SKIP_ADDON is set: the native addon is not built\n');
  process.exit(0);
}
if (!existsSync(join(root, 'binding.gyp'))) process.exit(0);
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] =
  gyp && existsSync(gyp) ? [process.execPath, [gyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) {
  const why = r.error ? r.error.message : `exit status ${r.status ?? r.signal}`;
  process.stderr.write(
    `tsem-engine: the native addon was not built (${why}).\n` +
      'tsem-engine: fanotify and audit sources, local-file IMA, syslog to a local socket,\n' +
      'tsem-engine: systemd notification and tsem run (its launcher) need it; everything else\n' +
      'tsem-engine: works. To build it later:\n' +
      'tsem-engine: install make, g++ and the Node.js headers, then run `npm rebuild tsem-engine`.\n'
  );
}
process.exit(0);
