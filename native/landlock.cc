// The Landlock ABI probe (landlock_create_ruleset with LANDLOCK_CREATE_RULESET_VERSION), so
// `tsem model landlock` and `tsem run --landlock` fit a ruleset to the running kernel before the
// launcher applies it (native/launch/landlock.c). Node has no syscall(2).
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif

namespace tsem {
namespace {

// landlockAbi(): the highest ABI version, or a negative errno (ENOSYS: not built in, EOPNOTSUPP:
// not enabled at boot).
napi_value LandlockAbi(napi_env env, napi_callback_info) {
  long v = syscall(__NR_landlock_create_ruleset, nullptr, 0, 1U /* VERSION */);
  return MakeInt(env, v < 0 ? -errno : static_cast<int>(v));
}

}  // namespace

void InitLandlock(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "landlockAbi", NAPI_AUTO_LENGTH, LandlockAbi, nullptr, &fn);
  SetProp(env, exports, "landlockAbi", fn);
}

}  // namespace tsem
