// The fanotify reader: a thread owns the fanotify fd, answers permission events for ignored
// processes (our own pid, optionally its children) without JavaScript, enforces the decision
// timeout, and hands every other event to JS in batches, with the process's /proc facts and the
// file's identity read while the event holds it (task_facts.h). Verdicts come back by event id,
// so a recycled fd number can never receive another event's verdict. With the verdict cache on
// (verdict_cache.h), a held open the engine allowed before is answered here and still handed to
// JS (`cached`), so the model sees every event.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>
#include <unordered_map>

#include "common.h"
#include "task_facts.h"
#include "verdict_cache.h"

namespace tsem {
namespace fan {

constexpr uint64_t kPermMask = FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_ACCESS_PERM;

struct FanEvent {
  uint64_t id;
  int fd;
  int pid;
  uint64_t mask;
  bool perm;
  bool cached = false;     // answered (allowed) from the verdict cache
  bool has_facts = false;  // the process's facts below were read
  bool has_stat = false;   // the file's stat and path below were read
  TaskFacts facts;
  struct stat st = {};
  std::string path;
};

struct Pending {
  int fd;
  bool needs_response;  // a permission event not yet answered
  bool released;        // JS no longer reads through fd
  int64_t deadline_ms;
  int pid = 0;
  // The verdict cache key, when the event may be cached, and the cache generation it was read in.
  InodeId inode{0, 0};
  std::string key;
  uint64_t generation = 0;
};

constexpr uint64_t kExecPerm = FAN_OPEN_EXEC_PERM;
// Tasks whose execs are counted at most; beyond it the counts start over with an empty cache.
constexpr size_t kMaxExecCounts = 65536;

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
  bool cache_enabled = false;

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

  // Answers or closes under mu_; returns false when the event was already answered. An allow the
  // engine marks cacheable fills the cache unless it was cleared since the event was read.
  bool Verdict(uint64_t id, bool allow, bool cacheable = false) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end() || !it->second.needs_response) return false;
    Respond(it->second.fd, allow);
    Answered(it->second);
    if (allow && cacheable && !it->second.key.empty() && it->second.generation == cache_.generation) {
      cache_.Put(it->second.inode, it->second.key);
    }
    MaybeClose(it);
    return true;
  }

  // Everything the engine allowed before may no longer hold (mode, model, trust, routes changed).
  void ClearCache() {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.Clear();
  }

  struct CacheStats {
    uint64_t hits, fills, flushes, entries, facts_hits, facts_misses;
  };
  CacheStats Cache() {
    std::lock_guard<std::mutex> lock(mu_);
    return {cache_.hits, cache_.fills, cache_.flushes, cache_.size(), facts_hits_.load(), facts_misses_.load()};
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
      held_by_pid_.clear();
      cache_.Clear();
    }
    close(fan_fd);
    close(stop_pipe[0]);
    close(stop_pipe[1]);
  }

 private:
  std::mutex mu_;  // guards pending_, held_, held_by_pid_, cache_ and next_id_
  std::unordered_map<uint64_t, Pending> pending_;
  size_t held_ = 0;  // entries of pending_ that still need a response
  // Held events per pid: while one waits for the engine, that process's later opens wait too
  // (the cache never answers ahead of an undecided event of the same process).
  std::unordered_map<int, int> held_by_pid_;
  VerdictCache cache_;
  // Reader thread only: facts per task, and execs seen per pid (an exec changes the task's identity).
  TaskFactsTable facts_;
  std::unordered_map<int, uint32_t> exec_counts_;
  std::atomic<uint64_t> facts_hits_{0}, facts_misses_{0};
  uint64_t next_id_ = 0;
  std::mutex ignore_mu_;  // guards ignore_pids_ (JS replaces it while the reader reads it)
  std::set<int> ignore_pids_;

  static Pending MakePending(int fd, bool needs_response, int64_t deadline_ms, int pid) {
    Pending p;
    p.fd = fd;
    p.needs_response = needs_response;
    p.released = false;
    p.deadline_ms = deadline_ms;
    p.pid = pid;
    return p;
  }

  void Answered(Pending& p) {
    p.needs_response = false;
    held_--;
    auto h = held_by_pid_.find(p.pid);
    if (h != held_by_pid_.end() && --h->second <= 0) held_by_pid_.erase(h);
  }

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
        Answered(it->second);
        timed_out++;
        MaybeClose(it);
      }
      it = next;
    }
  }

  void CountExec(int pid) {
    if (exec_counts_.size() >= kMaxExecCounts && exec_counts_.count(pid) == 0) {
      // Counts starting over could repeat a key of before an exec: the cache starts over too.
      exec_counts_.clear();
      std::lock_guard<std::mutex> lock(mu_);
      cache_.Clear();
    }
    exec_counts_[pid]++;
  }

  // Reads the process's facts and the file's stat and path while the event holds them.
  void Inspect(FanEvent* ev) {
    uint64_t misses = facts_.misses;
    ev->has_facts = facts_.Read(ev->pid, &ev->facts);
    if (facts_.misses != misses) facts_misses_++; else facts_hits_++;
    ev->has_stat = fstat(ev->fd, &ev->st) == 0;
    if (!ev->has_stat) return;
    char link[64], target[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", ev->fd);
    ssize_t n = readlink(link, target, sizeof target);
    if (n < 0 || n >= static_cast<ssize_t>(sizeof target)) {
      ev->has_stat = false;
      return;
    }
    ev->path.assign(target, static_cast<size_t>(n));
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
      FanEvent ev;
      ev.id = 0;
      ev.fd = md->fd;
      ev.pid = md->pid;
      ev.mask = md->mask;
      ev.perm = perm;
      bool exec = (md->mask & kExecPerm) != 0;
      if (exec) CountExec(md->pid);
      Inspect(&ev);
      InodeId inode{ev.has_stat ? static_cast<uint64_t>(ev.st.st_dev) : 0,
                    ev.has_stat ? static_cast<uint64_t>(ev.st.st_ino) : 0};
      std::string key;
      if (cache_enabled && perm && ev.has_facts && ev.has_stat && S_ISREG(ev.st.st_mode)) {
        key = CacheKey(exec, exec_counts_.count(md->pid) ? exec_counts_[md->pid] : 0, md->pid, ev.facts, ev.st,
                       ev.path);
      }
      bool schedule = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (ev.has_stat && (md->mask & FAN_CLOSE_WRITE)) cache_.DropInode(inode);
        ev.id = next_id_ + 1;
        // Known: allowed here, and still handed to JS so the model counts it. Never ahead of an
        // undecided event of the same process, and never for an exec.
        if (!key.empty() && !exec && held_by_pid_.count(md->pid) == 0 && cache_.Has(inode, key)) {
          Respond(md->fd, true);
          cache_.hits++;
          ev.cached = true;
          if (!queue.TryPush(ev, &schedule)) {
            reader_drops++;
            close(md->fd);
            continue;
          }
          next_id_ = ev.id;
          pending_[ev.id] = MakePending(md->fd, false, 0, md->pid);
          if (schedule) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
          continue;
        }
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
        Pending p = MakePending(md->fd, perm, NowMs() + timeout_ms, md->pid);
        if (!key.empty() && !exec) {
          p.inode = inode;
          p.key = std::move(key);
          p.generation = cache_.generation;
        }
        pending_[ev.id] = std::move(p);
        if (perm) {
          held_++;
          held_by_pid_[md->pid]++;
        }
      }
      if (schedule) napi_call_threadsafe_function(tsfn, nullptr, napi_tsfn_nonblocking);
    }
  }
};

}  // namespace fan
}  // namespace tsem
