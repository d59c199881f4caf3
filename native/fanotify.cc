// fanotify N-API bindings over the reader in fan_source.h: open, mark, respond, release,
// invalidate (the verdict cache), stats, close, and fstatfs for the superblock magic.
#include <sys/statfs.h>

#include "common.h"
#include "fan_source.h"

namespace tsem {
namespace {

using fan::FanEvent;
using fan::FanSource;

napi_value BigU64(napi_env env, uint64_t v) {
  napi_value out;
  napi_create_bigint_uint64(env, v, &out);
  return out;
}

napi_value BigI64(napi_env env, int64_t v) {
  napi_value out;
  napi_create_bigint_int64(env, v, &out);
  return out;
}

napi_value Str(napi_env env, const std::string& s) {
  napi_value out;
  napi_create_string_utf8(env, s.data(), s.size(), &out);
  return out;
}

int64_t Nanos(const struct timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; }

// The process's facts as the reader read them: start time, parent pid, comm, and the COE ids
// (uid euid suid gid egid sgid fsuid fsgid) with CapEff, in tsem-model.md §1.3's order.
napi_value FactsObject(napi_env env, const fan::TaskFacts& f) {
  napi_value o;
  napi_create_object(env, &o);
  SetProp(env, o, "start", Str(env, std::to_string(f.start)));
  SetProp(env, o, "ppid", MakeInt(env, f.ppid));
  SetProp(env, o, "comm", Str(env, f.comm));
  const uint32_t order[8] = {f.ids[0], f.ids[1], f.ids[2], f.ids[4], f.ids[5], f.ids[6], f.ids[3], f.ids[7]};
  napi_value ids;
  napi_create_array_with_length(env, 8, &ids);
  for (uint32_t i = 0; i < 8; i++) napi_set_element(env, ids, i, MakeDouble(env, order[i]));
  SetProp(env, o, "ids", ids);
  SetProp(env, o, "capeff", BigU64(env, f.capeff));
  return o;
}

napi_value StatObject(napi_env env, const struct stat& st, const std::string& path) {
  napi_value o;
  napi_create_object(env, &o);
  SetProp(env, o, "dev", BigU64(env, static_cast<uint64_t>(st.st_dev)));
  SetProp(env, o, "ino", BigU64(env, static_cast<uint64_t>(st.st_ino)));
  SetProp(env, o, "mode", BigU64(env, st.st_mode));
  SetProp(env, o, "uid", BigU64(env, st.st_uid));
  SetProp(env, o, "gid", BigU64(env, st.st_gid));
  SetProp(env, o, "size", BigI64(env, st.st_size));
  SetProp(env, o, "mtimeNs", BigI64(env, Nanos(st.st_mtim)));
  SetProp(env, o, "ctimeNs", BigI64(env, Nanos(st.st_ctim)));
  SetProp(env, o, "path", Str(env, path));
  return o;
}

FanSource* Unwrap(napi_env env, napi_value v) { return UnwrapHandle<FanSource>(env, v, "a fanotify handle from fanOpen()"); }

void CallJs(napi_env env, napi_value cb, void* context, void*) {
  if (env == nullptr) return;
  auto* src = static_cast<FanSource*>(context);
  std::vector<FanEvent> batch = src->queue.Drain(kMaxBatch);
  napi_value arr;
  napi_create_array_with_length(env, batch.size(), &arr);
  for (size_t i = 0; i < batch.size(); i++) {
    napi_value o, b;
    napi_create_object(env, &o);
    SetProp(env, o, "id", MakeDouble(env, static_cast<double>(batch[i].id)));
    SetProp(env, o, "fd", MakeInt(env, batch[i].fd));
    SetProp(env, o, "pid", MakeInt(env, batch[i].pid));
    SetProp(env, o, "mask", MakeDouble(env, static_cast<double>(batch[i].mask)));
    napi_get_boolean(env, batch[i].perm, &b);
    SetProp(env, o, "perm", b);
    if (batch[i].cached) {
      napi_get_boolean(env, true, &b);
      SetProp(env, o, "cached", b);
    }
    if (batch[i].has_facts) SetProp(env, o, "facts", FactsObject(env, batch[i].facts));
    if (batch[i].has_stat) SetProp(env, o, "stat", StatObject(env, batch[i].st, batch[i].path));
    napi_set_element(env, arr, i, o);
  }
  napi_value undef = Undefined(env);
  napi_call_function(env, undef, cb, 1, &arr, nullptr);
}

// Our own pid and the pids of an array: the processes whose events are allowed and never reported.
std::set<int> PidSet(napi_env env, napi_value pids) {
  std::set<int> out{getpid()};
  uint32_t n = 0;
  if (pids != nullptr && napi_get_array_length(env, pids, &n) == napi_ok) {
    for (uint32_t i = 0; i < n; i++) {
      napi_value e;
      int64_t p;
      if (napi_get_element(env, pids, i, &e) == napi_ok && GetInt(env, e, &p)) out.insert(static_cast<int>(p));
    }
  }
  return out;
}

void Finalize(napi_env, void* data, void*) {
  auto* src = static_cast<FanSource*>(data);
  src->Shutdown();
  delete src;
}

// fanOpen({enforce, timeoutMs, failOpen, ignorePids, ignoreChildren, queueLimit, heldLimit,
//          verdictCache}, onEvents) -> handle
napi_value FanOpen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return ThrowMessage(env, "EINVAL", "fanOpen(options, onEvents) needs 2 arguments");
  bool enforce = false;
  GetBool(env, GetProp(env, argv[0], "enforce"), &enforce);
  int64_t queue_limit = 8192, held_limit = 4096;
  GetInt(env, GetProp(env, argv[0], "queueLimit"), &queue_limit);
  GetInt(env, GetProp(env, argv[0], "heldLimit"), &held_limit);
  auto* src = new FanSource(static_cast<size_t>(queue_limit > 0 ? queue_limit : 1));
  src->held_limit = static_cast<size_t>(held_limit > 0 ? held_limit : 1);
  GetBool(env, GetProp(env, argv[0], "failOpen"), &src->fail_open);
  GetBool(env, GetProp(env, argv[0], "ignoreChildren"), &src->ignore_children);
  GetBool(env, GetProp(env, argv[0], "verdictCache"), &src->cache_enabled);
  GetInt(env, GetProp(env, argv[0], "timeoutMs"), &src->timeout_ms);
  src->SetIgnored(PidSet(env, GetProp(env, argv[0], "ignorePids")));
  unsigned cls = enforce ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF;
  src->fan_fd = fanotify_init(cls | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (src->fan_fd < 0) {
    int err = errno;
    delete src;
    return ThrowErrno(env, "fanotify_init", err);
  }
  if (pipe2(src->stop_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    close(src->fan_fd);
    delete src;
    return ThrowErrno(env, "pipe2", err);
  }
  napi_value name;
  napi_create_string_utf8(env, "tsem-fanotify", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[1], nullptr, name, 0, 1, nullptr, nullptr, src, CallJs, &src->tsfn);
  napi_value handle;
  napi_create_external(env, src, Finalize, nullptr, &handle);
  src->thread = std::thread([src] { src->Run(); });
  return handle;
}

// fanMark(handle, path, kind: 0 inode | 1 mount | 2 filesystem, mask, remove) -> undefined
napi_value FanMark(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  char path[4096];
  size_t plen = 0;
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &plen) != napi_ok) {
    return ThrowMessage(env, "EINVAL", "fanMark: expected a path string");
  }
  int64_t kind = 0, mask = 0;
  bool remove = false;
  GetInt(env, argv[2], &kind);
  GetInt(env, argv[3], &mask);
  GetBool(env, argv[4], &remove);
  unsigned flags = remove ? FAN_MARK_REMOVE : FAN_MARK_ADD;
  if (kind == 1) flags |= FAN_MARK_MOUNT;
  if (kind == 2) flags |= FAN_MARK_FILESYSTEM;
  if (fanotify_mark(src->fan_fd, flags, static_cast<uint64_t>(mask), AT_FDCWD, path) != 0) {
    return ThrowErrno(env, (std::string("fanotify_mark ") + path).c_str(), errno);
  }
  return Undefined(env);
}

// fanRespond(handle, id, allow, cacheable?) -> boolean (false: already answered, e.g. by the
// timeout). `cacheable`: the engine allows this open whenever it repeats (the verdict cache).
napi_value FanRespond(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  double id = 0;
  bool allow = false, cacheable = false;
  napi_get_value_double(env, argv[1], &id);
  GetBool(env, argv[2], &allow);
  if (argc > 3) GetBool(env, argv[3], &cacheable);
  napi_value out;
  napi_get_boolean(env, src->Verdict(static_cast<uint64_t>(id), allow, cacheable), &out);
  return out;
}

// fanInvalidate(handle): empties the verdict cache (the engine's decisions may have changed).
napi_value FanInvalidate(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  src->ClearCache();
  return Undefined(env);
}

// fanRelease(handle, id): JS is done reading through the event fd.
napi_value FanRelease(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  double id = 0;
  napi_get_value_double(env, argv[1], &id);
  src->Release(static_cast<uint64_t>(id));
  return Undefined(env);
}

// fanResume(handle): the last batch is handled; the next one may be scheduled (see BatchQueue).
napi_value FanResume(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  if (src->queue.Resume()) napi_call_threadsafe_function(src->tsfn, nullptr, napi_tsfn_nonblocking);
  return Undefined(env);
}

// fanSetIgnored(handle, pids): replaces the ignored pids (our own pid always stays).
napi_value FanSetIgnored(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  src->SetIgnored(PidSet(env, argc > 1 ? argv[1] : nullptr));
  return Undefined(env);
}

napi_value FanStats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  FanSource* src = Unwrap(env, argv[0]);
  if (src == nullptr) return nullptr;
  napi_value o;
  napi_create_object(env, &o);
  SetProp(env, o, "received", MakeDouble(env, static_cast<double>(src->received.load())));
  SetProp(env, o, "autoAllowed", MakeDouble(env, static_cast<double>(src->auto_allowed.load())));
  SetProp(env, o, "timedOut", MakeDouble(env, static_cast<double>(src->timed_out.load())));
  SetProp(env, o, "overflows", MakeDouble(env, static_cast<double>(src->overflows.load())));
  SetProp(env, o, "pending", MakeDouble(env, static_cast<double>(src->PendingCount())));
  SetProp(env, o, "readerDrops", MakeDouble(env, static_cast<double>(src->reader_drops.load())));
  SetProp(env, o, "failModeAnswers", MakeDouble(env, static_cast<double>(src->fail_mode_answers.load())));
  FanSource::CacheStats c = src->Cache();
  SetProp(env, o, "cacheHits", MakeDouble(env, static_cast<double>(c.hits)));
  SetProp(env, o, "cacheFills", MakeDouble(env, static_cast<double>(c.fills)));
  SetProp(env, o, "cacheFlushes", MakeDouble(env, static_cast<double>(c.flushes)));
  SetProp(env, o, "cacheEntries", MakeDouble(env, static_cast<double>(c.entries)));
  SetProp(env, o, "taskFactsHits", MakeDouble(env, static_cast<double>(c.facts_hits)));
  SetProp(env, o, "taskFactsMisses", MakeDouble(env, static_cast<double>(c.facts_misses)));
  return o;
}

