// tsem-launch: the canister launcher's pre-exec sequence (see launch.c). Shared declarations of
// its three parts: the sequence itself, the Linux namespaces, and the confinement steps.
#pragma once

#include <stdbool.h>

// Exit statuses of the launcher's own failures, as env(1) and timeout(1) use them.
enum {
  EXIT_LAUNCH_FAILED = 125,   // a step before exec failed
  EXIT_NOT_EXECUTABLE = 126,  // the command exists but cannot be executed
  EXIT_NOT_FOUND = 127,       // the command was not found
};

// Reports a failed step to tsem run (one line on the report fd, also on stderr when there is no
// report fd): "fail STAGE ERRNO TEXT\n". errno 0 means the text says it all.
void report_failure(const char *stage, int err, const char *text);

// A note for tsem run to show (one line "note TEXT" on the report fd; stderr without one).
void report_note(const char *text);

// Reports and exits with EXIT_LAUNCH_FAILED.
_Noreturn void fail(const char *stage, int err, const char *text);

// The report fd is closed in processes that will not exec (the parent and init of a pid namespace),
// so tsem run sees end-of-file exactly when the workload's exec succeeded.
void close_report_fd(void);

// Linux namespaces (namespaces.c). Flags are CLONE_NEW* bits.
int parse_unshare_list(const char *list, int *flags);
// unshare(2) the user namespace first (mapping root inside to the caller outside), then the others;
// makes mounts private in a new mount namespace and brings loopback up in a new network namespace.
void enter_namespaces(int flags);
// In init of a new pid namespace that also has a new mount namespace: a /proc of the new pid namespace.
void mount_proc(void);

// Confinement steps (confine.c), run in the process that execs, after cgroup placement and
// namespaces, right before exec. Returns true when `option` (with its value) belongs to a step.
bool confine_option(const char *option, const char *value, bool *used_value);
void apply_confinement(void);
const char *confine_usage(void);
