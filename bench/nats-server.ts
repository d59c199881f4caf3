/**
 * A real nats-server (Debian's package) with JetStream on loopback, on a port of its own and in a
 * temporary directory, for the fleet tests and benchmark. Users: one engine user (everything), one user per
 * host allowed to publish only its own events subject, and a watcher (docs/fleet.md §6 shows the
 * same configuration). Restartable on the same port and store (JetStream file storage).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function natsServerAvailable(): boolean {
  return spawnSync('nats-server', ['--version']).status === 0;
}

export interface NatsUser {
  readonly user: string;
  readonly passwordFile: string;
}

export interface NatsServer {
  readonly url: string;
  readonly dir: string;
  readonly engine: NatsUser;
  readonly watcher: NatsUser;
  host(name: string): NatsUser;
  /** Stops the server (SIGTERM, or SIGKILL when `kill`) and starts it again on the same port. */
  restart(opts?: { kill?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

const PASSWORD = (user: string) => `pw-${user}-${process.pid}`;

export interface NatsServerOptions {
  /**
   * Serve TLS only, with this certificate and key (PEM files); with `clientCa`, every client must
   * present a certificate that CA signed, and is the user its subject names (`CN=NAME`).
   */
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly clientCa?: string;
  };
  /** Hosts that authenticate with an nkey (host -> public key, U…) instead of a password. */
  readonly nkeys?: Readonly<Record<string, string>>;
}

/**
 * What a host's credential may publish (docs/fleet.md §6): its events; as a host's own engine
 * (`serve --nats --no-pool`) its verdicts and incidents under its origin, its namespace models,
 * and reads of the labelled models.
 */
export function hostPublish(h: string): string {
  return [
    `tsem.ev.${h}.>`,
    `tsem.out.*.v.${h}`,
    `tsem.out.*.i.${h}`,
    `$KV.tsem-host-models.${h}.>`,
    '$JS.API.STREAM.MSG.GET.KV_tsem-labels',
    '$JS.API.DIRECT.GET.KV_tsem-labels.>',
    '$JS.API.CONSUMER.CREATE.KV_tsem-labels.>',
    '$JS.API.CONSUMER.MSG.NEXT.KV_tsem-labels.>',
    '$JS.API.CONSUMER.INFO.KV_tsem-labels.>',
    '$JS.API.CONSUMER.DELETE.KV_tsem-labels.>',
  ]
    .map((s) => `"${s}"`)
    .join(', ');
}

/** The configuration: subjects scoped per host (publish), inboxes per user (subscribe). */
export function natsConfig(
  port: number,
  storeDir: string,
  hosts: readonly string[],
  o: NatsServerOptions = {}
): string {
  const user = (name: string, perms: string) =>
    o.tls?.clientCa !== undefined
      ? `    { user: "CN=${name}", permissions: ${perms} }`
      : o.nkeys?.[name] !== undefined
        ? `    { nkey: "${o.nkeys[name]}", permissions: ${perms} }`
        : `    { user: "${name}", password: "${PASSWORD(name)}", permissions: ${perms} }`;
  const verify = o.tls?.clientCa ? `, ca_file: "${o.tls.clientCa}", verify_and_map: true` : '';
  const tls = o.tls
    ? `tls { cert_file: "${o.tls.certFile}", key_file: "${o.tls.keyFile}"${verify} }\n`
    : '';
  return `listen: 127.0.0.1:${port}
${tls}jetstream { store_dir: "${storeDir}", max_memory_store: 64MB, max_file_store: 2GB }
authorization {
  users = [
${user('engine', '{ publish: ">", subscribe: ">" }')}
${hosts
  .map((h) =>
    user(
      h,
      `{ publish: { allow: [${hostPublish(h)}] }, subscribe: { allow: ["_INBOX_tsem_host.${h}.>"] } }`
    )
  )
  .join('\n')}
${user(
  'watcher',
  `{ publish: { allow: ["$JS.API.CONSUMER.CREATE.TSEM_OUTPUTS.>", "$JS.API.CONSUMER.MSG.NEXT.TSEM_OUTPUTS.>", "$JS.API.CONSUMER.INFO.TSEM_OUTPUTS.>", "$JS.API.CONSUMER.DELETE.TSEM_OUTPUTS.>", "$JS.API.STREAM.INFO.TSEM_OUTPUTS", "$JS.ACK.TSEM_OUTPUTS.>"] }, subscribe: { allow: ["_INBOX_tsem_watch.>"] } }`
)}
  ]
}
`;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function launch(conf: string): Promise<ChildProcess> {
  const p = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 10_000);
    p.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve(p);
      }
    });
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited ${code}: ${log}`));
    });
  });
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));
}

export async function startNatsServer(
  hosts: readonly string[] = [],
  opts: NatsServerOptions = {}
): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tsem-nats-'));
  const port = await freePort();
  const conf = join(dir, 'nats.conf');
  writeFileSync(conf, natsConfig(port, join(dir, 'js'), hosts, opts));
  const userFile = (name: string): NatsUser => {
    const f = join(dir, `${name}.password`);
    writeFileSync(f, PASSWORD(name), { mode: 0o600 });
    return { user: name, passwordFile: f };
  };
  let proc = await launch(conf);
  return {
    url: `${opts.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    dir,
    engine: userFile('engine'),
    watcher: userFile('watcher'),
    host: (name) => userFile(name),
    async restart(opts = {}) {
      proc.kill(opts.kill ? 'SIGKILL' : 'SIGTERM');
      await exited(proc);
      await new Promise((r) => setTimeout(r, opts.downMs ?? 500));
      proc = await launch(conf);
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
