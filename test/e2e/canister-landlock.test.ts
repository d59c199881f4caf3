/**
 * `tsem run --landlock` end to end (root: kernel audit, cgroups): a workload trained in learn mode
 * under the audit source, sealed, and run again with --landlock runs clean; a variant that reads a
 * file outside the model, writes where it only read, execs an unknown binary beside a known one and
 * connects to an unknown port gets EACCES from the kernel, with the engine process stopped
 * (SIGSTOP) so that no user-space decision can be on the path; with the engine running each denial
 * is denied too, comes back through audit as forensics of the canister's namespace (marked with
 * the right the kernel denied) and raises an incident with its alert output, also when every
 * denying process is gone before the engine reads its records (the engine stopped meanwhile: the
 * denials are routed by their Landlock domain); a canister without --landlock running the same
 * actions beside it is not affected.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auditUnavailableReason } from '../../exporter/audit/audit-source.js';
import { probeLandlock } from '../../native/landlock.js';
import { canisterSkipReason, tsem } from '../helpers/canister.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/repo.js';

const landlock = probeLandlock();
const skip =
  canisterSkipReason() ??
  (await auditUnavailableReason()) ??
  (landlock.ok ? undefined : `no Landlock here: ${landlock.reason}`);

/**
 * The workload: what it always does, then (after `go` exists) the variant's off-model actions, with
 * shell builtins only (an exec of a program the training never ran, cat say, is denied too).
 */
const SCRIPT = `#!/bin/bash
D=$2
read -r x < "$D/data/known"
echo start > "$D/out/result"
"$D/bin/known"
: 3<>/dev/tcp/127.0.0.1/$3
sleep 0.01
while [ ! -e "$D/go" ]; do sleep 0.05; done
rc=""
# In a grandchild of the workload's first process: gone, with its parent, at once.
far() { ( ( eval "$1" ) 2>/dev/null; exit $? ); }
if [ "$1" = all ]; then
  read -r y < "$D/data/other"; rc="$rc read=$?"
  { echo x >> "$D/data/known"; } 2>/dev/null; rc="$rc write=$?"
  "$D/bin/unknown"; rc="$rc exec=$?"
  { : 4<>/dev/tcp/127.0.0.1/$4; } 2>/dev/null; rc="$rc connect=$?"
elif [ "$1" = gone ]; then
  far 'read -r y < "$D/data/other-gone"'; rc="$rc read=$?"
  far 'echo x >> "$D/data/known-gone"'; rc="$rc write=$?"
  far '"$D/bin/unknown-gone"'; rc="$rc exec=$?"
  far ": 4<>/dev/tcp/127.0.0.1/$4"; rc="$rc connect=$?"
fi
echo "done$rc" > "$D/out/result"
`;

const DENIED = 'done read=1 write=1 exec=126 connect=1';

async function listen(): Promise<[Server, number]> {
  const s = createServer((c) => c.end());
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return [s, (s.address() as { port: number }).port];
}

async function until(
  what: string,
  ok: () => boolean | Promise<boolean>,
  ms = 60_000
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * An engine in a process of its own (so the test can stop it), with the audit source and an OCSF
 * alert file output.
 */
async function startEngineProcess(
  dataDir: string,
  alertFile: string
): Promise<{ child: ChildProcess; address: string }> {
  const dist = (...p: string[]) => JSON.stringify(join(repoRoot(), 'dist', ...p));
  const script = `
    const { startEngine } = await import(${dist('daemon', 'start-engine.js')});
    const { parseOutput } = await import(${dist('engine', 'alert', 'output-spec.js')});
    const e = await startEngine({
      listen: '127.0.0.1:0', dataDir: ${JSON.stringify(dataDir)}, log: () => undefined,
      sources: [{ kind: 'audit', syscalls: ['execve', 'open', 'openat', 'connect'], namespace: 'host:ll-host' }],
      alerts: {
        outputs: [parseOutput(${JSON.stringify(`file:${alertFile};format=ocsf`)}, 'alert[0]')],
        updateIntervalMs: 500,
      },
    });
    process.stdout.write(e.address + '\\n');
    process.on('SIGTERM', () => void e.stop().then(() => process.exit(0)));
  `;
  // A file, not -e: the engine's worker threads inherit execArgv, and --input-type is refused there.
  const file = join(dataDir, '..', 'engine.mjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`engine exited ${code}`)));
  });
  return { child, address };
}

