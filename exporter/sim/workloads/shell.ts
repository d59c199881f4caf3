/**
 * `shell`: an administrator's interactive root session over ssh. bash runs ls, cat, grep and vi on
 * a few files; each command goes through job control (fork, setpgid, take the terminal, exec). An
 * iteration is a stretch of the session in which every command runs at least once.
 */
import { COES, type Program, PROGRAMS } from '../programs.js';
import { OPEN, type SimProcess } from '../sim-process.js';
import { type Burst, coverAndRepeat, type Workload, type WorkloadKind } from '../workload.js';
import type { World } from '../world.js';

/** The session's terminal; devpts shows it as "/0" with the zero digest (§1.5, TV-4). */
export const TTY = '/dev/pts/0';
const TCGETS = 0x5401;
const TIOCSPGRP = 0x5410;
const SSHD_PID = 812;

const STARTUP_FILES = ['/etc/bash.bashrc', '/root/.bashrc', '/root/.profile'];
const ROOT_ENTRIES = ['/root/.bashrc', '/root/.profile', '/root/notes.txt', '/root/deploy.sh'];
const CAT_FILES = ['/etc/hostname', '/etc/os-release', '/root/deploy.sh'];
const GREP_FILES = ['/etc/passwd', '/etc/group', '/root/notes.txt'];
const EDITED = '/root/notes.txt';
const SWAP = '/root/.notes.txt.swp';

export class ShellWorkload implements Workload {
  bash!: SimProcess;

  constructor(private readonly w: World) {}

  setup(): void {
    const sshd = this.w.root(SSHD_PID, 'sshd', COES.root);
    const session = sshd.fork();
    this.bash = session.fork();
    this.bash.exec(PROGRAMS.bash);
    for (const f of STARTUP_FILES) this.bash.open(f, OPEN.read);
    this.bash.ioctl(TTY, OPEN.readWrite, TCGETS);
  }

  /** Job control up to exec (no exec yet): the child leads its own group and takes the terminal. */
  forkJob(): SimProcess {
    const child = this.bash.fork();
    child.setpgidSelf();
    child.ioctl(TTY, OPEN.readWrite, TIOCSPGRP);
    return child;
  }

  /** bash takes the terminal back once the job ends. */
  reclaimTerminal(): void {
    this.bash.ioctl(TTY, OPEN.readWrite, TIOCSPGRP);
    this.bash.ioctl(TTY, OPEN.readWrite, TCGETS);
  }

  private command(prog: Program, body: (p: SimProcess) => void): Burst {
    return () => {
      this.w.idle(400, 8_000); // typing
      const child = this.forkJob();
      child.exec(prog);
      body(child);
      this.reclaimTerminal();
    };
  }

  private commands(): Burst[] {
    const ls = this.command(PROGRAMS.ls, (p) => {
      p.open('/root', OPEN.readDir, true);
      for (const f of ROOT_ENTRIES) p.getattr(f);
    });
    const cats = CAT_FILES.map((f) => this.command(PROGRAMS.cat, (p) => void p.open(f, OPEN.read)));
    const greps = GREP_FILES.map((f) =>
      this.command(PROGRAMS.grep, (p) => void p.open(f, OPEN.read))
    );
    // vi reads the file, keeps a swap file it creates and removes, and quits without writing.
    const vi = this.command(PROGRAMS.vi, (p) => {
      p.open(EDITED, OPEN.read);
      p.create(SWAP, 0o100600);
      p.open(SWAP, OPEN.readWrite);
      p.ioctl(TTY, OPEN.readWrite, TCGETS);
      p.unlink(SWAP);
    });
    return [ls, ...cats, ...greps, vi];
  }

  iteration(): Burst[] {
    const kinds = this.commands();
    return coverAndRepeat(this.w.rng, kinds, 2 * kinds.length);
  }
}

export const SHELL: WorkloadKind<ShellWorkload> = {
  name: 'shell',
  description:
    'interactive root shell: bash runs ls, cat, grep and vi over a few files under job control',
  create: (w) => new ShellWorkload(w),
};
