// Confinement steps of the canister launcher: run in the process that execs the workload, after
// its cgroup placement and namespaces, right before exec, in the order of STEPS. Each step is off
// unless its option is given. To add a step: write its option handler and apply function, list
// it in STEPS at its place in the order, and pass its option from cli/run/launch-plan.ts.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "landlock.h"
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

// Landlock (`--landlock-fd N`): the ruleset tsem run compiled from the namespace's sealed model
// (native/launch/landlock.c has the format), read from fd N before anything else happens, applied
// after no_new_privs (which it implies), so the workload and its children are confined from their
// first instruction, with denials logged to audit after exec.
static bool landlock = false;
static struct tl_ruleset ruleset;
static char landlock_error[512];

static bool set_landlock(const char *value) {
  char *end = NULL;
  long fd = strtol(value, &end, 10);
  if (*value == '\0' || *end != '\0' || fd < 3 || fd > 1024) return false;
  char name[32];
  snprintf(name, sizeof name, "on fd %ld", fd);
  landlock = true;
  // Errors wait for apply(): the report fd may not be known yet while options are read.
  if (!tl_read_ruleset((int)fd, name, &ruleset, landlock_error, sizeof landlock_error) &&
      landlock_error[0] == '\0')
    snprintf(landlock_error, sizeof landlock_error, "cannot read the ruleset");
  close((int)fd);
  return true;
}

static void landlock_note(const char *path, const char *file) {
  char line[4200];
  if (file != NULL)
    snprintf(line, sizeof line, "landlock %s/%s is missing: its write rights go to %s", path, file,
             path);
  else
    snprintf(line, sizeof line, "landlock %s is missing: its rule is skipped", path);
  report_note(line);
}

static void apply_landlock(void) {
  if (!landlock) return;
  if (landlock_error[0] != '\0') fail("landlock", 0, landlock_error);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no-new-privs", errno, NULL);
  const char *stage = "landlock";
  char err[512];
  int e = tl_apply(&ruleset, landlock_note, &stage, err, sizeof err);
  if (e != 0) fail(stage, e, err[0] != '\0' ? err : NULL);
}

static const struct confine_step STEPS[] = {
    {"--no-new-privs", false, set_no_new_privs, apply_no_new_privs},
    {"--landlock-fd", true, set_landlock, apply_landlock},
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

const char *confine_usage(void) { return "[--no-new-privs] [--landlock-fd N] "; }
