// getxattr(2) for IMA appraisal: Node has no xattr API, and spawning getfattr costs ~10 ms.
#include <sys/xattr.h>

#include <string>
#include <vector>

#include "common.h"

namespace tsem {
namespace {

std::string GetString(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return std::string();
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
  return s;
}

// getXattr(path, name): a Buffer with the value, or null when the file has no such attribute.
napi_value GetXattr(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowMessage(env, "EINVAL", "getXattr(path, name) expects two strings");
  const std::string path = GetString(env, argv[0]);
  const std::string name = GetString(env, argv[1]);
  for (;;) {
    ssize_t size = getxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA) {
        napi_value null;
        napi_get_null(env, &null);
        return null;
      }
      return ThrowErrno(env, "getxattr", errno);
    }
    std::vector<char> buf(static_cast<size_t>(size));
    ssize_t got = size == 0 ? 0 : getxattr(path.c_str(), name.c_str(), buf.data(), buf.size());
    if (got < 0 && errno == ERANGE) continue;  // it grew between the two calls
    if (got < 0) return ThrowErrno(env, "getxattr", errno);
    napi_value out;
    void* data = nullptr;
    napi_create_buffer_copy(env, static_cast<size_t>(got), buf.data(), &data, &out);
    return out;
  }
}

}  // namespace

void InitXattr(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "getXattr", NAPI_AUTO_LENGTH, GetXattr, nullptr, &fn);
  napi_set_named_property(env, exports, "getXattr", fn);
}

}  // namespace tsem
