// Shared helpers for the tsem native addon: N-API error plumbing and a batching queue that moves
// records from a reader thread to JavaScript through a thread-safe function.
#pragma once
#include <node_api.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace tsem {

// Throws a JS Error whose message names the failed call and errno, with `code` set to the errno
// name (EPERM, EINVAL, ...), so the TS layer can turn it into one clear message.
napi_value ThrowErrno(napi_env env, const char* what, int err);
napi_value ThrowMessage(napi_env env, const char* code, const std::string& message);
bool GetInt(napi_env env, napi_value v, int64_t* out);
bool GetBool(napi_env env, napi_value v, bool* out);
napi_value MakeInt(napi_env env, int64_t v);
napi_value MakeDouble(napi_env env, double v);
napi_value Undefined(napi_env env);
// Reads property `name` of object `obj`; returns nullptr when absent.
napi_value GetProp(napi_env env, napi_value obj, const char* name);
void SetProp(napi_env env, napi_value obj, const char* name, napi_value value);

// Records produced on a reader thread, handed to JS in batches. `T` must be copyable. Bounded:
// when JavaScript falls `limit` records behind, TryPush refuses and the reader drops (and counts)
// or answers the record itself, so a busy event loop never means unbounded memory.
//
// One batch per turn of the event loop: once a JS call is scheduled, the reader schedules no
// other until JavaScript has handled the batch and called Resume() from a later turn. Otherwise
// Node's thread-safe function dispatch runs batch after batch without returning to the event
// loop, and timers and signals (SIGTERM) starve while records keep coming.
template <typename T>
class BatchQueue {
 public:
  explicit BatchQueue(size_t limit = 65536) : limit_(limit) {}
  // Returns true when the caller must schedule a JS call (none is scheduled). Never refuses: for
  // the few records that must not be dropped (netlink control answers).
  bool Push(const T& item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(item);
    if (scheduled_) return false;
    scheduled_ = true;
    return true;
  }
  // False (nothing queued) when the queue is full; else queues and sets *schedule as Push returns.
  bool TryPush(const T& item, bool* schedule) {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.size() >= limit_) return false;
    items_.push_back(item);
    *schedule = !scheduled_;
    scheduled_ = true;
    return true;
  }
  // At most `max` records, oldest first; the call stays scheduled until Resume().
  std::vector<T> Drain(size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<T> out;
    if (items_.size() <= max) {
      out.swap(items_);
    } else {
      out.assign(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(max));
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(max));
    }
    return out;
  }
  // JavaScript handled the last batch: true when records wait (the caller schedules a JS call).
  bool Resume() {
    std::lock_guard<std::mutex> lock(mu_);
    scheduled_ = !items_.empty();
    return scheduled_;
  }

 private:
  std::mutex mu_;  // guards items_ and scheduled_
  std::vector<T> items_;
  bool scheduled_ = false;
  size_t limit_;
};

// Records handed to JavaScript in one call at most.
constexpr size_t kMaxBatch = 4096;

// The object behind a handle made with napi_create_external, or nullptr after throwing: EINVAL for
// something else, EBADF once closed. `T` has a `closed` flag; `what` names the handle in errors.
template <typename T>
T* UnwrapHandle(napi_env env, napi_value v, const char* what) {
  void* data = nullptr;
  if (v == nullptr || napi_get_value_external(env, v, &data) != napi_ok || data == nullptr) {
    ThrowMessage(env, "EINVAL", std::string("expected ") + what);
    return nullptr;
  }
  auto* h = static_cast<T*>(data);
  if (h->closed) {
    ThrowMessage(env, "EBADF", std::string(what) + " is closed");
    return nullptr;
  }
  return h;
}

void InitFanotify(napi_env env, napi_value exports);
void InitAudit(napi_env env, napi_value exports);
void InitXattr(napi_env env, napi_value exports);
void InitUnixDgram(napi_env env, napi_value exports);
void InitLandlock(napi_env env, napi_value exports);

}  // namespace tsem
