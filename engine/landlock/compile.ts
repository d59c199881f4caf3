/**
 * Compiles a sealed model into a Landlock ruleset (docs/landlock.md §3): from the description of
 * each point (the event that produced it, engine/event/describe.ts), execute on the exact files
 * executed, read/write on the files opened so, TCP bind and connect ports, and the scopes the
 * model saw nothing cross. Every rule carries the points it stands for; what Landlock cannot
 * express is listed with the reason, never dropped. Pure.
 */
import { type FsRight, type NetRight, type Scope, sortFs } from './rights.js';

/** A CELL value as descriptions keep it: strings at the leaves. */
export type CellValue = string | { readonly [k: string]: CellValue };
export type CellObject = { readonly [k: string]: CellValue };

/** What the compiler reads of a point's description (a subset of EventDescription). */
export interface PointDescription {
  readonly type: string;
  readonly cell: CellObject;
}

export interface DescribedPoint {
  /** The coefficient, lowercase hex. */
  readonly hex: string;
  readonly description?: PointDescription;
}

/** Why a rule exists: one point and what it showed. */
export interface Reason {
  readonly point: string;
  readonly type: string;
  readonly saw: string;
}

export interface PathRule {
  readonly path: string;
  readonly access: readonly FsRight[];
  /** Set when the rule covers more than the files seen (e.g. per-process /proc paths). */
  readonly widened?: string;
  readonly reasons: readonly Reason[];
}

export interface PortRule {
  readonly port: number;
  readonly access: readonly NetRight[];
  readonly reasons: readonly Reason[];
}

/** What the model holds that Landlock cannot express (the coefficient model still judges it). */
export interface Unexpressed {
  readonly type: string;
  readonly why: string;
  readonly points: readonly string[];
}

/** A right or scope left unhandled (allowed by Landlock) or handled with no rule, and why. */
export interface Decision {
  readonly what: string;
  readonly why: string;
}

export interface CompiledRuleset {
  readonly handledFs: readonly FsRight[];
  readonly handledNet: readonly NetRight[];
  readonly scoped: readonly Scope[];
  readonly paths: readonly PathRule[];
  readonly ports: readonly PortRule[];
  readonly unexpressed: readonly Unexpressed[];
  /** Rights deliberately unhandled, scopes not applied, and handled rights with no rule. */
  readonly decisions: readonly Decision[];
  readonly points: number;
}

/** Rights the compiler handles: what a file_open description shows (docs/landlock.md §3). */
export const HANDLED_FS: readonly FsRight[] = ['execute', 'write_file', 'read_file', 'truncate'];
export const HANDLED_NET: readonly NetRight[] = ['bind_tcp', 'connect_tcp'];

const UNHANDLED_FS: readonly Decision[] = [
  {
    what: 'read_dir',
    why: 'file_open events describe regular files only: the model cannot say which directories are listed',
  },
  {
    what: 'make_*, remove_*, refer',
    why: 'the sources report no inode_create/unlink/rename events, so the model cannot say where files are made or removed',
  },
  {
    what: 'ioctl_dev',
    why: 'device opens and ioctls are not in the model (file_open describes regular files only)',
  },
];

/** The device tree: never in the model (file_open describes regular files), so left open. */
const DEVICES: PathRule = {
  path: '/dev',
  access: ['write_file', 'read_file'],
  widened:
    'device nodes are not in the model (file_open describes regular files only): read and write beneath /dev are allowed',
  reasons: [],
};

const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
/** __FMODE_EXEC in f_flags: the file an execve opened. */
const FMODE_EXEC = 0x20;
const SOCK_STREAM = 1;
const IPPROTO_TCP = 6;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_UNIX = 1;

