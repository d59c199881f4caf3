/**
 * `nginx`: a web server. systemd starts the master (root), which reads its configuration, creates
 * its logs, listens on :80 and :443 and forks www-data workers. An iteration is a stretch of
 * traffic (every static file on both ports, 404s, keep-alive exchanges) ending in a log reopen.
 */
import { COES, PROGRAMS } from '../programs.js';
import {
  AF_INET,
  IPPROTO_TCP,
  OPEN,
  type SimAddr,
  type SimProcess,
  type SimSock,
  SOCK_STREAM,
} from '../sim-process.js';
import { type Burst, coverAndRepeat, type Workload, type WorkloadKind } from '../workload.js';
import type { World } from '../world.js';

const CONFIG_FILES = [
  '/etc/nginx/nginx.conf',
  '/etc/nginx/mime.types',
  '/etc/nginx/sites-enabled/default',
  '/etc/ssl/certs/www.example.org.pem',
  '/etc/ssl/private/www.example.org.key',
];
export const NGINX_LOGS = ['/var/log/nginx/access.log', '/var/log/nginx/error.log'];
const DOCUMENT_ROOT = '/var/www/html/';
const DOCUMENTS = [
  'index.html',
  'about.html',
  'css/site.css',
  'js/app.js',
  'img/logo.png',
  'favicon.ico',
];
const PORTS = [80, 443];

const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const CAP_NET_BIND_SERVICE = 10;
const PR_SET_DUMPABLE = 4;
const LISTEN_BACKLOG = 511;

const anyAddr = (port: number): SimAddr => ({ af_inet: { port, address: '0.0.0.0' } });

export class NginxWorkload implements Workload {
  master!: SimProcess;
  /** The live workers; an attack may take one over, the master then forks a replacement. */
  readonly workers: SimProcess[] = [];
  private readonly listening = new Map<number, SimSock>();

  constructor(private readonly w: World) {}

  setup(): void {
    const systemd = this.w.root(1, 'systemd', COES.root);
    const m = (this.master = systemd.fork());
    m.exec(PROGRAMS.nginx);
    for (const f of CONFIG_FILES) m.open(f, OPEN.read);
    for (const log of NGINX_LOGS) {
      m.create(log, 0o100644);
      m.open(log, OPEN.append);
    }
    for (const port of PORTS) {
      const s = m.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      m.setsockopt(s, SOL_SOCKET, SO_REUSEADDR);
      m.capable(CAP_NET_BIND_SERVICE);
      m.bind(s, anyAddr(port));
      m.listen(s, LISTEN_BACKLOG);
      this.listening.set(port, s);
    }
    const count = this.w.rng.int(2, 4);
    for (let i = 0; i < count; i++) this.spawnWorker();
  }

  /** The master forks a worker, which drops to www-data and re-enables core dumps. */
  spawnWorker(): SimProcess {
    const wk = this.master.fork();
    wk.setCoe(COES.wwwData);
    wk.prctl(PR_SET_DUMPABLE, 1);
    this.workers.push(wk);
    return wk;
  }

  /** A worker lost to an attack: the master notices its exit and forks a new one. */
  replaceWorker(lost: SimProcess): void {
    const i = this.workers.indexOf(lost);
    if (i >= 0) this.workers.splice(i, 1);
    this.spawnWorker();
  }

  private request(port: number, doc: string | undefined): Burst {
    return () => {
      const wk = this.w.rng.pick(this.workers);
      const listening = this.listening.get(port)!;
      this.w.idle(0, 40);
      wk.accept(listening, anyAddr(port));
      const conn = wk.acceptedSocket(listening);
      // keep-alive: a few requests on one connection; a missing file fails open(2) with no event.
      for (let k = this.w.rng.int(1, 3); k > 0; k--) {
        wk.recvmsg(conn);
        if (doc) wk.open(DOCUMENT_ROOT + doc, OPEN.readNonblock);
        wk.sendmsg(conn);
      }
    };
  }

  private reopenLogs(): Burst {
    return () => {
      this.w.idle(100, 1_000);
      for (const p of [this.master, ...this.workers])
        for (const log of NGINX_LOGS) p.open(log, OPEN.append);
    };
  }

  iteration(): Burst[] {
    const kinds = PORTS.flatMap((port) => [
      ...DOCUMENTS.map((d) => this.request(port, d)),
      this.request(port, undefined),
    ]);
    return [...coverAndRepeat(this.w.rng, kinds, 3 * kinds.length), this.reopenLogs()];
  }
}

export const NGINX: WorkloadKind<NginxWorkload> = {
  name: 'nginx',
  description:
    'web server: master forks www-data workers that accept on :80/:443, serve /var/www and reopen their logs',
  create: (w) => new NginxWorkload(w),
};
