/**
 * Installable: `npm pack`, then installing the tarball in an empty folder gives a working `tsem`
 * (compiled JavaScript shipped, dependencies resolved, the addon optional). The install uses the
 * npm cache first (--prefer-offline); the registry is asked only for what the cache lacks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'tsem-pack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr + (r.error ? String(r.error) : '') };
}

test(
  'npm pack, then a global install of the tarball into an empty prefix: tsem --help works',
  { timeout: 300_000 },
  () => {
    // dist/ is already built (npm test compiles first); --ignore-scripts skips recompiling it.
    const pack = run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], root);
    assert.equal(pack.code, 0, pack.err);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, pack.out);
    const listing = run('tar', ['-tzf', join(dir, tgz)], dir).out.split('\n');
    assert.ok(listing.includes('package/dist/cli/main.js'), 'compiled code is shipped');
    assert.ok(
      listing.includes('package/packaging/systemd/tsem.service'),
      'the systemd unit is shipped'
    );
    assert.ok(
      !listing.some((f) => f.endsWith('.test.js') || f.startsWith('package/dist/test/')),
      'no tests'
    );
    for (const f of [
      'package/console/static/index.html',
      'package/console/static/vendor/uPlot.iife.min.js',
      'package/dist/console/web/main.js',
      'package/dist/console/server/mount-console.js',
    ])
      assert.ok(listing.includes(f), `the web console is shipped: ${f}`);

    const app = join(dir, 'app');
    mkdirSync(app);
    const install = run(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        app,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--allow-scripts=tsem-engine',
        join(dir, tgz),
      ],
      dir
    );
    assert.equal(install.code, 0, install.err);
    const tsem = join(app, 'bin', 'tsem');
    const help = run(tsem, ['--help'], app);
    assert.equal(help.code, 0, help.err);
    assert.match(help.out, /^usage: tsem <command>/);
    assert.match(help.out, /\n  serve +run the engine server/);
    const version = run(tsem, ['--version'], app);
    assert.match(version.out, /^tsem \(tsem-engine\) \d+\.\d+\.\d+\n$/);
    // gRPC and the proto load from the installed package: an unreachable engine is exit 69
    const alerts = run(tsem, ['alerts', '--server', '127.0.0.1:9'], app);
    assert.equal(alerts.code, 69, alerts.err);
    assert.match(alerts.err, /cannot connect to 127\.0\.0\.1:9/);
    const addon = join(
      app,
      'lib',
      'node_modules',
      'tsem-engine',
      'build',
      'Release',
      'tsem_native.node'
    );
    assert.ok(
      existsSync(addon) || /the native addon was not built/.test(install.err),
      'the addon is built, or the install said why not'
    );
  }
);

test('the addon build never fails an install: without node-gyp it says what is unavailable', () => {
  const r = run(process.execPath, [join(root, 'scripts', 'build-addon.mjs')], root, {
    PATH: '/nonexistent',
    npm_config_node_gyp: '/nonexistent/node-gyp.js',
    HOME: dir,
  });
  assert.equal(r.code, 0);
  assert.match(r.err, /the native addon was not built .*\n.*fanotify and audit sources/);
});
