// Per-task /proc facts for the fanotify reader, read while a permission event holds the process.
// The start time is read once per task from /proc/PID/stat; /proc/PID/status (comm, parent pid,
// credentials) is re-read for every event through an fd kept open per task (one fd per task, 512
// tasks at most), /proc/PID/cgroup at most once a second (as the source's cgroup routing does: a
// process may be moved without an exec).
// A kept /proc fd stays bound to its process: once that process is gone, reads fail (ESRCH), so a
// reused pid (another start time) can never be given its predecessor's facts. Hand-written
// because it runs on the reader thread for every event: one pread per file instead of
// open/read/close and a path walk.
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace tsem {
namespace fan {

struct TaskFacts {
  uint64_t start = 0;
  int ppid = -1;
  std::string comm;
  // uid euid suid fsuid, then gid egid sgid fsgid, as /proc/PID/status lists them.
  uint32_t ids[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  uint64_t capeff = 0;
  std::string cgroup;
};

// Reads a whole small /proc file through `fd` from offset 0; false when the process is gone.
inline bool PreadAll(int fd, std::string* out) {
  char buf[4096];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

// The value of "Name:\t…" style line `name` in status text, or nullptr.
inline const char* StatusField(const std::string& text, const char* name) {
  size_t len = std::strlen(name);
  for (size_t at = 0; at < text.size();) {
    if (text.compare(at, len, name) == 0 && at + len < text.size() && text[at + len] == ':') {
      const char* p = text.c_str() + at + len + 1;
      while (*p == '\t' || *p == ' ') p++;
      return p;
    }
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) break;
    at = nl + 1;
  }
  return nullptr;
}

// Parses comm (Name, where the kernel escapes '\n' and '\\'), PPid, Uid, Gid and CapEff.
inline bool ParseStatus(const std::string& text, TaskFacts* f) {
  const char* name = StatusField(text, "Name");
  const char* ppid = StatusField(text, "PPid");
  const char* uid = StatusField(text, "Uid");
  const char* gid = StatusField(text, "Gid");
  const char* cap = StatusField(text, "CapEff");
  if (name == nullptr || ppid == nullptr || uid == nullptr || gid == nullptr || cap == nullptr) return false;
  f->comm.clear();
  for (const char* p = name; *p != '\0' && *p != '\n'; p++) {
    if (*p == '\\' && p[1] == 'n') {
      f->comm.push_back('\n');
      p++;
    } else if (*p == '\\' && p[1] == '\\') {
      f->comm.push_back('\\');
      p++;
    } else {
      f->comm.push_back(*p);
    }
  }
  f->ppid = std::atoi(ppid);
  unsigned v[4];
  if (std::sscanf(uid, "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != 4) return false;
  for (int i = 0; i < 4; i++) f->ids[i] = v[i];
  if (std::sscanf(gid, "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != 4) return false;
  for (int i = 0; i < 4; i++) f->ids[4 + i] = v[i];
  char* end = nullptr;
  f->capeff = std::strtoull(cap, &end, 16);
  return end != cap;
}

// Start time (field 22) of /proc/PID/stat text; comm may hold spaces and ')', so fields resume
// after the last ')'.
inline bool ParseStatStart(const std::string& text, uint64_t* start) {
  size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  const char* p = text.c_str() + close + 1;
  for (int field = 3; field < 22; field++) {
    while (*p == ' ') p++;
    while (*p != ' ' && *p != '\0') p++;
    if (*p == '\0') return false;
  }
  char* end = nullptr;
  *start = std::strtoull(p, &end, 10);
  return end != p;
}

// The v2 path of /proc/PID/cgroup text (the "0::" line), else the whole text.
inline std::string UnifiedCgroup(const std::string& text) {
  size_t at = text.rfind("0::", 0) == 0 ? 0 : text.find("\n0::");
  if (at == std::string::npos) return text;
  if (at != 0) at++;
  size_t nl = text.find('\n', at);
  return text.substr(at + 3, nl == std::string::npos ? std::string::npos : nl - at - 3);
}

// A task's cgroup is read again after this long.
constexpr int64_t kCgroupTtlMs = 1000;

inline int64_t SteadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Used by the reader thread only.
class TaskFactsTable {
 public:
  uint64_t hits = 0, misses = 0;

  explicit TaskFactsTable(size_t limit = 512) : limit_(limit) {}
  ~TaskFactsTable() { Clear(); }

  // The facts of a live process; false once it is gone (or its /proc entry is unreadable).
  bool Read(int pid, TaskFacts* out) {
    std::string text;
    auto it = tasks_.find(pid);
    if (it != tasks_.end()) {
      if (PreadAll(it->second.status_fd, &text) && ParseStatus(text, out)) {
        out->start = it->second.start;
        Cgroup(pid, it->second, out);
        hits++;
        return true;
      }
      Close(it->second);
      tasks_.erase(it);
    }
    misses++;
    Entry e;
    if (!Open(pid, &e)) return false;
    // The status fd was opened before stat was read: readable now, it is the same process whose
    // start time was just read (a pid is not reused while its process lives).
    if (!PreadAll(e.status_fd, &text) || !ParseStatus(text, out)) {
      Close(e);
      return false;
    }
    out->start = e.start;
    Cgroup(pid, e, out);
    if (tasks_.size() >= limit_) Clear();
    tasks_.emplace(pid, std::move(e));
    return true;
  }

  // An exec changes what status shows for the task: nothing here needs dropping (status is read
  // per event), the start time stays.
  void Clear() {
    for (auto& kv : tasks_) Close(kv.second);
    tasks_.clear();
  }

  size_t size() const { return tasks_.size(); }

 private:
  struct Entry {
    uint64_t start = 0;
    int status_fd = -1;
    std::string cgroup;
    int64_t cgroup_read_ms = 0;
    bool cgroup_read = false;
  };
  std::unordered_map<int, Entry> tasks_;
  size_t limit_;

  static void Close(Entry& e) {
    if (e.status_fd >= 0) close(e.status_fd);
    e.status_fd = -1;
  }

  static void Cgroup(int pid, Entry& e, TaskFacts* out) {
    int64_t now = SteadyMs();
    if (!e.cgroup_read || now - e.cgroup_read_ms >= kCgroupTtlMs) {
      char path[64];
      std::snprintf(path, sizeof path, "/proc/%d/cgroup", pid);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      std::string text;
      e.cgroup = fd >= 0 && PreadAll(fd, &text) ? UnifiedCgroup(text) : std::string();
      if (fd >= 0) close(fd);
      e.cgroup_read_ms = now;
      e.cgroup_read = true;
    }
    out->cgroup = e.cgroup;
  }

  static bool Open(int pid, Entry* e) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    e->status_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (e->status_fd < 0) return false;
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int stat_fd = open(path, O_RDONLY | O_CLOEXEC);
    std::string text;
    bool ok = stat_fd >= 0 && PreadAll(stat_fd, &text) && ParseStatStart(text, &e->start);
    if (stat_fd >= 0) close(stat_fd);
    if (!ok) {
      Close(*e);
      return false;
    }
    return true;
  }
};

}  // namespace fan
}  // namespace tsem
