// sendUnixDgram(path, data): one datagram to an AF_UNIX datagram socket (syslog's /dev/log,
// systemd's $NOTIFY_SOCKET). Node's dgram module speaks only UDP. A leading '@' names an
// abstract socket, as $NOTIFY_SOCKET does.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "common.h"

namespace tsem {
namespace {

napi_value SendUnixDgram(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowMessage(env, "EINVAL", "sendUnixDgram(path, data) expects two arguments");
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], nullptr, 0, &len) != napi_ok)
    return ThrowMessage(env, "EINVAL", "sendUnixDgram: path must be a string");
  std::string path(len, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), len + 1, &len);
  void* data = nullptr;
  size_t size = 0;
  if (napi_get_buffer_info(env, argv[1], &data, &size) != napi_ok)
    return ThrowMessage(env, "EINVAL", "sendUnixDgram: data must be a Buffer");

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    return ThrowMessage(env, "ENAMETOOLONG", "sendUnixDgram: socket path empty or too long");
  std::memcpy(addr.sun_path, path.data(), path.size());
  socklen_t alen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace: no trailing NUL counted
  else alen += 1;

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ThrowErrno(env, "socket", errno);
  ssize_t sent = sendto(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT,
                        reinterpret_cast<sockaddr*>(&addr), alen);
  int err = errno;
  close(fd);
  if (sent < 0) return ThrowErrno(env, "sendto", err);
  napi_value out;
  napi_create_int64(env, sent, &out);
  return out;
}

}  // namespace

void InitUnixDgram(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "sendUnixDgram", NAPI_AUTO_LENGTH, SendUnixDgram, nullptr, &fn);
  napi_set_named_property(env, exports, "sendUnixDgram", fn);
}

}  // namespace tsem