napi_value FanClose(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* data = nullptr;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok || data == nullptr) {
    return ThrowMessage(env, "EINVAL", "expected a fanotify handle from fanOpen()");
  }
  auto* src = static_cast<FanSource*>(data);
  if (!src->closed) {
    src->Shutdown();
    napi_release_threadsafe_function(src->tsfn, napi_tsfn_abort);
  }
  return Undefined(env);
}

// statfsType(fd) -> f_type (the superblock magic, tsem-model.md §1.4 inode.s_magic)
napi_value StatfsType(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t fd = -1;
  if (!GetInt(env, argv[0], &fd)) return ThrowMessage(env, "EINVAL", "statfsType: expected an fd number");
  struct statfs st;
  if (fstatfs(static_cast<int>(fd), &st) != 0) return ThrowErrno(env, "fstatfs", errno);
  return MakeDouble(env, static_cast<double>(static_cast<uint64_t>(st.f_type) & 0xffffffffu));
}

}  // namespace

void InitFanotify(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"fanOpen", nullptr, FanOpen, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanMark", nullptr, FanMark, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanRespond", nullptr, FanRespond, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanInvalidate", nullptr, FanInvalidate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanRelease", nullptr, FanRelease, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanStats", nullptr, FanStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanSetIgnored", nullptr, FanSetIgnored, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanResume", nullptr, FanResume, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fanClose", nullptr, FanClose, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"statfsType", nullptr, StatfsType, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}

}  // namespace tsem
