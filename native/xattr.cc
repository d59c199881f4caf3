// getxattr(2) for IMA appraisal, setxattr(2) for `tsem ima hash|sign`, and the inode generation
// (FS_IOC_GETVERSION) EVM hashes: Node has no xattr or ioctl API, and spawning tools costs ~10 ms.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

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

// setXattr(path, name, value): replaces (or creates) the attribute; throws with an errno code.
napi_value SetXattr(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isBuffer = false;
  if (argc >= 3) napi_is_buffer(env, argv[2], &isBuffer);
  if (argc < 3 || !isBuffer)
    return ThrowMessage(env, "EINVAL", "setXattr(path, name, value) expects two strings and a Buffer");
  const std::string path = GetString(env, argv[0]);
  const std::string name = GetString(env, argv[1]);
  void* data = nullptr;
  size_t len = 0;
  napi_get_buffer_info(env, argv[2], &data, &len);
  if (setxattr(path.c_str(), name.c_str(), data, len, 0) != 0) return ThrowErrno(env, "setxattr", errno);
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  return undefined;
}

// fileGeneration(path): the inode's i_generation (FS_IOC_GETVERSION), as EVM hashes it.
napi_value FileGeneration(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return ThrowMessage(env, "EINVAL", "fileGeneration(path) expects a string");
  const std::string path = GetString(env, argv[0]);
  // O_NONBLOCK: a FIFO must not wait for a writer.
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, "open", errno);
  // The kernel writes an int; a zeroed long holds it whatever the width the filesystem uses.
  unsigned long generation = 0;
  int rc = ioctl(fd, FS_IOC_GETVERSION, &generation);
  int err = errno;
  close(fd);
  if (rc != 0) return ThrowErrno(env, "ioctl(FS_IOC_GETVERSION)", err);
  napi_value out;
  napi_create_uint32(env, static_cast<uint32_t>(generation), &out);
  return out;
}

}  // namespace

void InitXattr(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"getXattr", GetXattr}, {"setXattr", SetXattr}, {"fileGeneration", FileGeneration}};
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
}

}  // namespace tsem
