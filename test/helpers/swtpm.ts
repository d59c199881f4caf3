/**
 * Starts Debian's `swtpm socket --tpm2` on loopback ports with a temporary state directory, for
 * tests. By default the TPM is left un-initialized so that the client's power-on path (CMD_INIT on
 * the control port, then TPM2_Startup) runs; `preStarted` passes `--flags not-need-init,startup-clear`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Swtpm {
  /** `swtpm:127.0.0.1:PORT` for `--tpm`. */
  readonly spec: string;
  readonly port: number;
  readonly ctrlPort: number;
  /** With `ekCert`: the CA certificates that issued the EK certificate (root, then issuer). */
  readonly caFiles: readonly string[];
  /** Stops and starts swtpm again on the same ports and state (a reboot keeps NV and keys). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why tests that need an EK certificate (swtpm_setup, swtpm_localca) are skipped, if they are. */
export function ekCertSkipReason(): string | undefined {
  // swtpm_setup 0.7 exits 1 after printing its version: ask for --help instead.
  const r = spawnSync('swtpm_setup', ['--help'], { stdio: 'ignore' });
  return (
    swtpmSkipReason() ??
    (r.status === 0 ? undefined : 'swtpm_setup (swtpm-tools) is not installed; CI installs it')
  );
}

/**
 * Manufactures the TPM state as swtpm_setup does for a VM: RSA and ECC EKs made persistent, and EK
 * certificates in NV, issued by a swtpm_localca CA kept in `dir/ca` (not the system's).
 */
function manufacture(dir: string): string[] {
  const ca = join(dir, 'ca');
  mkdirSync(ca);
  writeFileSync(
    join(dir, 'localca.conf'),
    `statedir = ${ca}\nsigningkey = ${ca}/signkey.pem\nissuercert = ${ca}/issuercert.pem\ncertserial = ${ca}/certserial\n`
  );
  writeFileSync(
    join(dir, 'localca.options'),
    '--platform-manufacturer tsem\n--platform-version 2.1\n--platform-model test\n'
  );
  writeFileSync(
    join(dir, 'setup.conf'),
    `create_certs_tool = /usr/bin/swtpm_localca\ncreate_certs_tool_config = ${dir}/localca.conf\ncreate_certs_tool_options = ${dir}/localca.options\nactive_pcr_banks = sha256,sha1\n`
  );
  mkdirSync(join(dir, 'state'));
  const r = spawnSync(
    'swtpm_setup',
    [
      '--tpm2',
      '--tpmstate',
      join(dir, 'state'),
      '--create-ek-cert',
      '--config',
      join(dir, 'setup.conf'),
      '--logfile',
      join(dir, 'setup.log'),
    ],
    { encoding: 'utf8' }
  );
  if (r.status !== 0)
    throw new Error(
      `swtpm_setup failed: ${r.stderr}${readFileSync(join(dir, 'setup.log'), 'utf8')}`
    );
  return [join(ca, 'swtpm-localca-rootca-cert.pem'), join(ca, 'issuercert.pem')];
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

export async function startSwtpm(
  opts: { preStarted?: boolean; ekCert?: boolean } = {}
): Promise<Swtpm> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-swtpm-'));
  let caFiles: string[] = [];
  let stateDir = dir;
  if (opts.ekCert) {
    try {
      caFiles = manufacture(dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    stateDir = join(dir, 'state');
  }
  const port = await freePortPair();
  const ctrlPort = port + 1;
  const args = [
    'socket',
    '--tpm2',
    '--tpmstate',
    `dir=${stateDir}`,
    '--server',
    `type=tcp,port=${port},bindaddr=127.0.0.1`,
    '--ctrl',
    `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`,
    '--log',
    `file=${join(dir, 'swtpm.log')},level=1`,
  ];
  if (opts.preStarted) args.push('--flags', 'not-need-init,startup-clear');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stderr = '';
  // If the test process ends without stop() (a crash, process.exit), do not leave swtpm behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const halt = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const launch = async () => {
    const c = spawn('swtpm', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(ctrlPort)) || !(await canConnect(port))) {
      if (c.exitCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL');
        let log = '';
        try {
          log = readFileSync(join(dir, 'swtpm.log'), 'utf8');
        } catch {
          // no log written
        }
        throw new Error(`swtpm did not start on ports ${port}/${ctrlPort}: ${stderr}${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await launch();
  } catch (err) {
    cleanup();
    throw err;
  }
  return {
    spec: `swtpm:127.0.0.1:${port}`,
    port,
    ctrlPort,
    caFiles,
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      cleanup();
    },
  };
}
