/**
 * `cron-backup`: cron wakes every minute to check its crontabs; once a night its job runs
 * `sh -c 'tar czf /var/backups/etc.tar.gz /etc && tar czf /var/backups/home.tar.gz /home'`, each
 * tar piping through gzip. An iteration is one night: some wake-ups and one backup run. The
 * archives are created inside the namespace by the first run, so later runs open them as owned
 * inodes with the zero digest (§1.5): their changing contents never reach a coefficient.
 */
import { COES, PROGRAMS } from '../programs.js';
import { OPEN, type SimProcess } from '../sim-process.js';
import type { Burst, Workload, WorkloadKind } from '../workload.js';
import type { World } from '../world.js';

const CRONTAB = '/etc/crontab';
const CRON_SPOOL = '/var/spool/cron/crontabs';
const PAM_FILES = ['/etc/pam.d/cron', '/etc/security/limits.conf', '/etc/environment'];

/** What each tar archives: the directories it walks, then the files it reads, in directory order. */
export const BACKUP_SETS = [
  {
    archive: '/var/backups/etc.tar.gz',
    dirs: ['/etc', '/etc/nginx', '/etc/ssh'],
    files: [
      '/etc/hostname',
      '/etc/hosts',
      '/etc/passwd',
      '/etc/group',
      '/etc/shadow',
      '/etc/fstab',
      CRONTAB,
      '/etc/nginx/nginx.conf',
      '/etc/ssh/sshd_config',
    ],
  },
  {
    archive: '/var/backups/home.tar.gz',
    dirs: ['/home', '/home/alice', '/home/bob'],
    files: [
      '/home/alice/.bashrc',
      '/home/alice/.profile',
      '/home/alice/notes.txt',
      '/home/bob/.bashrc',
      '/home/bob/report.md',
    ],
  },
] as const;

export class CronBackupWorkload implements Workload {
  crond!: SimProcess;

  constructor(private readonly w: World) {}

  setup(): void {
    const systemd = this.w.root(1, 'systemd', COES.root);
    this.crond = systemd.fork();
    this.crond.exec(PROGRAMS.cron);
    this.crond.open(CRONTAB, OPEN.readCloexec);
  }

  /** A minute tick: cron stats its crontabs for changes. */
  private wake(): Burst {
    return () => {
      this.w.idle(50_000, 60_000);
      this.crond.getattr(CRONTAB);
      this.crond.getattr(CRON_SPOOL, true);
    };
  }

  /** cron forks; the child opens the PAM session, forks again and the grandchild runs `sh -c`. */
  startJob(): SimProcess {
    const session = this.crond.fork();
    for (const f of PAM_FILES) session.open(f, OPEN.readCloexec);
    const sh = session.fork();
    sh.exec(PROGRAMS.sh);
    return sh;
  }

  private backup(): Burst {
    return () => {
      this.w.idle(1_000, 5_000);
      const sh = this.startJob();
      for (const set of BACKUP_SETS) {
        const tar = sh.fork();
        tar.exec(PROGRAMS.tar);
        if (!this.w.created.has(set.archive)) tar.create(set.archive, 0o100644);
        tar.open(set.archive, OPEN.write);
        tar.fork().exec(PROGRAMS.gzip);
        for (const d of set.dirs) {
          tar.getattr(d, true);
          tar.open(d, OPEN.readDir, true);
        }
        for (const f of set.files) {
          tar.getattr(f);
          tar.open(f, OPEN.read);
        }
      }
    };
  }

  iteration(): Burst[] {
    const wakes = Array.from({ length: this.w.rng.int(1, 6) }, () => this.wake());
    const at = this.w.rng.int(0, wakes.length);
    return [...wakes.slice(0, at), this.backup(), ...wakes.slice(at)];
  }
}

export const CRON_BACKUP: WorkloadKind<CronBackupWorkload> = {
  name: 'cron-backup',
  description: 'cron forks a shell that runs tar|gzip over /etc and /home, writing /var/backups',
  create: (w) => new CronBackupWorkload(w),
};
