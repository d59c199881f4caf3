// The fanotify reader's verdict cache: allows the engine decided for held opens, keyed by
// everything their coefficient depends on (the task by pid, start time and execs seen, its
// credentials and cgroup; the file by dev, inode, mode, owner, size, mtime, ctime and path; open or
// exec), so that a repeated on-contour open is answered on the reader thread. Only the engine fills
// it, and only with allows it marks cacheable; any change that could turn such an answer
// (mode, model, a task's trust, canister routes) clears it through Clear(). Guarded by the
// reader's mutex.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "task_facts.h"

namespace tsem {
namespace fan {

struct InodeId {
  uint64_t dev;
  uint64_t ino;
  bool operator==(const InodeId& o) const { return dev == o.dev && ino == o.ino; }
};

struct InodeIdHash {
  size_t operator()(const InodeId& k) const { return std::hash<uint64_t>()(k.ino * 0x9e3779b97f4a7c15ull ^ k.dev); }
};

template <typename T>
inline void Append(std::string* key, const T& v) {
  key->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Everything but the inode: appended as fixed-size fields, then the path and the cgroup, each
// with its length, so that two different keys never read as the same bytes.
inline std::string CacheKey(bool exec, uint32_t exec_gen, int pid, const TaskFacts& t, const struct stat& st,
                            const std::string& path) {
  std::string key;
  key.reserve(128 + path.size() + t.cgroup.size());
  Append(&key, static_cast<uint8_t>(exec ? 1 : 0));
  Append(&key, pid);
  Append(&key, t.start);
  Append(&key, exec_gen);
  key.append(reinterpret_cast<const char*>(t.ids), sizeof t.ids);
  Append(&key, t.capeff);
  Append(&key, static_cast<uint32_t>(st.st_mode));
  Append(&key, static_cast<uint32_t>(st.st_uid));
  Append(&key, static_cast<uint32_t>(st.st_gid));
  Append(&key, static_cast<int64_t>(st.st_size));
  Append(&key, static_cast<int64_t>(st.st_mtim.tv_sec));
  Append(&key, static_cast<int64_t>(st.st_mtim.tv_nsec));
  Append(&key, static_cast<int64_t>(st.st_ctim.tv_sec));
  Append(&key, static_cast<int64_t>(st.st_ctim.tv_nsec));
  Append(&key, static_cast<uint32_t>(path.size()));
  key.append(path);
  Append(&key, static_cast<uint32_t>(t.cgroup.size()));
  key.append(t.cgroup);
  return key;
}

class VerdictCache {
 public:
  // Changes on every Clear(): a verdict for an event read before it must not fill the cache.
  uint64_t generation = 0;
  uint64_t hits = 0, fills = 0, flushes = 0;

  explicit VerdictCache(size_t limit = 65536) : limit_(limit) {}

  bool Has(const InodeId& inode, const std::string& key) const {
    auto it = by_inode_.find(inode);
    return it != by_inode_.end() && it->second.count(key) != 0;
  }

  // Bounded: when full it starts over (the engine fills it again as opens repeat).
  void Put(const InodeId& inode, const std::string& key) {
    if (entries_ >= limit_) Clear();
    if (by_inode_[inode].insert(key).second) {
      entries_++;
      fills++;
    }
  }

  // The file was written: its entries go, and verdicts in flight must not bring them back.
  void DropInode(const InodeId& inode) {
    auto it = by_inode_.find(inode);
    if (it != by_inode_.end()) {
      entries_ -= it->second.size();
      by_inode_.erase(it);
    }
    generation++;
  }

  void Clear() {
    by_inode_.clear();
    entries_ = 0;
    generation++;
    flushes++;
  }

  size_t size() const { return entries_; }

 private:
  std::unordered_map<InodeId, std::unordered_set<std::string>, InodeIdHash> by_inode_;
  size_t entries_ = 0;
  size_t limit_;
};

}  // namespace fan
}  // namespace tsem
