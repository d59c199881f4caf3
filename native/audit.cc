// NETLINK_AUDIT binding: opens the audit socket (unicast as the audit daemon, or bound to the
// read-only multicast group when auditd already owns the unicast channel), sends requests built
// in TypeScript (AUDIT_GET, AUDIT_SET, AUDIT_ADD_RULE, AUDIT_DEL_RULE), and reads every netlink
// message on a thread, handing {type, seq, data} batches to JavaScript.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common.h"

namespace tsem {
namespace {

struct AuditMessage {
  uint16_t type;
  uint32_t seq;
  std::string data;
};

class AuditSocket {
 public:
  int fd = -1;
  int stop_pipe[2] = {-1, -1};
  uint32_t seq = 0;
  napi_threadsafe_function tsfn = nullptr;
  std::thread thread;
  BatchQueue<AuditMessage> queue;
  std::atomic<uint64_t> enobufs{0};  // socket receive buffer overruns: records lost in userspace
  std::atomic<uint64_t> reader_drops{0};  // records dropped because JavaScript fell behind
  bool closed = false;

  void Run() {
    std::vector<char> buf(256 * 1024);
    for (;;) {
      struct pollfd fds[2] = {{fd, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
      int rc = poll(fds, 2, -1);
      if (rc < 0 && errno != EINTR) break;
      if (fds[1].revents != 0) break;
      if (!(fds[0].revents & POLLIN)) continue;
      ssize_t len = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (len < 0) {
        if (errno == ENOBUFS) enobufs++;
        continue;
      }
      bool schedule = false;
      auto* nh = reinterpret_cast<struct nlmsghdr*>(buf.data());
      for (int remain = static_cast<int>(len); NLMSG_OK(nh, remain); nh = NLMSG_NEXT(nh, remain)) {
        // Audit records set nlmsg_len to the payload length alone (audit_log_end), so it cannot
        // delimit them; the kernel sends each record and reply in its own datagram: take the rest.
        bool audit_type = nh->nlmsg_type >= AUDIT_GET;
        size_t plen = audit_type ? static_cast<size_t>(remain) - NLMSG_HDRLEN : nh->nlmsg_len - NLMSG_HDRLEN;
        AuditMessage m{nh->nlmsg_type, nh->nlmsg_seq, std::string(static_cast<char*>(NLMSG_DATA(nh)), plen)};
        // Answers to our requests (and rule listings) are never dropped; records beyond the
        // queue's bound are, and counted.
        bool control = nh->nlmsg_type < AUDIT_FIRST_USER_MSG;
        bool more = false;
        if (control) {
          more = queue.Push(m);
        } else if (!queue.TryPush(m, &more)) {
          reader_drops++;
        }
        schedule = more || schedule;
        if (audit_type) break;
      }
      if (schedule) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
    }
  }

  void Shutdown() {
    if (closed) return;
    closed = true;
    char b = 1;
    ssize_t rc = write(stop_pipe[1], &b, 1);
    (void)rc;
    if (thread.joinable()) thread.join();
    close(fd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
  }
};

AuditSocket* Unwrap(napi_env env, napi_value v) { return UnwrapHandle<AuditSocket>(env, v, "an audit handle from auditOpen()"); }

void CallJs(napi_env env, napi_value cb, void* context, void*) {
  if (env == nullptr) return;
  auto* s = static_cast<AuditSocket*>(context);
  std::vector<AuditMessage> batch = s->queue.Drain(kMaxBatch);
  napi_value arr;
  napi_create_array_with_length(env, batch.size(), &arr);
  for (size_t i = 0; i < batch.size(); i++) {
    napi_value o, buf;
    napi_create_object(env, &o);
    SetProp(env, o, "type", MakeInt(env, batch[i].type));
    SetProp(env, o, "seq", MakeDouble(env, batch[i].seq));
    napi_create_buffer_copy(env, batch[i].data.size(), batch[i].data.data(), nullptr, &buf);
    SetProp(env, o, "data", buf);
    napi_set_element(env, arr, i, o);
  }
  napi_value undef = Undefined(env);
  napi_call_function(env, undef, cb, 1, &arr, nullptr);
}

void Finalize(napi_env, void* data, void*) {
  auto* s = static_cast<AuditSocket*>(data);
  s->Shutdown();
  delete s;
}

// auditOpen(multicast: boolean, onMessages) -> handle
napi_value AuditOpen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowMessage(env, "EINVAL", "auditOpen(multicast, onMessages) needs 2 arguments");
  bool multicast = false;
  GetBool(env, argv[0], &multicast);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return ThrowErrno(env, "socket(AF_NETLINK, NETLINK_AUDIT)", errno);
  struct sockaddr_nl addr = {};
  addr.nl_family = AF_NETLINK;
  if (multicast) addr.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1);
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    close(fd);
    return ThrowErrno(env, multicast ? "bind(NETLINK_AUDIT, AUDIT_NLGRP_READLOG)" : "bind(NETLINK_AUDIT)", err);
  }
  int rcvbuf = 4 * 1024 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  auto* s = new AuditSocket();
  s->fd = fd;
  if (pipe2(s->stop_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    close(fd);
    delete s;
    return ThrowErrno(env, "pipe2", err);
  }
  napi_value name;
  napi_create_string_utf8(env, "tsem-audit", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, nullptr, nullptr, s, CallJs, &s->tsfn);
  napi_value handle;
  napi_create_external(env, s, Finalize, nullptr, &handle);
  s->thread = std::thread([s] { s->Run(); });
  return handle;
}

// auditSend(handle, type, payload: Buffer) -> seq; the kernel answers with an NLMSG_ERROR ack.
napi_value AuditSend(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  AuditSocket* s = Unwrap(env, argv[0]);
  if (s == nullptr) return nullptr;
  int64_t type = 0;
  void* data = nullptr;
  size_t len = 0;
  if (!GetInt(env, argv[1], &type) || napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok) {
    return ThrowMessage(env, "EINVAL", "auditSend(handle, type, payload) expects a number and a Buffer");
  }
  std::vector<char> msg(NLMSG_SPACE(len), 0);
  auto* nh = reinterpret_cast<struct nlmsghdr*>(msg.data());
  nh->nlmsg_len = NLMSG_LENGTH(len);
  nh->nlmsg_type = static_cast<uint16_t>(type);
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nh->nlmsg_seq = ++s->seq;
  std::memcpy(NLMSG_DATA(nh), data, len);
  struct sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  if (sendto(s->fd, msg.data(), nh->nlmsg_len, 0, reinterpret_cast<struct sockaddr*>(&kernel), sizeof kernel) < 0) {
    return ThrowErrno(env, "sendto(NETLINK_AUDIT)", errno);
  }
  return MakeDouble(env, nh->nlmsg_seq);
}

// auditResume(handle): the last batch is handled; the next one may be scheduled (see BatchQueue).
napi_value AuditResume(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  AuditSocket* s = Unwrap(env, argv[0]);
  if (s == nullptr) return nullptr;
  if (s->queue.Resume()) napi_call_threadsafe_function(s->tsfn, nullptr, napi_tsfn_nonblocking);
  return Undefined(env);
}

napi_value AuditStats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  AuditSocket* s = Unwrap(env, argv[0]);
  if (s == nullptr) return nullptr;
  napi_value o;
  napi_create_object(env, &o);
  SetProp(env, o, "socketOverruns", MakeDouble(env, static_cast<double>(s->enobufs.load())));
  SetProp(env, o, "readerDrops", MakeDouble(env, static_cast<double>(s->reader_drops.load())));
  return o;
}

napi_value AuditClose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || data == nullptr) {
    return ThrowMessage(env, "EINVAL", "expected an audit handle from auditOpen()");
  }
  auto* s = static_cast<AuditSocket*>(data);
  if (!s->closed) {
    s->Shutdown();
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort);
  }
  return Undefined(env);
}

}  // namespace

void InitAudit(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"auditOpen", nullptr, AuditOpen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"auditSend", nullptr, AuditSend, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"auditStats", nullptr, AuditStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"auditResume", nullptr, AuditResume, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"auditClose", nullptr, AuditClose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

}  // namespace tsem
