/**
 * The shipped systemd unit passes `systemd-analyze verify` with no warning. verify also checks
 * that ExecStart's program exists, so the copy checked here runs this checkout's bin/tsem.js.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from './helpers/repo.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'tsem-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const missing =
  spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error !== undefined
    ? 'systemd-analyze is not installed (apt-get install systemd; .ci/run does)'
    : undefined;

function verify(text: string): { code: number | null; err: string } {
  const unit = join(dir, 'tsem.service');
  writeFileSync(unit, text.replace('/usr/local/bin/tsem', join(root, 'bin', 'tsem.js')));
  const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
  return { code: r.status, err: r.stderr };
}

test('packaging/systemd/tsem.service passes systemd-analyze verify', { skip: missing }, () => {
  const text = readFileSync(join(root, 'packaging', 'systemd', 'tsem.service'), 'utf8');
  assert.match(text, /^ExecStart=\/usr\/local\/bin\/tsem serve --config \/etc\/tsem\/tsem.json$/m);
  assert.match(text, /^StateDirectory=tsem$/m, 'data in /var/lib/tsem, the root default');
  assert.doesNotMatch(
    text,
    /^PrivateNetwork=/m,
    'audit multicast needs the initial network namespace'
  );
  const r = verify(text);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'no warnings');
  // the check can fail: a misspelt directive is reported
  const typo = verify(text.replace('NoNewPrivileges=', 'NoNewPrivilege='));
  assert.match(typo.err, /Unknown key 'NoNewPrivilege'/);
});
