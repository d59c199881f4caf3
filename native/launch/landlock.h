// Landlock for the canister launcher: the ruleset file tsem run writes (engine/landlock/
// launcher-format.ts), the ABI probe and the syscalls. The uapi constants are spelled out here
// because Debian bookworm's linux-libc-dev predates the network rules, scopes and logging flags.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Rights and flags as include/uapi/linux/landlock.h defines them (stable kernel ABI).
#define TL_ACCESS_FS_EXECUTE (1ULL << 0)
#define TL_ACCESS_FS_REFER (1ULL << 13)    // ABI 2
#define TL_ACCESS_FS_TRUNCATE (1ULL << 14) // ABI 3
#define TL_ACCESS_FS_IOCTL_DEV (1ULL << 15) // ABI 5
#define TL_ACCESS_NET_BIND_TCP (1ULL << 0)    // ABI 4
#define TL_ACCESS_NET_CONNECT_TCP (1ULL << 1) // ABI 4
#define TL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) // ABI 6
#define TL_SCOPE_SIGNAL (1ULL << 1)               // ABI 6
#define TL_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1) // ABI 7

// The highest Landlock ABI version of the running kernel; -errno when Landlock is not there
// (ENOSYS: not built in; EOPNOTSUPP: built but not enabled at boot).
int tl_abi_version(void);

struct tl_path_rule {
  uint64_t access;
  char *path;
};

struct tl_port_rule {
  uint64_t access;
  uint64_t port;
};

struct tl_ruleset {
  int abi;  // the ABI the ruleset was fitted to (rights beyond it are refused when read)
  uint64_t handled_fs;
  uint64_t handled_net;
  uint64_t scoped;
  uint32_t restrict_flags;
  struct tl_path_rule *paths;
  size_t n_paths;
  struct tl_port_rule *ports;
  size_t n_ports;
};

// Reads a ruleset from fd (to its end; `file` names it in messages); false with a message in `err`
// naming the line that is wrong.
bool tl_read_ruleset(int fd, const char *file, struct tl_ruleset *out, char *err, size_t errlen);

// Builds the ruleset in the kernel and restricts the calling thread (no_new_privs must be set or
// CAP_SYS_ADMIN held). A path missing now is passed to `note`: with `file` set when its write
// rights went to its directory `path` instead, with `file` NULL when it was skipped. Returns 0, or
// an errno with `stage` and `err` saying what failed.
int tl_apply(const struct tl_ruleset *r, void (*note)(const char *path, const char *file),
             const char **stage, char *err, size_t errlen);