/** Why other event types cannot become Landlock rules. */
const NOT_EXPRESSIBLE: Readonly<Record<string, string>> = {
  mmap_file: 'Landlock has no right for memory mappings',
  file_ioctl: 'Landlock checks ioctl on device files only, and the model cannot say which',
  file_lock: 'Landlock has no right for file locks',
  file_fcntl: 'Landlock has no right for fcntl',
  file_receive: 'Landlock does not check file descriptors passed between processes',
  socket_create: 'Landlock has no right for creating sockets',
  socket_accept: 'Landlock checks TCP bind and connect only',
  socket_listen: 'Landlock checks TCP bind and connect only',
  socket_sendmsg: 'Landlock checks TCP bind and connect only',
  socket_recvmsg: 'Landlock checks TCP bind and connect only',
  socket_setsockopt: 'Landlock checks TCP bind and connect only',
  ptrace_access_check:
    'Landlock denies ptrace of processes outside the domain by itself; it cannot narrow it further',
  capable: 'capabilities are not Landlock rights',
  sb_mount: 'a Landlock domain may not mount at all; the model cannot widen that',
  kernel_load_data: 'Landlock has no right for loading kernel data',
  kernel_read_file: 'Landlock has no right for kernel file reads',
};

function str(v: CellValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function obj(v: CellValue | undefined): CellObject | undefined {
  return v !== undefined && typeof v !== 'string' ? v : undefined;
}

function num(v: CellValue | undefined): number | undefined {
  const s = str(v);
  if (s === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(s)) return undefined;
  return Number(s);
}

/** `/proc/PID/...`, `/proc/self/...`: a path that differs on every run. */
function perProcess(path: string): boolean {
  return /^\/proc\/(\d+|self|thread-self)(\/|$)/.test(path);
}

class Builder {
  readonly paths = new Map<string, { access: Set<FsRight>; widened?: string; reasons: Reason[] }>();
  readonly ports = new Map<number, { access: Set<NetRight>; reasons: Reason[] }>();
  readonly unexpressed = new Map<string, { type: string; why: string; points: string[] }>();
  readonly signals: string[] = [];
  readonly abstractUnix: string[] = [];

  path(path: string, rights: FsRight[], r: Reason, widened?: string): void {
    let p = this.paths.get(path);
    if (!p) this.paths.set(path, (p = { access: new Set(), widened, reasons: [] }));
    for (const x of rights) p.access.add(x);
    p.reasons.push(r);
  }

  port(port: number, right: NetRight, r: Reason): void {
    let p = this.ports.get(port);
    if (!p) this.ports.set(port, (p = { access: new Set(), reasons: [] }));
    p.access.add(right);
    p.reasons.push(r);
  }

  cannot(type: string, why: string, point: string): void {
    const key = `${type}\0${why}`;
    let u = this.unexpressed.get(key);
    if (!u) this.unexpressed.set(key, (u = { type, why, points: [] }));
    u.points.push(point);
  }
}

function fileRule(b: Builder, hex: string, type: string, cell: CellObject): void {
  const file = obj(cell['file']);
  const path = str(obj(file?.['path'])?.['pathname']);
  const flags = num(file?.['flags']);
  if (path === undefined || flags === undefined)
    return b.cannot(type, 'the description has no file pathname or flags', hex);
  if (!path.startsWith('/'))
    return b.cannot(type, 'a relative pathname cannot name a Landlock rule', hex);
  const exec = (flags & FMODE_EXEC) !== 0 || type === 'bprm_committed_creds';
  const acc = flags & O_ACCMODE;
  const rights: FsRight[] = [];
  // Opening for exec needs read_file as well as execute (Landlock's file_open hook).
  if (exec) rights.push('execute', 'read_file');
  if (!exec && (acc === 0 || acc === O_RDWR)) rights.push('read_file');
  // O_TRUNC is not kept in f_flags: truncation goes with the right to write.
  if (acc === O_WRONLY || acc === O_RDWR) rights.push('write_file', 'truncate');
  const saw = `${exec ? 'exec' : acc === 0 ? 'read' : acc === O_WRONLY ? 'write' : 'read+write'} ${path}`;
  const reason = { point: hex, type, saw };
  if (perProcess(path)) {
    if (exec)
      return b.cannot(type, 'an exec through a per-process /proc path cannot be named', hex);
    b.path('/proc', rights, reason, 'per-process /proc paths differ on every run');
  } else {
    b.path(path, rights, reason);
  }
}

function socketRule(b: Builder, hex: string, type: string, cell: CellObject): void {
  const sock = obj(cell['sock']);
  const addr = obj(cell['addr']);
  const family = num(sock?.['family']);
  if (family === AF_UNIX) {
    const address = str(obj(addr?.['af_unix'])?.['address']) ?? '';
    if (address.startsWith('@') || address === '') b.abstractUnix.push(hex);
    return b.cannot(
      type,
      'Landlock (ABI 7) has no rule for unix sockets (abstract ones only by scope)',
      hex
    );
  }
  const inet = obj(addr?.['af_inet']) ?? obj(addr?.['af_inet6']);
  const port = num(inet?.['port']);
  const tcp =
    (family === AF_INET || family === AF_INET6) &&
    num(sock?.['type']) === SOCK_STREAM &&
    [0, IPPROTO_TCP].includes(num(sock?.['protocol']) ?? -1);
  if (!tcp || port === undefined)
    return b.cannot(type, 'Landlock checks TCP ports only (this is not TCP over IP)', hex);
  const right: NetRight = type === 'socket_bind' ? 'bind_tcp' : 'connect_tcp';
  b.port(port, right, { point: hex, type, saw: `${right} port ${port}` });
}

/**
 * The ruleset for a model's points, or an error naming the points without description (a model
 * without descriptions cannot be compiled: Landlock would deny what those points allow).
 */
export function compileLandlock(points: readonly DescribedPoint[]): CompiledRuleset | string {
  const undescribed = points.filter((p) => !p.description);
  if (points.length === 0) return 'the model holds no points: there is nothing to compile';
  if (undescribed.length > 0)
    return (
      `${undescribed.length} of ${points.length} points have no description (first ` +
      `${undescribed[0]!.hex.slice(0, 16)}…): a model without point descriptions cannot be ` +
      "compiled. Train it with this engine, or export it with its '# tsem: point' lines"
    );
  const b = new Builder();
  for (const p of points) {
    const { type, cell } = p.description!;
    switch (type) {
      case 'file_open':
      case 'bprm_committed_creds':
        fileRule(b, p.hex, type, cell);
        break;
      case 'socket_connect':
      case 'socket_bind':
        socketRule(b, p.hex, type, cell);
        break;
      case 'task_kill':
        b.signals.push(p.hex);
        b.cannot(type, 'Landlock scopes signals to the domain or not at all', p.hex);
        break;
      case 'unix_stream_connect':
      case 'unix_may_send':
        b.abstractUnix.push(p.hex);
        b.cannot(type, 'Landlock scopes abstract unix sockets to the domain or not at all', p.hex);
        break;
      default:
        b.cannot(
          type,
          NOT_EXPRESSIBLE[type] ?? 'Landlock has no right for this kind of event',
          p.hex
        );
    }
  }
  const decisions: Decision[] = [...UNHANDLED_FS];
  const scoped: Scope[] = [];
  if (b.signals.length === 0) scoped.push('signal');
  else
    decisions.push({
      what: 'scope signal',
      why: `not applied: the model holds ${b.signals.length} task_kill points and their descriptions do not say whether the target was inside the workload`,
    });
  if (b.abstractUnix.length === 0) scoped.push('abstract_unix_socket');
  else
    decisions.push({
      what: 'scope abstract_unix_socket',
      why: `not applied: the model holds ${b.abstractUnix.length} unix socket points that may reach outside the workload`,
    });
  if (b.ports.size === 0)
    decisions.push({
      what: 'bind_tcp, connect_tcp',
      why: 'handled with no port allowed: the model holds no TCP bind or connect (a model trained by a source that reports no sockets, such as fanotify, denies them all)',
    });
  const paths: PathRule[] = [...b.paths]
    .map(([path, p]): PathRule => ({
      path,
      access: sortFs(p.access),
      ...(p.widened ? { widened: p.widened } : {}),
      reasons: p.reasons,
    }))
    .concat(b.paths.has('/dev') ? [] : [DEVICES])
    .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const ports: PortRule[] = [...b.ports]
    .map(([port, p]) => ({
      port,
      access: (['bind_tcp', 'connect_tcp'] as const).filter((r) => p.access.has(r)),
      reasons: p.reasons,
    }))
    .sort((x, y) => x.port - y.port);
  return {
    handledFs: HANDLED_FS,
    handledNet: HANDLED_NET,
    scoped,
    paths,
    ports,
    unexpressed: [...b.unexpressed.values()],
    decisions,
    points: points.length,
  };
}
