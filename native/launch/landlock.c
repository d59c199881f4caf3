// Landlock for the canister launcher (see landlock.h). The ruleset file, one item a line:
//
//   tsem-landlock 1            format and version (first line)
//   abi N                      the ABI version the ruleset was fitted to by tsem run
//   fs 0xMASK                  handled file-system rights
//   net 0xMASK                 handled network rights (ABI >= 4)
//   scoped 0xMASK              scopes (ABI >= 6)
//   restrict 0xFLAGS           landlock_restrict_self flags (ABI >= 7 for the logging flags)
//   path 0xMASK HEX            rights beneath a path (hex of its bytes: any byte may occur)
//   port 0xMASK PORT           network rights on a TCP port
#define _GNU_SOURCE
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define TL_CREATE_RULESET_VERSION (1U << 0)
#define TL_RULE_PATH_BENEATH 1
#define TL_RULE_NET_PORT 2
#define TL_MAX_FILE (16u << 20)

struct tl_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};

struct tl_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct tl_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

int tl_abi_version(void) {
  long v = syscall(__NR_landlock_create_ruleset, NULL, 0, TL_CREATE_RULESET_VERSION);
  return v < 0 ? -errno : (int)v;
}

// The file-system rights each ABI version knows.
static uint64_t fs_rights(int abi) {
  uint64_t m = (1ULL << 13) - 1;  // ABI 1: execute .. make_sym
  if (abi >= 2) m |= TL_ACCESS_FS_REFER;
  if (abi >= 3) m |= TL_ACCESS_FS_TRUNCATE;
  if (abi >= 5) m |= TL_ACCESS_FS_IOCTL_DEV;
  return m;
}

static uint64_t net_rights(int abi) {
  return abi >= 4 ? TL_ACCESS_NET_BIND_TCP | TL_ACCESS_NET_CONNECT_TCP : 0;
}

static uint64_t scopes(int abi) {
  return abi >= 6 ? TL_SCOPE_ABSTRACT_UNIX_SOCKET | TL_SCOPE_SIGNAL : 0;
}

static uint32_t restrict_flags(int abi) {
  return abi >= 7 ? (1U << 0) | (1U << 1) | (1U << 2) : 0;
}

static bool parse_u64(const char *s, int base, uint64_t *out) {
  char *end = NULL;
  if (*s == '\0' || *s == '-') return false;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static char *unhex(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n % 2 != 0) return NULL;
  char *out = malloc(n / 2 + 1);
  if (out == NULL) return NULL;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      free(out);
      return NULL;
    }
    out[i] = (char)(hi * 16 + lo);
  }
  out[n / 2] = '\0';
  return out;
}

// Reads fd to its end (a pipe or socket tsem run writes, or a file); `file` names it in errors.
static char *read_all(int fd, const char *file, size_t *len, char *err, size_t errlen) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (buf == NULL) break;
    if (n == cap) {
      if (cap >= TL_MAX_FILE) {
        snprintf(err, errlen, "the ruleset %s is larger than %u bytes", file, TL_MAX_FILE);
        free(buf);
        buf = NULL;
        break;
      }
      cap *= 2;
      char *b = realloc(buf, cap + 1);
      if (b == NULL) free(buf);
      buf = b;
      continue;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      snprintf(err, errlen, "cannot read the ruleset %s: %s", file, strerror(errno));
      free(buf);
      buf = NULL;
      break;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  if (buf == NULL && err[0] == '\0') snprintf(err, errlen, "out of memory");
  if (buf != NULL) buf[n] = '\0';
  *len = n;
  return buf;
}

// Appends to a growing array; false when out of memory.
static bool grow(void **arr, size_t *n, size_t size) {
  if ((*n & (*n - 1)) == 0) {  // 0, 1, 2, 4, ...: double
    void *p = realloc(*arr, (*n == 0 ? 1 : *n * 2) * size);
    if (p == NULL) return false;
    *arr = p;
  }
  (*n)++;
  return true;
}

