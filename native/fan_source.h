// The fanotify reader: a thread owns the fanotify fd, answers permission events for ignored
// processes (our own pid, optionally its children) without JavaScript, enforces the decision
// timeout, and hands every other event to JS in batches. Verdicts come back by event id, so a
// recycled fd number can never receive another event's verdict.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>
#include <unordered_map>

#include "common.h"

namespace tsem {
namespace fan {

constexpr uint64_t kPermMask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_ACCESS_PERM;

struct FanEvent {
  uint64_t id;
  int fd;
  int pid;
  uint64_t mask;
  bool perm;
};

struct Pending {
  int fd;
  bool needs_response;  // a permission event not yet answered
  bool released;        // JS no longer reads through fd
  int64_t deadline_ms;
};

inline int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

inline int ParentPid(int pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return -1;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // comm may contain spaces and ')': the fields resume after the last ')'.
  char* close = std::strrchr(buf, ')');
  if (close == nullptr) return -1;
  char state;
  int ppid = -1;
  if (std::sscanf(close + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

class FanSource {
 public:
  int fan_fd = -1;
  int stop_pipe[2] = {-1, -1};
  bool fail_open = true;
  bool ignore_children = true;
  int64_t timeout_ms = 2000;
  // Held permission events at most: beyond it a new one is answered with the fail mode at once.
  size_t held_limit = 4096;
  napi_threadsafe_function tsfn = nullptr;
  std::thread thread;
  BatchQueue<FanEvent> queue;
  std::atomic<uint64_t> received{0}, auto_allowed{0}, timed_out{0}, overflows{0};
  // Notifications dropped, and held events answered by the fail mode, because JS fell behind.
  std::atomic<uint64_t> reader_drops{0}, fail_mode_answers{0};
  bool closed = false;

  explicit FanSource(size_t queue_limit) : queue(queue_limit) {}

  void SetIgnored(std::set<int> pids) {
    std::lock_guard<std::mutex> lock(ignore_mu_);
    ignore_pids_ = std::move(pids);
  }

  bool Ignored(int pid) {
    std::lock_guard<std::mutex> lock(ignore_mu_);
    if (ignore_pids_.count(pid) != 0) return true;
    return ignore_children && ignore_pids_.count(ParentPid(pid)) != 0;
  }

  void Respond(int fd, bool allow) {
    struct fanotify_response r = {fd, static_cast<uint32_t>(allow ? FAN_ALLOW : FAN_DENY)};
    // A failed write means the kernel already dropped the event (group torn down): nothing to do.
    ssize_t rc = write(fan_fd, &r, sizeof r);
    (void)rc;
  }

  // Answers or closes under mu_; returns false when the event was already answered.
  bool Verdict(uint64_t id, bool allow) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end() || !it->second.needs_response) return false;
    Respond(it->second.fd, allow);
    it->second.needs_response = false;
    held_--;
    MaybeClose(it);
    return true;
  }

  void Release(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    it->second.released = true;
    MaybeClose(it);
  }

  size_t PendingCount() {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_.size();
  }

  void Run() {
    alignas(struct fanotify_event_metadata) char buf[64 * 1024];
    for (;;) {
      struct pollfd fds[2] = {{fan_fd, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
      int rc = poll(fds, 2, NextWakeMs());
      if (rc < 0 && errno != EINTR) break;
      if (fds[1].revents != 0) break;
      if (fds[0].revents & POLLIN) {
        ssize_t len = read(fan_fd, buf, sizeof buf);
        if (len > 0) Dispatch(buf, len);
      }
      ExpireDeadlines();
    }
  }

  // Stops the thread, answers what is still pending with the fail mode, closes every fd.
  void Shutdown() {
    if (closed) return;
    closed = true;
    char b = 1;
    ssize_t rc = write(stop_pipe[1], &b, 1);
    (void)rc;
    if (thread.joinable()) thread.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& kv : pending_) {
        if (kv.second.needs_response) Respond(kv.second.fd, fail_open);
        close(kv.second.fd);
      }
      pending_.clear();
      held_ = 0;
    }
    close(fan_fd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
  }

 private:
  std::mutex mu_;  // guards pending_, held_ and next_id_
  std::unordered_map<uint64_t, Pending> pending_;
  size_t held_ = 0;  // entries of pending_ that still need a response
  uint64_t next_id_ = 0;
  std::mutex ignore_mu_;  // guards ignore_pids_ (JS replaces it while the reader reads it)
  std::set<int> ignore_pids_;

  void MaybeClose(std::unordered_map<uint64_t, Pending>::iterator it) {
    if (it->second.needs_response || !it->second.released) return;
    close(it->second.fd);
    pending_.erase(it);
  }

  int NextWakeMs() {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = NowMs(), wake = -1;
    for (auto& kv : pending_) {
      if (!kv.second.needs_response) continue;
      int64_t d = kv.second.deadline_ms - now;
      if (d < 0) d = 0;
      if (wake < 0 || d < wake) wake = d;
    }
    return static_cast<int>(wake);
  }

  void ExpireDeadlines() {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = NowMs();
    for (auto it = pending_.begin(); it != pending_.end();) {
      auto next = std::next(it);
      if (it->second.needs_response && it->second.deadline_ms <= now) {
        Respond(it->second.fd, fail_open);
        it->second.needs_response = false;
        held_--;
        timed_out++;
        MaybeClose(it);
      }
      it = next;
    }
  }

  void Dispatch(char* buf, ssize_t len) {
    auto* md = reinterpret_cast<struct fanotify_event_metadata*>(buf);
    for (; FAN_EVENT_OK(md, len); md = FAN_EVENT_NEXT(md, len)) {
      if (md->vers != FANOTIFY_METADATA_VERSION) continue;
      if (md->fd == FAN_NOFD) {
        if (md->mask & FAN_Q_OVERFLOW) overflows++;
        continue;
      }
      received++;
      bool perm = (md->mask & kPermMask) != 0;
      // Never hold our own process (or its children): it may be the one waiting on this open.
      if (Ignored(md->pid)) {
        if (perm) Respond(md->fd, true);
        close(md->fd);
        auto_allowed++;
        continue;
      }
      FanEvent ev{0, md->fd, md->pid, md->mask, perm};
      bool schedule = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ev.id = next_id_ + 1;
        // JS fell behind: drop a notification, answer a held event with the fail mode, so that
        // neither memory nor the processes waiting on us grow without bound.
        if ((perm && held_ >= held_limit) || !queue.TryPush(ev, &schedule)) {
          if (perm) {
            Respond(md->fd, fail_open);
            fail_mode_answers++;
          } else {
            reader_drops++;
          }
          close(md->fd);
          continue;
        }
        next_id_ = ev.id;
        pending_[ev.id] = Pending{md->fd, perm, false, NowMs() + timeout_ms};
        if (perm) held_++;
      }
      if (schedule) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
    }
  }
};

}  // namespace fan
}  // namespace tsem
