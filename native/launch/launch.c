// tsem-launch: the canister launcher's pre-exec sequence, in one place. `tsem run` creates the
// canister's cgroup, registers it with the engine, then starts this helper, because Node's spawn
// runs no code in the child between fork and exec. The helper runs, in this order:
//
//   1. die with tsem run (PR_SET_PDEATHSIG), so no canister outlives its launcher unmodeled;
//   2. --unshare: new user, mount, network and pid namespaces (namespaces.c); in a new pid
//      namespace an init (pid 1) below the helper forwards signals and reaps orphans;
//   3. fork the workload process, which
//   4. moves itself into the canister's cgroup (--cgroup DIR) as its last action the engine could
//      see, so the launcher's own work (namespaces, mounts) is never modeled in the canister while
//      the workload's first instruction is;
//   5. applies the confinement steps (confine.c: --no-new-privs; Landlock is added there);
//   6. execs the command (PATH search).
//
// The helper reports the workload's pid as "pid PID" on --report-fd right after the fork (not in a
// new pid namespace, where init only knows the namespace's own pid): the workload process is the
// one that restricts itself with Landlock, and the kernel names it as the creator of the Landlock
// domain in its audit records, so the engine routes the domain's denials to the canister by it.
// The waiting process (the helper, or init in a new pid namespace) reports the workload's end as
// "exit STATUS" on --report-fd and keeps its zombie until tsem run closes --hold-fd: a zombie keeps
// its /proc/PID/cgroup, so event sources that read it late still find the canister. A failed step
// is one line "fail STAGE ERRNO TEXT" on the report fd and ends the helper with 125; a command that
// cannot be executed ends the workload with 126, one not found with 127.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch.h"

static int report_fd = -1;
static int hold_fd = -1;
// The child that forwarded signals go to (init from the helper, the workload from its waiter).
static volatile sig_atomic_t forward_to = 0;
// Signals a waiting launcher process passes on to its child.
static const int FORWARDED[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};
#define N_FORWARDED (sizeof FORWARDED / sizeof FORWARDED[0])

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

void report_failure(const char *stage, int err, const char *text) {
  char line[512];
  const char *why = text != NULL ? text : (err != 0 ? strerror(err) : "failed");
  int n = snprintf(line, sizeof line, "fail %s %d %s\n", stage, err, why);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) {
    n = sizeof line - 1;
    line[n - 1] = '\n';
  }
  // A newline in the text (a path) must not forge a line of the report ("exit 0").
  for (int i = 0; i < n - 1; i++)
    if (line[i] == '\n') line[i] = '?';
  if (report_fd >= 0)
    write_all(report_fd, line, (size_t)n);
  else
    dprintf(STDERR_FILENO, "tsem-launch: %s: %s\n", stage, why);
}

void report_note(const char *text) {
  char line[4400];
  int n = snprintf(line, sizeof line, "note %s\n", text);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) {
    n = sizeof line - 1;
    line[n - 1] = '\n';
  }
  // A newline inside a path must not start a line of its own on the report.
  for (int i = 0; i < n - 1; i++)
    if (line[i] == '\n') line[i] = '?';
  if (report_fd >= 0)
    write_all(report_fd, line, (size_t)n);
  else
    dprintf(STDERR_FILENO, "tsem-launch: %s", line + 5);
}

_Noreturn void fail(const char *stage, int err, const char *text) {
  report_failure(stage, err, text);
  _exit(EXIT_LAUNCH_FAILED);
}

void close_report_fd(void) {
  if (report_fd >= 0) close(report_fd);
  report_fd = -1;
}

// Signals a terminal sends (si_code SI_KERNEL) already reach the workload, which shares the
// foreground process group; only signals sent by a process (kill, sigqueue) are passed on.
static void forward(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  if (forward_to > 0 && info->si_code <= 0) kill((pid_t)forward_to, sig);
}

static void install_forwarding(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask);
  for (size_t i = 0; i < N_FORWARDED; i++) sigaction(FORWARDED[i], &sa, NULL);
}

static void default_signals(void) {
  for (size_t i = 0; i < N_FORWARDED; i++) signal(FORWARDED[i], SIG_DFL);
}

// SIGKILL when the parent goes; `parent` was read before, so a parent already gone is caught too
// (init of a new pid namespace sees its parent, outside, as pid 0).
static void die_with(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail("pdeathsig", errno, NULL);
  pid_t now = getppid();
  if (now != parent && now != 0) fail("pdeathsig", 0, "the launcher's parent exited before it started");
}

// Forks with every signal blocked, so neither side runs a handler meant for the other; the parent
// forwards signals to the child from then on, and the child dies with the parent.
static pid_t fork_forwarding(void) {
  sigset_t all, old;
  pid_t parent = getpid();
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid == 0) {
    forward_to = 0;
    default_signals();
  } else if (pid > 0) {
    forward_to = pid;
    install_forwarding();
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pid == 0) die_with(parent);
  return pid;
}

static int status_of(int code, int value) {
  return code == CLD_EXITED ? value : 128 + value;
}

