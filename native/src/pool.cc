#include "pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace imp {
namespace {

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable wake;
  const std::function<void(int)>* job = nullptr;
  int parts = 0;
  long generation = 0;
  bool stopping = false;
  std::atomic<int> pending{0};

  void start(int n) {
    for (int i = 1; i < n; i++) workers.emplace_back([this, i] { loop(i); });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> g(mu);
      stopping = true;
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
    stopping = false;
  }
  void loop(int index) {
    long seen = 0;
    for (;;) {
      const std::function<void(int)>* f;
      int n;
      {
        std::unique_lock<std::mutex> l(mu);
        wake.wait(l, [&] { return stopping || generation != seen; });
        if (stopping) return;
        seen = generation;
        f = job;
        n = parts;
      }
      if (index < n) (*f)(index);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
  void run(int n, const std::function<void(int)>& f) {
    {
      std::lock_guard<std::mutex> g(mu);
      job = &f;
      parts = n;
      pending.store(static_cast<int>(workers.size()), std::memory_order_release);
      generation++;
    }
    wake.notify_all();
    f(0);
    // Workers finish within microseconds of the caller; spinning briefly beats sleeping.
    for (int spins = 0; pending.load(std::memory_order_acquire) != 0; spins++) {
      if (spins > 64) std::this_thread::yield();
    }
  }
};

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();
    unsigned hw = std::thread::hardware_concurrency();
    q->start(hw == 0 ? 1 : static_cast<int>(hw));
    return q;
  }();
  return *p;
}

}  // namespace

int poolThreads() { return static_cast<int>(pool().workers.size()) + 1; }

void setPoolThreads(int n) {
  Pool& p = pool();
  p.stop();
  p.start(std::max(1, n));
}

void parallelFor(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& f) {
  if (n == 0) return;
  Pool& p = pool();
  std::size_t threads = static_cast<std::size_t>(p.workers.size()) + 1;
  std::size_t parts = std::min(threads, (n + grain - 1) / std::max<std::size_t>(grain, 1));
  if (parts <= 1) {
    f(0, n);
    return;
  }
  std::size_t chunk = (n + parts - 1) / parts;
  std::function<void(int)> job = [&](int i) {
    std::size_t b = static_cast<std::size_t>(i) * chunk;
    std::size_t e = std::min(n, b + chunk);
    if (b < e) f(b, e);
  };
  p.run(static_cast<int>(parts), job);
}

}  // namespace imp