test(
  'landlock: trained, sealed, confined by the kernel; denials with the engine stopped; another canister unaffected',
  { skip, timeout: 240_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsem-landlock-'));
    const D = join(dir, 'w');
    for (const d of ['data', 'out', 'bin']) mkdirSync(join(D, d), { recursive: true });
    writeFileSync(join(D, 'data', 'known'), 'known\n');
    writeFileSync(join(D, 'data', 'other'), 'other\n');
    for (const f of ['other-gone', 'known-gone']) writeFileSync(join(D, 'data', f), 'gone\n');
    for (const b of ['known', 'unknown', 'unknown-gone'])
      copyFileSync('/bin/true', join(D, 'bin', b));
    const script = join(D, 'bin', 'work.sh');
    writeFileSync(script, SCRIPT);
    chmodSync(script, 0o755);
    const [known, knownPort] = await listen();
    const [unknown, unknownPort] = await listen();
    const [unknownGone, unknownGonePort] = await listen();
    const data = join(dir, 'data');
    let engine: ChildProcess | undefined;
    let stopped = false;
    const cont = () => {
      if (stopped) engine?.kill('SIGCONT');
      stopped = false;
    };
    try {
      const alertFile = join(dir, 'alerts.ocsf.jsonl');
      const e = await startEngineProcess(data, alertFile);
      engine = e.child;
      const conn = ['--server', e.address, '--data', data];
      const work = (variant: string, port = unknownPort) => [
        '--',
        script,
        variant,
        D,
        String(knownPort),
        String(port),
      ];
      const result = () => readFileSync(join(D, 'out', 'result'), 'utf8').trim();
      // Polls run in-process: a node started per poll would flood the host-wide audit rule.

      // Train in learn mode until the audit trail of the run is in, then seal.
      writeFileSync(join(D, 'go'), '');
      const train = await tsem([
        'run',
        ...conn,
        '--namespace',
        'll-work',
        '--mode',
        'learn',
        '--quiet',
        ...work('none'),
      ]);
      assert.equal(train.code, 0, train.stderr);
      const trajectory = async () =>
        (await runCli('ns', 'trajectory', 'll-work', ...conn, '--json')).out;
      await until('the training run in the model', async () => {
        const t = await trajectory();
        return ['bin/known', 'out/result', 'bin/work.sh', `"${knownPort}"`, '/usr/bin/sleep'].every(
          (s) => t.includes(s)
        );
      });
      await new Promise((r) => setTimeout(r, 2000)); // late audit records of the run
      const seal = await runCli('ns', 'mode', 'll-work', 'sealed', ...conn);
      assert.equal(seal.code, 0, seal.err);

      // Clean: the same run confined by the compiled model.
      const clean = await tsem([
        'run',
        ...conn,
        '--namespace',
        'll-work',
        '--landlock',
        ...work('none'),
      ]);
      assert.equal(clean.code, 0, clean.stderr);
      assert.equal(result(), 'done');
      assert.match(clean.stderr, /landlock: ABI \d+: \d+ path rules, 1 TCP port rules/);

      // The engine running: the same denials; a canister beside it without --landlock does all of it.
      rmSync(join(D, 'out', 'result'));
      const running = tsem([
        'run',
        ...conn,
        '--namespace',
        'll-work',
        '--landlock',
        '--quiet',
        ...work('all'),
      ]);
      const [free] = await Promise.all([
        tsem([
          'run',
          ...conn,
          '--namespace',
          'll-free',
          '--mode',
          'learn',
          '--quiet',
          '--',
          'bash',
          '-c',
          `cat ${D}/data/other >/dev/null && ${D}/bin/unknown && : 4<>/dev/tcp/127.0.0.1/${unknownPort} && echo ok`,
        ]),
        until(
          'the confined variant to finish',
          () => existsSync(join(D, 'out', 'result')) && result().startsWith('done')
        ),
      ]);
      assert.equal(free.code, 0, free.stderr);
      assert.equal(result(), DENIED, 'the confined variant, engine running');
      const confined = await running;
      assert.equal(confined.code, 0, confined.stderr);
      // Exited before its denials are checked: they are routed by their Landlock domain.
      await deniedAsForensics(conn, D, unknownPort, alertFile);

      // Gone before their records are read: with the engine stopped, the workload is denied in
      // processes whose parents are gone too, and exits at once (no lingering); continued, the
      // engine finds none of them (their cgroup is unknown), yet each denial comes back as
      // forensics of the canister's namespace: routed by its Landlock domain, whose creator (the
      // workload's first process) the launcher reported.
      rmSync(join(D, 'go'));
      const gone = tsem([
        'run',
        ...conn,
        '--namespace',
        'll-work',
        '--landlock',
        '--quiet',
        ...work('gone', unknownGonePort),
      ]);
      await until(
        'the confined workload to start',
        () => existsSync(join(D, 'out', 'result')) && result() === 'start'
      );
      engine.kill('SIGSTOP');
      stopped = true;
      writeFileSync(join(D, 'go'), '');
      await until(
        'the gone variant to finish with the engine stopped',
        () => result().startsWith('done'),
        20_000
      );
      await new Promise((r) => setTimeout(r, 200)); // its processes exit
      cont();
      assert.equal(result(), DENIED, 'the gone variant');
      const g = await gone;
      assert.equal(g.code, 0, g.stderr);
      await deniedAsForensics(conn, D, unknownGonePort, alertFile, '-gone');
      // The engine stopped: every off-model action is still denied, by the kernel.
      rmSync(join(D, 'go'));
      const paused = tsem([
        'run',
        ...conn,
        '--namespace',
        'll-work',
        '--landlock',
        '--quiet',
        ...work('all'),
      ]);
      await until(
        'the confined workload to start',
        () => existsSync(join(D, 'out', 'result')) && result() === 'start'
      );
      engine.kill('SIGSTOP');
      stopped = true;
      writeFileSync(join(D, 'go'), '');
      await until(
        'the variant to finish with the engine stopped',
        () => result().startsWith('done'),
        20_000
      );
      assert.equal(result(), DENIED);
      cont();
      const p = await paused;
      assert.equal(p.code, 0, p.stderr);
      assert.match(p.stderr, /data\/other: Permission denied/);
      assert.match(p.stderr, /bin\/unknown: Permission denied/);
      assert.equal(
        readFileSync(join(D, 'data', 'known'), 'utf8'),
        'known\n',
        'the write was denied'
      );

      writeFileSync(join(D, 'data', 'known'), 'known\n');
    } finally {
      cont();
      if (engine && engine.exitCode === null) {
        const exited = new Promise((r) => engine!.once('exit', r));
        engine.kill('SIGTERM');
        await exited;
      }
      known.close();
      unknown.close();
      unknownGone.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
);

interface Line {
  event: { type: string; landlock?: string };
  file_open?: { file: { path: { pathname: string } } };
  socket_connect?: { addr: { af_inet?: { port: string } } };
}

/**
 * Each of the four denials of the engine-running variant comes back through audit as forensics of
 * the canister's namespace, marked with the right the kernel denied, and raises an incident (the
 * alerts an off-contour event raises) whose OCSF alert names the denial.
 */
async function deniedAsForensics(
  conn: string[],
  D: string,
  unknownPort: number,
  alertFile: string,
  suffix = ''
): Promise<void> {
  const path = (l: Line, ...p: string[]) => l.file_open?.file.path.pathname === join(D, ...p);
  const wanted: [string, (l: Line) => boolean][] = [
    ['fs.read_file', (l) => path(l, 'data', `other${suffix}`)],
    ['fs.write_file', (l) => path(l, 'data', `known${suffix}`)],
    ['fs.execute', (l) => path(l, 'bin', `unknown${suffix}`)],
    ['net.connect_tcp', (l) => l.socket_connect?.addr.af_inet?.port === String(unknownPort)],
  ];
  let lines: Line[] = [];
  const missing = () =>
    wanted
      .filter(([right, is]) => !lines.some((l) => is(l) && l.event.landlock?.includes(right)))
      .map(([right]) => right);
  await until('each denial as forensics of ll-work', async () => {
    const f = await runCli('ns', 'forensics', 'll-work', ...conn, '--lines', '--limit', '1000');
    lines = f.out
      .split('\n')
      .filter((s) => s !== '')
      .map((s) => JSON.parse(s) as Line);
    return missing().length === 0;
  }).catch((err: Error) => {
    const seen = lines.map(
      (l) =>
        `${l.event.type} ${l.event.landlock ?? '-'} ${l.file_open?.file.path.pathname ?? l.socket_connect?.addr.af_inet?.port ?? ''}`
    );
    throw new Error(
      `${err.message}: missing ${missing().join(', ')}; forensics: ${seen.join('; ')}`
    );
  });
  // The human listing says which right was denied.
  const listed = await runCli('ns', 'forensics', 'll-work', ...conn, '--limit', '1000');
  assert.ok(
    listed.out.includes(`data/other${suffix} (denied by Landlock: fs.read_file)`),
    listed.out
  );

  interface Incident {
    namespace: string;
    counts: { denied: number };
    denials: { landlock?: string; kind: string }[];
  }
  let rights: string[] = [];
  await until('incidents of ll-work with each Landlock denial', async () => {
    const a = await runCli('alerts', ...conn, '--namespace', 'll-work', '--json');
    const incidents = a.out
      .split('\n')
      .filter((s) => s !== '')
      .map((s) => JSON.parse(s) as Incident)
      .filter((i) => Array.isArray(i.denials));
    rights = incidents.flatMap((i) => i.denials.flatMap((d) => d.landlock?.split(',') ?? []));
    return wanted.every(([right]) => rights.includes(right));
  }).catch((err: Error) => {
    throw new Error(`${err.message}: denials ${rights.join(' ')}`);
  });
  await until('the OCSF alert naming a denial', () =>
    (existsSync(alertFile) ? readFileSync(alertFile, 'utf8') : '')
      .split('\n')
      .filter((s) => s !== '')
      .some((s) =>
        (
          JSON.parse(s) as {
            finding_info: { types: string[] };
            evidences: { data: { landlock_denied?: string } }[];
          }
        ).evidences.some((e) => e.data.landlock_denied !== undefined)
      )
  );
}