// Waits for `child` to end without reaping it (reaping every other child on the way, as init
// must); returns its exit status as a shell reports it: the code, or 128 + the signal.
static int wait_unreaped(pid_t child) {
  for (;;) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) != 0) {
      if (errno == EINTR) continue;
      fail("wait", errno, NULL);
    }
    if (si.si_pid == child) return status_of(si.si_code, si.si_status);
    waitpid(si.si_pid, NULL, 0);
  }
}

static int wait_reaped(pid_t child) {
  int status = 0;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) fail("wait", errno, NULL);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : EXIT_LAUNCH_FAILED;
}

// Until tsem run closes the hold fd (it finished the canister, or it is gone).
static void hold(void) {
  char b[64];
  if (hold_fd < 0) return;
  for (;;) {
    ssize_t n = read(hold_fd, b, sizeof b);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  close(hold_fd);
  hold_fd = -1;
}

static int open_cgroup_procs(const char *dir) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= sizeof path)
    fail("cgroup", ENAMETOOLONG, NULL);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("cgroup", errno, NULL);
  return fd;
}

// Writing "0" moves the writer. The fd was opened before any namespace change: the kernel checks
// the opener's credentials (cgroup v2 delegation rules), so a new user namespace does not matter.
static void join_cgroup(int fd) {
  if (fd < 0) return;
  if (write(fd, "0", 1) != 1) fail("cgroup", errno, NULL);
  close(fd);
}

static _Noreturn void exec_command(char **argv) {
  execvp(argv[0], argv);
  int err = errno;
  report_failure("exec", err, NULL);
  _exit(err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
}

// The workload below its waiting parent; returns in the parent with the workload's status once
// tsem run released it.
static int run_workload(int procs, char **command, int report_pid) {
  pid_t workload = fork_forwarding();
  if (workload < 0) fail("fork", errno, NULL);
  if (workload == 0) {
    if (hold_fd >= 0) close(hold_fd);
    join_cgroup(procs);
    apply_confinement();
    exec_command(command);
  }
  if (report_pid && report_fd >= 0) dprintf(report_fd, "pid %d\n", (int)workload);
  if (procs >= 0) close(procs);
  int status = wait_unreaped(workload);
  if (report_fd >= 0) dprintf(report_fd, "exit %d\n", status);
  hold();
  wait_reaped(workload);
  return status;
}

static int fd_option(const char *v) {
  char *end = NULL;
  long fd = strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || fd < 3 || fd > 1024) return -1;
  if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0) return -1;
  return (int)fd;
}

static _Noreturn void usage(const char *why) {
  dprintf(STDERR_FILENO,
          "tsem-launch: %s\n"
          "usage: tsem-launch [--parent PID] [--report-fd N] [--hold-fd N] [--cgroup DIR] "
          "[--unshare mnt,pid,user,net] %s-- COMMAND [ARG...]\n"
          "(started by `tsem run`; not meant to be run by hand)\n",
          why, confine_usage());
  _exit(EXIT_LAUNCH_FAILED);
}

int main(int argc, char **argv) {
  const char *cgroup = NULL;
  // tsem run's pid: if it is gone before PR_SET_PDEATHSIG takes hold, getppid() no longer says it.
  pid_t parent = 0;
  int unshare_flags = 0;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    bool used = false;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "--report-fd") == 0 && v != NULL) {
      if ((report_fd = fd_option(v)) < 0) usage("--report-fd expects an open fd >= 3");
      used = true;
    } else if (strcmp(a, "--hold-fd") == 0 && v != NULL) {
      if ((hold_fd = fd_option(v)) < 0) usage("--hold-fd expects an open fd >= 3");
      used = true;
    } else if (strcmp(a, "--parent") == 0 && v != NULL) {
      char *end = NULL;
      parent = (pid_t)strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || parent <= 0) usage("--parent expects a pid");
      used = true;
    } else if (strcmp(a, "--cgroup") == 0 && v != NULL) {
      cgroup = v;
      used = true;
    } else if (strcmp(a, "--unshare") == 0 && v != NULL) {
      if (parse_unshare_list(v, &unshare_flags) != 0)
        usage("--unshare expects a comma list of mnt, pid, user, net");
      used = true;
    } else if (!confine_option(a, v, &used)) {
      usage("unknown option or missing value");
    }
    if (used) i++;
  }
  if (i >= argc) usage("expected -- COMMAND");
  char **command = &argv[i];

  die_with(parent > 0 ? parent : getppid());
  int procs = cgroup != NULL ? open_cgroup_procs(cgroup) : -1;
  enter_namespaces(unshare_flags);
  if (unshare_flags & CLONE_NEWPID) {
    // The helper stays outside and waits for init (pid 1); init exiting ends the namespace.
    pid_t init = fork_forwarding();
    if (init < 0) fail("fork", errno, NULL);
    if (init > 0) {
      close_report_fd();
      if (hold_fd >= 0) close(hold_fd);
      if (procs >= 0) close(procs);
      _exit(wait_reaped(init));
    }
    if (unshare_flags & CLONE_NEWNS) mount_proc();
  }
  _exit(run_workload(procs, command, !(unshare_flags & CLONE_NEWPID)));
}