bool tl_read_ruleset(int fd, const char *file, struct tl_ruleset *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  err[0] = '\0';
  size_t len = 0;
  char *text = read_all(fd, file, &len, err, errlen);
  if (text == NULL) return false;
  if (strlen(text) != len) {
    snprintf(err, errlen, "the ruleset %s holds a NUL byte", file);
    free(text);
    return false;
  }
  bool ok = true;
  int line_no = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line != NULL && ok;
       line = strtok_r(NULL, "\n", &save)) {
    line_no++;
    char word[16] = "", a[32] = "", b[8192] = "";
    int n = sscanf(line, "%15s %31s %8191s", word, a, b);
    uint64_t v = 0, w = 0;
    const char *why = NULL;
    if (line_no == 1) {
      if (strcmp(line, "tsem-landlock 1") != 0) why = "expected 'tsem-landlock 1' first";
    } else if (strcmp(word, "abi") == 0 && n == 2 && parse_u64(a, 10, &v) && v >= 1 &&
               v <= 64) {
      r->abi = (int)v;
    } else if (r->abi == 0) {
      why = "expected 'abi N' before the rules";
    } else if (strcmp(word, "fs") == 0 && n == 2 && parse_u64(a, 16, &v)) {
      if (v & ~fs_rights(r->abi)) why = "file-system rights beyond the ABI version";
      r->handled_fs = v;
    } else if (strcmp(word, "net") == 0 && n == 2 && parse_u64(a, 16, &v)) {
      if (v & ~net_rights(r->abi)) why = "network rights beyond the ABI version";
      r->handled_net = v;
    } else if (strcmp(word, "scoped") == 0 && n == 2 && parse_u64(a, 16, &v)) {
      if (v & ~scopes(r->abi)) why = "scopes beyond the ABI version";
      r->scoped = v;
    } else if (strcmp(word, "restrict") == 0 && n == 2 && parse_u64(a, 16, &v)) {
      if (v & ~(uint64_t)restrict_flags(r->abi)) why = "restrict flags beyond the ABI version";
      r->restrict_flags = (uint32_t)v;
    } else if (strcmp(word, "path") == 0 && n == 3 && parse_u64(a, 16, &v)) {
      char *path = unhex(b);
      if (path == NULL || (v & ~r->handled_fs) || v == 0) {
        free(path);
        why = path == NULL ? "a path is hex of its bytes, not empty and without NUL"
                           : "path rights outside the handled file-system rights";
      } else if (!grow((void **)&r->paths, &r->n_paths, sizeof *r->paths)) {
        free(path);
        why = "out of memory";
      } else {
        r->paths[r->n_paths - 1] = (struct tl_path_rule){v, path};
      }
    } else if (strcmp(word, "port") == 0 && n == 3 && parse_u64(a, 16, &v) &&
               parse_u64(b, 10, &w) && w <= 65535) {
      if ((v & ~r->handled_net) || v == 0)
        why = "port rights outside the handled network rights";
      else if (!grow((void **)&r->ports, &r->n_ports, sizeof *r->ports))
        why = "out of memory";
      else
        r->ports[r->n_ports - 1] = (struct tl_port_rule){v, w};
    } else {
      why = "not a ruleset line (tsem-landlock, abi, fs, net, scoped, restrict, path, port)";
    }
    if (why != NULL) {
      snprintf(err, errlen, "ruleset %s line %d: %s", file, line_no, why);
      ok = false;
    }
  }
  if (ok && line_no == 0) {
    snprintf(err, errlen, "the ruleset %s is empty", file);
    ok = false;
  }
  free(text);
  return ok;
}

static size_t attr_size(int abi) {
  if (abi >= 6) return sizeof(struct tl_ruleset_attr);
  if (abi >= 4) return offsetof(struct tl_ruleset_attr, scoped);
  return offsetof(struct tl_ruleset_attr, handled_access_net);
}

int tl_apply(const struct tl_ruleset *r, void (*note)(const char *path, const char *file),
             const char **stage,
             char *err, size_t errlen) {
  err[0] = '\0';
  *stage = "landlock";
  int abi = tl_abi_version();
  if (abi < 0) {
    snprintf(err, errlen, "Landlock is not available: %s",
             abi == -ENOSYS       ? "the kernel was built without it"
             : abi == -EOPNOTSUPP ? "it is not enabled (lsm= boot parameter)"
                                  : strerror(-abi));
    return -abi;
  }
  if (abi < r->abi) {
    snprintf(err, errlen, "the ruleset needs Landlock ABI %d, this kernel has %d", r->abi, abi);
    return EINVAL;
  }
  struct tl_ruleset_attr attr = {r->handled_fs, r->handled_net, r->scoped};
  int fd = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size(r->abi), 0U);
  if (fd < 0) {
    *stage = "landlock-create-ruleset";
    return errno;
  }
  int e = 0;
  for (size_t i = 0; i < r->n_paths && e == 0; i++) {
    const struct tl_path_rule *p = &r->paths[i];
    int pfd = open(p->path, O_PATH | O_CLOEXEC);
    uint64_t access = p->access;
    if (pfd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
      // A file written in training may be made anew on each run: its directory takes the write
      // rights (the narrowest path that exists and covers it). Anything else is skipped.
      char *slash = strrchr(p->path, '/');
      if ((access & (1ULL << 1)) && slash != NULL && slash != p->path) {
        *slash = '\0';
        pfd = open(p->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        access &= (1ULL << 1) | (1ULL << 2) | TL_ACCESS_FS_TRUNCATE;
        if (note && pfd >= 0) note(p->path, slash + 1);
        *slash = '/';
        if (note && pfd < 0) note(p->path, NULL);
      } else if (note) {
        note(p->path, NULL);
      }
      if (pfd < 0) continue;
    }
    if (pfd < 0) {
      e = errno;
      *stage = "landlock-open-path";
      snprintf(err, errlen, "%s: %s", p->path, strerror(e));
      break;
    }
    struct stat st;
    // Directory-only rights on a file are refused by the kernel (EINVAL): keep the file's own.
    if (fstat(pfd, &st) == 0 && !S_ISDIR(st.st_mode))
      access &= TL_ACCESS_FS_EXECUTE | (1ULL << 1) | (1ULL << 2) | TL_ACCESS_FS_TRUNCATE |
                TL_ACCESS_FS_IOCTL_DEV;
    struct tl_path_beneath_attr pb = {access, pfd};
    if (access != 0 && syscall(__NR_landlock_add_rule, fd, TL_RULE_PATH_BENEATH, &pb, 0U) != 0) {
      e = errno;
      *stage = "landlock-add-rule";
      snprintf(err, errlen, "%s: %s", p->path, strerror(e));
    }
    close(pfd);
  }
  for (size_t i = 0; i < r->n_ports && e == 0; i++) {
    struct tl_net_port_attr np = {r->ports[i].access, r->ports[i].port};
    if (syscall(__NR_landlock_add_rule, fd, TL_RULE_NET_PORT, &np, 0U) != 0) {
      e = errno;
      *stage = "landlock-add-rule";
      snprintf(err, errlen, "port %" PRIu64 ": %s", r->ports[i].port, strerror(e));
    }
  }
  if (e == 0 && syscall(__NR_landlock_restrict_self, fd, r->restrict_flags) != 0) {
    e = errno;
    *stage = "landlock-restrict-self";
  }
  close(fd);
  return e;
}
