/**
 * NETLINK_AUDIT wire structures (linux/audit.h): message types, `struct audit_status` and
 * `struct audit_rule_data`, and the syscall numbers the source audits on each architecture.
 * Pure: builds and parses buffers only.
 */

export const AUDIT_GET = 1000;
export const AUDIT_SET = 1001;
export const AUDIT_ADD_RULE = 1011;
export const AUDIT_DEL_RULE = 1012;
export const AUDIT_LIST_RULES = 1013;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

const AUDIT_STATUS_ENABLED = 0x1;
const AUDIT_STATUS_PID = 0x4;
const AUDIT_STATUS_BACKLOG_LIMIT = 0x10;
const AUDIT_FILTER_EXIT = 0x04;
const AUDIT_ALWAYS = 2;
const AUDIT_PID = 0;
const AUDIT_ARCH = 11;
const AUDIT_PPID = 18;
const AUDIT_FILTERKEY = 210;
const AUDIT_EQUAL = 0x40000000;
const AUDIT_NOT_EQUAL = 0x30000000;
const AUDIT_BITMASK_SIZE = 64;
const AUDIT_MAX_FIELDS = 64;

/** The audit arch tokens (AUDIT_ARCH_*) printed as `arch=` in SYSCALL records. */
export const ARCH_X86_64 = 0xc000003e;
export const ARCH_AARCH64 = 0xc00000b7;

/** The syscalls the source maps, by name. */
export type AuditedSyscall =
  | 'execve'
  | 'execveat'
  | 'open'
  | 'openat'
  | 'openat2'
  | 'connect'
  | 'bind'
  | 'accept'
  | 'accept4'
  | 'kill'
  | 'tkill'
  | 'tgkill'
  | 'ptrace'
  | 'init_module'
  | 'finit_module'
  | 'mount';

/** Syscall numbers per arch (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h). */
export const SYSCALL_NUMBERS: Readonly<Record<number, Partial<Record<AuditedSyscall, number>>>> = {
  [ARCH_X86_64]: {
    open: 2,
    connect: 42,
    accept: 43,
    bind: 49,
    execve: 59,
    kill: 62,
    ptrace: 101,
    mount: 165,
    init_module: 175,
    tkill: 200,
    tgkill: 234,
    openat: 257,
    accept4: 288,
    finit_module: 313,
    execveat: 322,
    openat2: 437,
  },
  [ARCH_AARCH64]: {
    mount: 40,
    openat: 56,
    init_module: 105,
    ptrace: 117,
    kill: 129,
    tkill: 130,
    tgkill: 131,
    bind: 200,
    accept: 202,
    connect: 203,
    execve: 221,
    accept4: 242,
    finit_module: 273,
    execveat: 281,
    openat2: 437,
  },
};

export const ALL_SYSCALLS: readonly AuditedSyscall[] = [
  'execve',
  'execveat',
  'open',
  'openat',
  'openat2',
  'connect',
  'bind',
  'accept',
  'accept4',
  'kill',
  'tkill',
  'tgkill',
  'ptrace',
  'init_module',
  'finit_module',
  'mount',
];

/** Syscall name of a number on an arch, or undefined. */
export function syscallName(arch: number, nr: number): AuditedSyscall | undefined {
  const table = SYSCALL_NUMBERS[arch];
  if (!table) return undefined;
  for (const [name, n] of Object.entries(table)) if (n === nr) return name as AuditedSyscall;
  return undefined;
}

/** The arch of this machine's processes, for the rule's arch field. */
export function nativeArch(): number | undefined {
  if (process.arch === 'x64') return ARCH_X86_64;
  if (process.arch === 'arm64') return ARCH_AARCH64;
  return undefined;
}

/** struct audit_status (11 u32 on current kernels; older kernels send fewer, read what is there). */
export interface AuditStatus {
  readonly enabled: number;
  readonly failure: number;
  readonly pid: number;
  readonly rateLimit: number;
  readonly backlogLimit: number;
  readonly lost: number;
  readonly backlog: number;
}

