// Linux namespaces for `tsem run --unshare`: user (root inside is the caller outside), mount
// (private propagation, /proc of a new pid namespace), network (loopback up), pid (see launch.c).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launch.h"

int parse_unshare_list(const char *list, int *flags) {
  char buf[128];
  if (strlen(list) >= sizeof buf || *list == '\0') return -1;
  strcpy(buf, list);
  char *save = NULL;
  for (char *w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
    if (strcmp(w, "mnt") == 0)
      *flags |= CLONE_NEWNS;
    else if (strcmp(w, "pid") == 0)
      *flags |= CLONE_NEWPID;
    else if (strcmp(w, "user") == 0)
      *flags |= CLONE_NEWUSER;
    else if (strcmp(w, "net") == 0)
      *flags |= CLONE_NEWNET;
    else
      return -1;
  }
  return 0;
}

static void write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("user namespace", errno, path);
  ssize_t n = (ssize_t)strlen(text);
  if (write(fd, text, (size_t)n) != n) {
    int err = errno;
    close(fd);
    fail("user namespace", err, path);
  }
  close(fd);
}

// Without CAP_SETUID in the parent namespace a process may map exactly its own ids, and only after
// denying setgroups(2): root inside is the caller's uid and gid outside (unshare --map-root-user).
static void map_root_to_caller(uid_t uid, gid_t gid) {
  char map[64];
  write_file("/proc/self/setgroups", "deny");
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
  write_file("/proc/self/uid_map", map);
  snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
  write_file("/proc/self/gid_map", map);
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("network namespace", errno, "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
      (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(s, SIOCSIFFLAGS, &ifr) != 0)) {
    int err = errno;
    close(s);
    fail("network namespace", err, "bringing loopback up");
  }
  close(s);
}

void enter_namespaces(int flags) {
  if (flags & CLONE_NEWUSER) {
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) != 0) fail("unshare user", errno, NULL);
    map_root_to_caller(uid, gid);
  }
  int rest = flags & ~CLONE_NEWUSER;
  if (rest != 0 && unshare(rest) != 0) fail("unshare", errno, NULL);
  // Mounts made inside must not propagate back to the host.
  if ((flags & CLONE_NEWNS) && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    fail("mount namespace", errno, "making / private");
  if (flags & CLONE_NEWNET) loopback_up();
}

void mount_proc(void) {
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
    fail("mount namespace", errno, "mounting /proc of the new pid namespace");
}
