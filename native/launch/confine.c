// Confinement steps of the canister launcher: run in the process that execs the workload, after
// its cgroup placement and namespaces, right before exec, in the order of STEPS. Each step is off
// unless its option is given. To add a step (Landlock: `--landlock FILE`, a ruleset applied with
// landlock_restrict_self after no_new_privs): write its option handler and apply function, list
// it in STEPS at its place in the order, and pass its option from cli/run/launch-plan.ts.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>

#include "launch.h"

struct confine_step {
  const char *option;  // the helper's option, e.g. "--no-new-privs"
  bool takes_value;
  // Records the option (value is NULL when the step takes none); false for a bad value.
  bool (*set)(const char *value);
  // Applies the step if it was asked for; reports and exits through fail() on error.
  void (*apply)(void);
};

// no_new_privs: execve can no longer grant privileges (setuid bits, file capabilities) to the
// workload or its children; Landlock requires it of an unprivileged caller.
static bool no_new_privs = false;

static bool set_no_new_privs(const char *value) {
  (void)value;
  no_new_privs = true;
  return true;
}

static void apply_no_new_privs(void) {
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    fail("no-new-privs", errno, NULL);
}

static const struct confine_step STEPS[] = {
    {"--no-new-privs", false, set_no_new_privs, apply_no_new_privs},
};
#define N_STEPS (sizeof STEPS / sizeof STEPS[0])

bool confine_option(const char *option, const char *value, bool *used_value) {
  for (size_t i = 0; i < N_STEPS; i++) {
    if (strcmp(STEPS[i].option, option) != 0) continue;
    if (STEPS[i].takes_value && value == NULL) return false;
    *used_value = STEPS[i].takes_value;
    return STEPS[i].set(STEPS[i].takes_value ? value : NULL);
  }
  return false;
}

void apply_confinement(void) {
  for (size_t i = 0; i < N_STEPS; i++) STEPS[i].apply();
}

const char *confine_usage(void) { return "[--no-new-privs] "; }