export function parseAuditStatus(b: Buffer): AuditStatus | undefined {
  if (b.length < 32) return undefined;
  return {
    enabled: b.readUInt32LE(4),
    failure: b.readUInt32LE(8),
    pid: b.readUInt32LE(12),
    rateLimit: b.readUInt32LE(16),
    backlogLimit: b.readUInt32LE(20),
    lost: b.readUInt32LE(24),
    backlog: b.readUInt32LE(28),
  };
}

/** AUDIT_SET payload that sets the audit daemon pid (0 releases it) and the enabled flag. */
export function auditSetPayload(pid: number, enabled: number): Buffer {
  const b = Buffer.alloc(44);
  b.writeUInt32LE(AUDIT_STATUS_PID | AUDIT_STATUS_ENABLED, 0);
  b.writeUInt32LE(enabled, 4);
  b.writeUInt32LE(pid, 12);
  return b;
}

/** AUDIT_SET payload that sets the kernel's backlog limit (records queued for the reader). */
export function auditBacklogLimitPayload(limit: number): Buffer {
  const b = Buffer.alloc(44);
  b.writeUInt32LE(AUDIT_STATUS_BACKLOG_LIMIT, 0);
  b.writeUInt32LE(limit, 20);
  return b;
}

export interface RuleSpec {
  readonly arch: number;
  readonly syscalls: readonly number[];
  /** The rule's key (AUDIT_FILTERKEY): records carry key="..." and removal matches it. */
  readonly key: string;
  /**
   * Never audit these pids (our own process first, then the other tsem daemons: their reads of
   * /proc would feed back). Those that do not fit in the rule's 64 fields are left out; the
   * reader drops their records.
   */
  readonly excludePids?: readonly number[];
  /** Only audit children of this pid (narrow rules for tests). */
  readonly ppid?: number;
}

/** struct audit_rule_data: flags, action, field_count, mask[64], fields[64], values[64],
 * fieldflags[64], buflen, buf[] (the key string, no NUL). */
export function ruleDataPayload(rule: RuleSpec): Buffer {
  const key = Buffer.from(rule.key, 'utf8');
  const fixed = 12 + 4 * AUDIT_BITMASK_SIZE + 3 * 4 * AUDIT_MAX_FIELDS + 4;
  const b = Buffer.alloc(fixed + key.length);
  b.writeUInt32LE(AUDIT_FILTER_EXIT, 0);
  b.writeUInt32LE(AUDIT_ALWAYS, 4);
  const maskAt = 12;
  for (const nr of rule.syscalls) {
    const word = maskAt + 4 * Math.floor(nr / 32);
    b.writeUInt32LE((b.readUInt32LE(word) | (1 << (nr % 32))) >>> 0, word);
  }
  const fieldsAt = maskAt + 4 * AUDIT_BITMASK_SIZE;
  const valuesAt = fieldsAt + 4 * AUDIT_MAX_FIELDS;
  const flagsAt = valuesAt + 4 * AUDIT_MAX_FIELDS;
  const fields: [number, number, number][] = [[AUDIT_ARCH, AUDIT_EQUAL, rule.arch]];
  if (rule.ppid !== undefined) fields.push([AUDIT_PPID, AUDIT_EQUAL, rule.ppid]);
  const room = AUDIT_MAX_FIELDS - fields.length - 1;
  for (const pid of (rule.excludePids ?? []).slice(0, room))
    fields.push([AUDIT_PID, AUDIT_NOT_EQUAL, pid]);
  fields.push([AUDIT_FILTERKEY, AUDIT_EQUAL, key.length]);
  fields.forEach(([field, op, value], i) => {
    b.writeUInt32LE(field, fieldsAt + 4 * i);
    b.writeUInt32LE(value >>> 0, valuesAt + 4 * i);
    b.writeUInt32LE(op >>> 0, flagsAt + 4 * i);
  });
  b.writeUInt32LE(fields.length, 8);
  b.writeUInt32LE(key.length, fixed - 4);
  key.copy(b, fixed);
  return b;
}

/** errno of an NLMSG_ERROR payload (0 is an ACK), and the seq of the request it answers. */
export function parseNlError(b: Buffer): { errno: number; seq: number } | undefined {
  if (b.length < 4 + 16) return undefined;
  return { errno: -b.readInt32LE(0), seq: b.readUInt32LE(4 + 8) };
}
