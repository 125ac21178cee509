// A tiny fork-join thread pool for the non-GEMM kernels. OpenBLAS keeps its own threads for
// sgemm; the two never run at the same time because every kernel call is synchronous.
#pragma once
#include <cstddef>
#include <functional>

namespace imp {

// Number of threads (caller included) the pool uses; at least 1.
int poolThreads();
// Resizes the pool; n < 1 means 1.
void setPoolThreads(int n);
// Runs f(begin, end) over [0, n) split into contiguous chunks of at least `grain` items,
// on the pool's threads plus the caller. Small ranges run inline, so a call costs nothing
// when there is not enough work to pay for waking a thread.
void parallelFor(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& f);

}  // namespace imp
