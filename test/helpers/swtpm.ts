/**
 * Starts Debian's `swtpm socket --tpm2` on loopback ports with a temporary state directory, for
 * tests. By default the TPM is left un-initialized so that the client's power-on path (CMD_INIT on
 * the control port, then TPM2_Startup) runs; `preStarted` passes `--flags not-need-init,startup-clear`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Swtpm {
  /** `swtpm:127.0.0.1:PORT` for `--tpm`. */
  readonly spec: string;
  readonly port: number;
  readonly ctrlPort: number;
  stop(): Promise<void>;
}

/** Why swtpm tests are skipped here, or undefined when swtpm is installed. */
export function swtpmSkipReason(): string | undefined {
  const r = spawnSync('swtpm', ['--version'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : 'swtpm is not installed (apt-get install swtpm); CI installs it';
}

/** A free port P on loopback with P+1 also free (swtpm's control port). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (port >= 65535) continue;
    const nextFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port + 1, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (nextFree) return port;
  }
  throw new Error('no free loopback port pair for swtpm');
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSwtpm(opts: { preStarted?: boolean } = {}): Promise<Swtpm> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-swtpm-'));
  const port = await freePortPair();
  const ctrlPort = port + 1;
  const args = [
    'socket',
    '--tpm2',
    '--tpmstate',
    `dir=${dir}`,
    '--server',
    `type=tcp,port=${port},bindaddr=127.0.0.1`,
    '--ctrl',
    `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`,
    '--log',
    `file=${join(dir, 'swtpm.log')},level=1`,
  ];
  if (opts.preStarted) args.push('--flags', 'not-need-init,startup-clear');
  const child: ChildProcess = spawn('swtpm', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // If the test process ends without stop() (a crash, process.exit), do not leave swtpm behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = () => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  while (!(await canConnect(ctrlPort)) || !(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(join(dir, 'swtpm.log'), 'utf8');
      } catch {
        // no log written
      }
      cleanup();
      throw new Error(`swtpm did not start on ports ${port}/${ctrlPort}: ${stderr}${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    spec: `swtpm:127.0.0.1:${port}`,
    port,
    ctrlPort,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      cleanup();
    },
  };
}
