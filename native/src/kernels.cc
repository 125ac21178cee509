#include "kernels.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "pool.h"

// Hot loops are compiled twice (AVX2+FMA and baseline x86-64) and picked at load time, so one
// build runs on any x86-64 and uses the wide units where they exist. The clone is chosen by CPU
// features (x86-64-v3): "arch=haswell" is chosen by CPU model, so AMD CPUs never got it.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define IMP_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define IMP_CLONES
#endif
// GCC does not inline a plain function into a target clone of another architecture unless it is
// always_inline; not inlined, fastExp stays a call and the loops around it stay scalar.
#define IMP_INLINE __attribute__((always_inline)) inline

namespace imp {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
// Elements per task below which threading costs more than it saves (a wake-up is ~5-10 us).
constexpr std::size_t kGrain = 1 << 15;

// exp(x) in float32 by the Cephes polynomial; branch-free so the loops vectorise. Max error
// ~2 ulp on the finite range; overflow, underflow and NaN follow IEEE expf.
IMP_INLINE float fastExp(float x) {
  float xc = x > 88.72283935546875f ? 88.72283935546875f : x;
  xc = xc < -103.972084f ? -103.972084f : xc;
  float fx = xc * 1.44269504088896341f + 0.5f;
  // floor as a builtin (vroundps on AVX): the compare-and-adjust form left a branch that kept
  // every loop calling fastExp scalar in the AVX2 clones.
  fx = __builtin_floorf(fx);
  float r = xc - fx * 0.693359375f;
  r = r - fx * -2.12194440e-4f;
  float z = r * r;
  float y = 1.9875691500E-4f;
  y = y * r + 1.3981999507E-3f;
  y = y * r + 8.3334519073E-3f;
  y = y * r + 4.1665795894E-2f;
  y = y * r + 1.6666665459E-1f;
  y = y * r + 5.0000001201E-1f;
  y = y * z + r + 1.0f;
  int n = static_cast<int>(fx);
  // 2^128 is not a float: take one factor of 2 into y at the top of the range. Below 2^-126
  // scale in two steps so that denormal results round once, like expf.
  y = n > 127 ? y * 2.0f : y;
  n = n > 127 ? 127 : n;
  const bool tiny = n < -126;
  n = tiny ? n + 64 : n;
  std::uint32_t bits = static_cast<std::uint32_t>(n + 127) << 23;
  float p;
  std::memcpy(&p, &bits, sizeof p);
  float res = y * p;
  res = tiny ? res * 5.42101086242752217e-20f : res;  // 2^-64
  res = x > 88.72283935546875f ? kInf : res;
  res = x < -103.972084f ? 0.0f : res;
  return x != x ? x : res;
}

// tanh(x) as a rational function (the approximation Eigen uses for float), clamped where
// float tanh is +-1 anyway; exact for small |x|.
IMP_INLINE float fastTanh(float x) {
  const float c = 7.90531110763549805f;
  float xc = x > c ? c : (x < -c ? -c : x);
  float x2 = xc * xc;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  float res = p / q;
  res = std::fabs(x) < 0.0004f ? x : res;
  return x != x ? x : res;
}

IMP_INLINE float nanMax(float a, float b) { return (a != a || b != b) ? kNaN : (a > b ? a : b); }
IMP_INLINE float nanMin(float a, float b) { return (a != a || b != b) ? kNaN : (a < b ? a : b); }

template <int OP>
inline float binaryScalar(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  if constexpr (OP == kSub) return a - b;
  if constexpr (OP == kMul) return a * b;
  if constexpr (OP == kDiv) return a / b;
  if constexpr (OP == kMax) return nanMax(a, b);
  if constexpr (OP == kMin) return nanMin(a, b);
  if constexpr (OP == kSqDiff) return (a - b) * (a - b);
  if constexpr (OP == kPow) return std::pow(a, b);
  return 0.0f;
}

template <int OP>
inline std::uint8_t compareScalar(float a, float b) {
  if constexpr (OP == kLess) return a < b;
  if constexpr (OP == kLessEq) return a <= b;
  if constexpr (OP == kGreater) return a > b;
  if constexpr (OP == kGreaterEq) return a >= b;
  if constexpr (OP == kEqual) return a == b;
  if constexpr (OP == kNotEqual) return a != b;
  return 0;
}

// Innermost loop of a broadcast binary op: sa/sb are 0 (broadcast) or 1 (contiguous).
template <int OP>
IMP_CLONES void binaryRow(const float* a, const float* b, float* out, std::size_t n, int sa, int sb) {
  if (sa == 1 && sb == 1) {
    for (std::size_t i = 0; i < n; i++) out[i] = binaryScalar<OP>(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    if constexpr (OP == kPow) {
      // Small integer powers (x^2, and x^3 in GELU) as products in double, which round like
      // JavaScript's Math.pow does, without pow's ~8 ns per call.
      if (bv == 2.0f) { for (std::size_t i = 0; i < n; i++) out[i] = a[i] * a[i]; return; }
      if (bv == 3.0f) {
        for (std::size_t i = 0; i < n; i++) out[i] = static_cast<float>(static_cast<double>(a[i]) * a[i] * a[i]);
        return;
      }
      if (bv == 1.0f) { for (std::size_t i = 0; i < n; i++) out[i] = a[i]; return; }
    }
    for (std::size_t i = 0; i < n; i++) out[i] = binaryScalar<OP>(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (std::size_t i = 0; i < n; i++) out[i] = binaryScalar<OP>(av, b[i]);
  } else {
    for (std::size_t i = 0; i < n; i++) out[i] = binaryScalar<OP>(a[i * sa], b[i * sb]);
  }
}

template <int OP>
void compareRow(const float* a, const float* b, std::uint8_t* out, std::size_t n, int sa, int sb) {
  for (std::size_t i = 0; i < n; i++) out[i] = compareScalar<OP>(a[i * sa], b[i * sb]);
}

template <int OP>
void binaryImpl(const float* a, const float* b, float* out, std::uint8_t* outBool, int rank, const int* shape,
                const int* aStr, const int* bStr) {
  const std::size_t inner = static_cast<std::size_t>(shape[rank - 1]);
  std::size_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= static_cast<std::size_t>(shape[d]);
  if (inner == 0 || rows == 0) return;
  const int sa = aStr[rank - 1], sb = bStr[rank - 1];
  // Rows of the output are independent: split them across threads, or split one long row.
  if (rows == 1) {
    parallelFor(inner, kGrain, [&](std::size_t b0, std::size_t e0) {
      if (outBool) compareRow<OP>(a + b0 * sa, b + b0 * sb, outBool + b0, e0 - b0, sa, sb);
      else binaryRow<OP>(a + b0 * sa, b + b0 * sb, out + b0, e0 - b0, sa, sb);
    });
    return;
  }
  std::size_t grainRows = std::max<std::size_t>(1, kGrain / inner);
  parallelFor(rows, grainRows, [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; r++) {
      // Decompose the row index into outer coordinates to find the input offsets.
      std::size_t rem = r, offA = 0, offB = 0;
      for (int d = rank - 2; d >= 0; d--) {
        std::size_t c = rem % static_cast<std::size_t>(shape[d]);
        rem /= static_cast<std::size_t>(shape[d]);
        offA += c * static_cast<std::size_t>(aStr[d]);
        offB += c * static_cast<std::size_t>(bStr[d]);
      }
      if (outBool) compareRow<OP>(a + offA, b + offB, outBool + r * inner, inner, sa, sb);
      else binaryRow<OP>(a + offA, b + offB, out + r * inner, inner, sa, sb);
    }
  });
}

template <int OP>
IMP_CLONES void unaryRange(const float* x, float* out, std::size_t n, float alpha) {
  for (std::size_t i = 0; i < n; i++) {
    const float v = x[i];
    float r;
    if constexpr (OP == kExp) r = fastExp(v);
    if constexpr (OP == kLog) r = std::log(v);
    if constexpr (OP == kNeg) r = -v;
    if constexpr (OP == kSqrt) r = std::sqrt(v);
    if constexpr (OP == kRsqrt) r = 1.0f / std::sqrt(v);
    if constexpr (OP == kSquare) r = v * v;
    if constexpr (OP == kTanh) r = fastTanh(v);
    if constexpr (OP == kSigmoid) r = 1.0f / (1.0f + fastExp(-v));
    if constexpr (OP == kRelu) r = v < 0.0f ? 0.0f : v;
    if constexpr (OP == kAbs) r = std::fabs(v);
    if constexpr (OP == kReciprocal) r = 1.0f / v;
    if constexpr (OP == kErf) r = std::erf(v);
    if constexpr (OP == kStep) r = v != v ? v : (v > 0.0f ? 1.0f : alpha);
    if constexpr (OP == kLog1p) r = std::log1p(v);
    if constexpr (OP == kElu) r = v >= 0.0f ? v : fastExp(v) - 1.0f;
    if constexpr (OP == kLeakyRelu) r = v < 0.0f ? alpha * v : v;
    if constexpr (OP == kRelu6) r = v != v ? v : (v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v));
    out[i] = r;
  }
}

template <int OP>
void unaryImpl(const float* x, float* out, std::size_t n, float alpha) {
  parallelFor(n, kGrain, [&](std::size_t b, std::size_t e) { unaryRange<OP>(x + b, out + b, e - b, alpha); });
}

// 0.5 x (1 + tanh(u)) == x * sigmoid(2u): the sigmoid form keeps full relative precision in the
// negative tail, where 1 + tanh(u) cancels to 0 in float32 (the gradient too: 1 - tanh^2 =
// 4 s (1 - s)).
IMP_CLONES void geluRange(const float* x, float* out, std::size_t n) {
  const float c = 0.7978845608028654f;
  for (std::size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float u = c * (v + 0.044715f * v * v * v);
    out[i] = v / (1.0f + fastExp(-2.0f * u));
  }
}

IMP_CLONES void geluGradRange(const float* x, const float* dy, float* out, std::size_t n) {
  const float c = 0.7978845608028654f;
  for (std::size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float u = c * (v + 0.044715f * v * v * v);
    const float s = 1.0f / (1.0f + fastExp(-2.0f * u));
    const float d = s + 2.0f * v * s * (1.0f - s) * c * (1.0f + 3.0f * 0.044715f * v * v);
    out[i] = dy[i] * d;
  }
}

IMP_CLONES void softmaxRows(const float* x, float* out, std::size_t r0, std::size_t r1, std::size_t cols) {
  for (std::size_t r = r0; r < r1; r++) {
    const float* xr = x + r * cols;
    float* o = out + r * cols;
    float m = xr[0];
    for (std::size_t j = 1; j < cols; j++) m = nanMax(m, xr[j]);
    float s = 0.0f;
    for (std::size_t j = 0; j < cols; j++) {
      o[j] = fastExp(xr[j] - m);
      s += o[j];
    }
    const float inv = 1.0f / s;
    for (std::size_t j = 0; j < cols; j++) o[j] *= inv;
  }
}

IMP_CLONES void reduceInnerRows(int op, const float* x, float* out, std::size_t r0, std::size_t r1, std::size_t red) {
  for (std::size_t r = r0; r < r1; r++) {
    const float* xr = x + r * red;
    if (op == kSum || op == kMean) {
      double s = 0.0;
      for (std::size_t j = 0; j < red; j++) s += xr[j];
      // tfjs-backend-cpu's mean of nothing is 0 (it divides, then sums), not NaN.
      out[r] = op == kMean && red > 0 ? static_cast<float>(s / static_cast<double>(red)) : static_cast<float>(s);
    } else if (op == kProd) {
      double p = 1.0;
      for (std::size_t j = 0; j < red; j++) p *= xr[j];
      out[r] = static_cast<float>(p);
    } else if (red == 0) {
      out[r] = kNaN;
    } else {
      float m = xr[0];
      if (op == kRMax) for (std::size_t j = 1; j < red; j++) m = nanMax(m, xr[j]);
      else for (std::size_t j = 1; j < red; j++) m = nanMin(m, xr[j]);
      out[r] = m;
    }
  }
}

// Reduction over a strided middle axis: columns of [red, post] blocks, accumulated in double.
IMP_CLONES void reduceColumns(int op, const float* x, float* out, std::size_t red, std::size_t post, std::size_t c0,
                              std::size_t c1) {
  const std::size_t w = c1 - c0;
  if (op == kRMax || op == kRMin) {
    if (red == 0) {
      for (std::size_t j = 0; j < w; j++) out[c0 + j] = kNaN;
      return;
    }
    for (std::size_t j = 0; j < w; j++) out[c0 + j] = x[c0 + j];
    for (std::size_t r = 1; r < red; r++) {
      const float* row = x + r * post + c0;
      if (op == kRMax) for (std::size_t j = 0; j < w; j++) out[c0 + j] = nanMax(out[c0 + j], row[j]);
      else for (std::size_t j = 0; j < w; j++) out[c0 + j] = nanMin(out[c0 + j], row[j]);
    }
    return;
  }
  double acc[256];
  const double init = op == kProd ? 1.0 : 0.0;
  for (std::size_t j = 0; j < w; j++) acc[j] = init;
  for (std::size_t r = 0; r < red; r++) {
    const float* row = x + r * post + c0;
    if (op == kProd) for (std::size_t j = 0; j < w; j++) acc[j] *= row[j];
    else for (std::size_t j = 0; j < w; j++) acc[j] += row[j];
  }
  const double scale = op == kMean && red > 0 ? 1.0 / static_cast<double>(red) : 1.0;
  for (std::size_t j = 0; j < w; j++) out[c0 + j] = static_cast<float>(op == kMean ? acc[j] * scale : acc[j]);
}

}  // namespace

namespace {

// When true, OpenBLAS runs single-threaded and large GEMMs are split across the pool instead:
// one set of threads for every kernel. With OpenBLAS's own threads, its workers keep spinning
// for a while after each GEMM and, on a 2-core machine, take the core the pool's worker needs
// for the elementwise kernel that follows.
bool gPoolGemm = true;

// C [M, N] = op(A) op(B), row-major, split along the longer of M and N across the pool.
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int M, int N, int K, const float* a, int lda, const float* b, int ldb,
          float* c, int ldc, float beta = 0.0f) {
  const int threads = poolThreads();
  const double flops = 2.0 * M * N * K;
  if (!gPoolGemm || threads <= 1 || flops < 2.0e6) {
    cblas_sgemm(CblasRowMajor, ta, tb, M, N, K, 1.0f, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const bool splitM = M >= N;
  const int dim = splitM ? M : N;
  const int parts = std::max(1, std::min(threads, dim / 16));
  parallelFor(static_cast<std::size_t>(parts), 1, [&](std::size_t p0, std::size_t p1) {
    for (std::size_t p = p0; p < p1; p++) {
      const int s0 = static_cast<int>(static_cast<long>(dim) * p / parts);
      const int s1 = static_cast<int>(static_cast<long>(dim) * (p + 1) / parts);
      if (s1 <= s0) continue;
      if (splitM) {
        const float* as = ta == CblasNoTrans ? a + static_cast<std::size_t>(s0) * lda : a + s0;
        cblas_sgemm(CblasRowMajor, ta, tb, s1 - s0, N, K, 1.0f, as, lda, b, ldb, beta, c + static_cast<std::size_t>(s0) * ldc, ldc);
      } else {
        const float* bs = tb == CblasNoTrans ? b + s0 : b + static_cast<std::size_t>(s0) * ldb;
        cblas_sgemm(CblasRowMajor, ta, tb, M, s1 - s0, K, 1.0f, a, lda, bs, ldb, beta, c + s0, ldc);
      }
    }
  });
}

}  // namespace

void setPoolGemm(bool on) {
  gPoolGemm = on;
  openblas_set_num_threads(on ? 1 : poolThreads());
}

bool poolGemm() { return gPoolGemm; }

void matmul(const float* a, const float* b, float* out, int batchA, int batchB, int m, int n, int k, bool transA,
            bool transB, const float* bias) {
  const int batch = std::max(batchA, batchB);
  if (batch == 0 || m == 0 || n == 0) return;
  const std::size_t rows = static_cast<std::size_t>(batch) * m;
  if (bias) {
    // The bias row goes into the output first and the GEMM accumulates onto it (beta = 1):
    // no separate pass over the output after the GEMM.
    parallelFor(rows, std::max<std::size_t>(1, kGrain / static_cast<std::size_t>(n)), [&](std::size_t r0, std::size_t r1) {
      for (std::size_t r = r0; r < r1; r++) std::memcpy(out + r * n, bias, static_cast<std::size_t>(n) * sizeof(float));
    });
  }
  const float beta = bias ? 1.0f : 0.0f;
  if (k == 0) {
    if (!bias) std::fill(out, out + rows * n, 0.0f);
    return;
  }
  const CBLAS_TRANSPOSE ta = transA ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = transB ? CblasTrans : CblasNoTrans;
  const int lda = transA ? m : k;
  const int ldb = transB ? k : n;
  // One shared right operand and row-major A: the batch folds into M, one large GEMM.
  if (batchB == 1 && batchA == batch && !transA) {
    gemm(ta, tb, batch * m, n, k, a, lda, b, ldb, out, n, beta);
    return;
  }
  const std::size_t sa = static_cast<std::size_t>(m) * k, sb = static_cast<std::size_t>(k) * n,
                    so = static_cast<std::size_t>(m) * n;
  const double flops = 2.0 * m * n * k;
  // Many GEMMs (attention, MoE experts): whole GEMMs single-threaded in parallel; OpenBLAS
  // would split each small one across its threads and spend more time synchronising than computing.
  if (batch > 1 && (flops < 4.0e6 || (gPoolGemm && batch >= poolThreads()))) {
    const int saved = gPoolGemm ? 1 : openblas_get_num_threads();
    if (!gPoolGemm) openblas_set_num_threads(1);
    parallelFor(static_cast<std::size_t>(batch), 1, [&](std::size_t b0, std::size_t b1) {
      for (std::size_t bi = b0; bi < b1; bi++) {
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a + (bi % batchA) * sa, lda, b + (bi % batchB) * sb, ldb,
                    beta, out + bi * so, n);
      }
    });
    if (!gPoolGemm) openblas_set_num_threads(saved);
    return;
  }
  for (int bi = 0; bi < batch; bi++) {
    gemm(ta, tb, m, n, k, a + (bi % batchA) * sa, lda, b + (bi % batchB) * sb, ldb, out + bi * so, n, beta);
  }
}

IMP_CLONES void biasActivationRows(float* out, const float* bias, std::size_t r0, std::size_t r1, std::size_t n,
                                   int biasMode, int act, float alpha) {
  for (std::size_t r = r0; r < r1; r++) {
    float* o = out + r * n;
    if (biasMode == 1) for (std::size_t j = 0; j < n; j++) o[j] += bias[j];
    else if (biasMode == 2) for (std::size_t j = 0; j < n; j++) o[j] += bias[r * n + j];
    switch (act) {
      case kActRelu: for (std::size_t j = 0; j < n; j++) o[j] = o[j] < 0.0f ? 0.0f : o[j]; break;
      case kActRelu6:
        for (std::size_t j = 0; j < n; j++) o[j] = o[j] != o[j] ? o[j] : (o[j] < 0.0f ? 0.0f : (o[j] > 6.0f ? 6.0f : o[j]));
        break;
      case kActElu: for (std::size_t j = 0; j < n; j++) o[j] = o[j] >= 0.0f ? o[j] : fastExp(o[j]) - 1.0f; break;
      case kActLeakyRelu: for (std::size_t j = 0; j < n; j++) o[j] = o[j] < 0.0f ? alpha * o[j] : o[j]; break;
      case kActSigmoid: for (std::size_t j = 0; j < n; j++) o[j] = 1.0f / (1.0f + fastExp(-o[j])); break;
      default: break;
    }
  }
}

void biasActivation(float* out, const float* bias, std::size_t rows, std::size_t n, int biasMode, int act, float alpha) {
  if (n == 0) return;
  parallelFor(rows, std::max<std::size_t>(1, kGrain / n),
              [&](std::size_t r0, std::size_t r1) { biasActivationRows(out, bias, r0, r1, n, biasMode, act, alpha); });
}

void binary(int op, const float* a, const float* b, float* out, std::uint8_t* outBool, int rank, const int* shape,
            const int* aStr, const int* bStr) {
  switch (op) {
    case kAdd: return binaryImpl<kAdd>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kSub: return binaryImpl<kSub>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kMul: return binaryImpl<kMul>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kDiv: return binaryImpl<kDiv>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kMax: return binaryImpl<kMax>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kMin: return binaryImpl<kMin>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kSqDiff: return binaryImpl<kSqDiff>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kPow: return binaryImpl<kPow>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kLess: return binaryImpl<kLess>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kLessEq: return binaryImpl<kLessEq>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kGreater: return binaryImpl<kGreater>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kGreaterEq: return binaryImpl<kGreaterEq>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kEqual: return binaryImpl<kEqual>(a, b, out, outBool, rank, shape, aStr, bStr);
    case kNotEqual: return binaryImpl<kNotEqual>(a, b, out, outBool, rank, shape, aStr, bStr);
    default: return;
  }
}

void unary(int op, const float* x, float* out, std::size_t n, float alpha) {
  switch (op) {
    case kExp: return unaryImpl<kExp>(x, out, n, alpha);
    case kLog: return unaryImpl<kLog>(x, out, n, alpha);
    case kNeg: return unaryImpl<kNeg>(x, out, n, alpha);
    case kSqrt: return unaryImpl<kSqrt>(x, out, n, alpha);
    case kRsqrt: return unaryImpl<kRsqrt>(x, out, n, alpha);
    case kSquare: return unaryImpl<kSquare>(x, out, n, alpha);
    case kTanh: return unaryImpl<kTanh>(x, out, n, alpha);
    case kSigmoid: return unaryImpl<kSigmoid>(x, out, n, alpha);
    case kRelu: return unaryImpl<kRelu>(x, out, n, alpha);
    case kAbs: return unaryImpl<kAbs>(x, out, n, alpha);
    case kReciprocal: return unaryImpl<kReciprocal>(x, out, n, alpha);
    case kErf: return unaryImpl<kErf>(x, out, n, alpha);
    case kStep: return unaryImpl<kStep>(x, out, n, alpha);
    case kLog1p: return unaryImpl<kLog1p>(x, out, n, alpha);
    case kElu: return unaryImpl<kElu>(x, out, n, alpha);
    case kLeakyRelu: return unaryImpl<kLeakyRelu>(x, out, n, alpha);
    case kRelu6: return unaryImpl<kRelu6>(x, out, n, alpha);
    default: return;
  }
}

void reduce(int op, const float* x, float* out, std::size_t pre, std::size_t red, std::size_t post) {
  if (pre == 0 || post == 0) return;
  if (post == 1) {
    parallelFor(pre, std::max<std::size_t>(1, kGrain / std::max<std::size_t>(red, 1)),
                [&](std::size_t r0, std::size_t r1) { reduceInnerRows(op, x, out, r0, r1, red); });
    return;
  }
  const std::size_t blocks = (post + 255) / 256;
  parallelFor(pre * blocks, std::max<std::size_t>(1, kGrain / std::max<std::size_t>(red * 256, 1)),
              [&](std::size_t t0, std::size_t t1) {
                for (std::size_t t = t0; t < t1; t++) {
                  const std::size_t p = t / blocks, c0 = (t % blocks) * 256, c1 = std::min(post, c0 + 256);
                  reduceColumns(op, x + p * red * post, out + p * post, red, post, c0, c1);
                }
              });
}

void softmax(const float* x, float* out, std::size_t rows, std::size_t cols) {
  if (cols == 0) return;
  parallelFor(rows, std::max<std::size_t>(1, kGrain / cols),
              [&](std::size_t r0, std::size_t r1) { softmaxRows(x, out, r0, r1, cols); });
}

void transpose(const std::uint32_t* x, std::uint32_t* out, int rank, const int* shape, const int* perm) {
  std::size_t inStr[8], total = 1;
  for (int d = rank - 1; d >= 0; d--) {
    inStr[d] = total;
    total *= static_cast<std::size_t>(shape[d]);
  }
  if (total == 0) return;
  int outShape[8] = {0};
  std::size_t srcStr[8];  // input stride of each output axis
  for (int d = 0; d < rank; d++) {
    outShape[d] = shape[perm[d]];
    srcStr[d] = inStr[perm[d]];
  }
  const std::size_t inner = static_cast<std::size_t>(outShape[rank - 1]);
  const std::size_t rows = total / inner;
  // Batched 2-D transposes ([.., R, C] -> [.., C, R]) go tile by tile so that both the reads
  // and the writes stay within cache lines.
  if (rank >= 2 && perm[rank - 1] == rank - 2 && perm[rank - 2] == rank - 1) {
    bool batchIdentity = true;
    for (int d = 0; d < rank - 2; d++) batchIdentity = batchIdentity && perm[d] == d;
    if (batchIdentity) {
      const std::size_t R = static_cast<std::size_t>(shape[rank - 2]), C = static_cast<std::size_t>(shape[rank - 1]);
      const std::size_t batches = total / (R * C), tilesR = (R + 31) / 32, tilesC = (C + 31) / 32;
      parallelFor(batches * tilesR * tilesC, 16, [&](std::size_t t0, std::size_t t1) {
        for (std::size_t t = t0; t < t1; t++) {
          const std::size_t bi = t / (tilesR * tilesC), rem = t % (tilesR * tilesC);
          const std::size_t i0 = (rem / tilesC) * 32, j0 = (rem % tilesC) * 32;
          const std::uint32_t* src = x + bi * R * C;
          std::uint32_t* dst = out + bi * R * C;
          const std::size_t i1 = std::min(R, i0 + 32), j1 = std::min(C, j0 + 32);
          for (std::size_t j = j0; j < j1; j++)
            for (std::size_t i = i0; i < i1; i++) dst[j * R + i] = src[i * C + j];
        }
      });
      return;
    }
  }
  const std::size_t innerStr = srcStr[rank - 1];
  parallelFor(rows, std::max<std::size_t>(1, kGrain / inner), [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; r++) {
      std::size_t rem = r, off = 0;
      for (int d = rank - 2; d >= 0; d--) {
        const std::size_t c = rem % static_cast<std::size_t>(outShape[d]);
        rem /= static_cast<std::size_t>(outShape[d]);
        off += c * srcStr[d];
      }
      std::uint32_t* o = out + r * inner;
      if (innerStr == 1) std::memcpy(o, x + off, inner * sizeof(std::uint32_t));
      else for (std::size_t j = 0; j < inner; j++) o[j] = x[off + j * innerStr];
    }
  });
}

long gather(const std::uint32_t* x, const std::int32_t* idx, std::uint32_t* out, std::size_t outer, std::size_t axis,
            std::size_t inner, std::size_t nIdx) {
  for (std::size_t i = 0; i < nIdx; i++) {
    if (idx[i] < 0 || static_cast<std::size_t>(idx[i]) >= axis) return static_cast<long>(i);
  }
  const std::size_t rows = outer * nIdx;
  parallelFor(rows, std::max<std::size_t>(1, kGrain / std::max<std::size_t>(inner, 1)),
              [&](std::size_t r0, std::size_t r1) {
                for (std::size_t r = r0; r < r1; r++) {
                  const std::size_t o = r / nIdx, i = r % nIdx;
                  std::memcpy(out + r * inner, x + (o * axis + static_cast<std::size_t>(idx[i])) * inner,
                              inner * sizeof(std::uint32_t));
                }
              });
  return -1;
}

void segmentSum(const float* x, const std::int32_t* seg, float* out, std::size_t n, std::size_t inner,
                std::size_t numSegments) {
  std::fill(out, out + numSegments * inner, 0.0f);
  // Threads own disjoint column ranges, so no two write the same output element.
  parallelFor(inner, std::max<std::size_t>(16, inner >= 64 && n * inner >= kGrain ? 16 : inner),
              [&](std::size_t c0, std::size_t c1) {
                for (std::size_t r = 0; r < n; r++) {
                  const std::int32_t s = seg[r];
                  if (s < 0 || static_cast<std::size_t>(s) >= numSegments) continue;
                  float* o = out + static_cast<std::size_t>(s) * inner;
                  const float* xr = x + r * inner;
                  for (std::size_t j = c0; j < c1; j++) o[j] += xr[j];
                }
              });
}

void geluTanh(const float* x, float* out, std::size_t n) {
  parallelFor(n, kGrain, [&](std::size_t b, std::size_t e) { geluRange(x + b, out + b, e - b); });
}

void geluTanhGrad(const float* x, const float* dy, float* out, std::size_t n) {
  parallelFor(n, kGrain, [&](std::size_t b, std::size_t e) { geluGradRange(x + b, dy + b, out + b, e - b); });
}

}  // namespace imp

namespace imp {
namespace {

// Mean and 1/std of one row, accumulated in double (shared by the forward and backward kernels).
static inline void rowStats(const float* xr, std::size_t d, float eps, float& mean, float& rstd) {
  double s = 0.0;
  for (std::size_t j = 0; j < d; j++) s += xr[j];
  mean = static_cast<float>(s / static_cast<double>(d));
  double v = 0.0;
  for (std::size_t j = 0; j < d; j++) v += static_cast<double>(xr[j] - mean) * (xr[j] - mean);
  rstd = 1.0f / std::sqrt(static_cast<float>(v / static_cast<double>(d)) + eps);
}

IMP_CLONES void layerNormRows(const float* x, const float* scale, const float* bias, float* y, std::size_t r0,
                              std::size_t r1, std::size_t d, float eps) {
  for (std::size_t r = r0; r < r1; r++) {
    const float* xr = x + r * d;
    float* yr = y + r * d;
    float mean, rstd;
    rowStats(xr, d, eps, mean, rstd);
    if (bias) for (std::size_t j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd * scale[j] + bias[j];
    else for (std::size_t j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd * scale[j];
  }
}

// dx for rows [r0, r1), and those rows' contributions to dscale/dbias added into ps/pb.
IMP_CLONES void layerNormGradRows(const float* x, const float* scale, const float* dy, float* dx, double* ps, double* pb,
                                  std::size_t r0, std::size_t r1, std::size_t d, float eps) {
  for (std::size_t r = r0; r < r1; r++) {
    const float* xr = x + r * d;
    const float* g = dy + r * d;
    float* o = dx + r * d;
    float mean, rstd;
    rowStats(xr, d, eps, mean, rstd);
    double sg = 0.0, sgx = 0.0;
    for (std::size_t j = 0; j < d; j++) {
      const float xh = (xr[j] - mean) * rstd;
      const float gs = g[j] * scale[j];
      sg += gs;
      sgx += static_cast<double>(gs) * xh;
      ps[j] += static_cast<double>(g[j]) * xh;
      pb[j] += g[j];
    }
    const float mg = static_cast<float>(sg / static_cast<double>(d)), mgx = static_cast<float>(sgx / static_cast<double>(d));
    for (std::size_t j = 0; j < d; j++) o[j] = rstd * (g[j] * scale[j] - mg - (xr[j] - mean) * rstd * mgx);
  }
}

// Softmax probabilities of one (batch, head): p [n, n] = softmax(scale q k^T + mask bias).
void attentionProbs(const float* q, const float* k, const float* mask, float* p, int n, int ld, int dh, float scale) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, dh, scale, q, ld, k, ld, 0.0f, p, n);
  if (mask) {
    for (int i = 0; i < n; i++) {
      float* row = p + static_cast<std::size_t>(i) * n;
      // The same float arithmetic as the composed path: (1 - m) * -1e9 added after scaling.
      for (int j = 0; j < n; j++) row[j] += (1.0f - mask[j]) * -1e9f;
    }
  }
  softmaxRows(p, p, 0, static_cast<std::size_t>(n), static_cast<std::size_t>(n));
}

// Runs f(batch, head, scratch) over every (batch, head) pair in parallel, each GEMM on one
// OpenBLAS thread: the matrices are too small for OpenBLAS to split profitably.
template <typename F>
void perHead(int batch, int heads, std::size_t scratch, F f) {
  const bool juggle = !poolGemm();  // in pool mode OpenBLAS is single-threaded already
  const int saved = juggle ? openblas_get_num_threads() : 1;
  if (juggle) openblas_set_num_threads(1);
  parallelFor(static_cast<std::size_t>(batch) * heads, 1, [&](std::size_t t0, std::size_t t1) {
    std::vector<float> buf(scratch);
    for (std::size_t t = t0; t < t1; t++) f(static_cast<int>(t / heads), static_cast<int>(t % heads), buf.data());
  });
  if (juggle) openblas_set_num_threads(saved);
}

}  // namespace

void layerNorm(const float* x, const float* scale, const float* bias, float* y, std::size_t rows, std::size_t d,
               float eps) {
  if (d == 0) return;
  parallelFor(rows, std::max<std::size_t>(1, kGrain / d),
              [&](std::size_t r0, std::size_t r1) { layerNormRows(x, scale, bias, y, r0, r1, d, eps); });
}

void layerNormGrad(const float* x, const float* scale, const float* dy, float* dx, float* dscale, float* dbias,
                   std::size_t rows, std::size_t d, float eps) {
  if (d == 0) return;
  // Fixed blocks of rows, each with its own parameter-gradient partials, summed in block order:
  // the result does not depend on how many threads ran the blocks.
  const std::size_t blocks = std::max<std::size_t>(1, std::min<std::size_t>(8, rows));
  std::vector<double> part(blocks * 2 * d, 0.0);
  parallelFor(blocks, 1, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t bi = b0; bi < b1; bi++) {
      const std::size_t r0 = rows * bi / blocks, r1 = rows * (bi + 1) / blocks;
      layerNormGradRows(x, scale, dy, dx, part.data() + bi * 2 * d, part.data() + bi * 2 * d + d, r0, r1, d, eps);
    }
  });
  for (std::size_t j = 0; j < d; j++) {
    double s = 0.0, b = 0.0;
    for (std::size_t bi = 0; bi < blocks; bi++) { s += part[bi * 2 * d + j]; b += part[bi * 2 * d + d + j]; }
    dscale[j] = static_cast<float>(s);
    if (dbias) dbias[j] = static_cast<float>(b);
  }
}

void attention(const float* q, const float* k, const float* v, const float* mask, float* out, int batch, int n,
               int heads, int dh, float scale, int ldIn, int ldOut) {
  if (batch == 0 || n == 0 || heads == 0 || dh == 0) return;
  const std::size_t strideIn = static_cast<std::size_t>(n) * ldIn, strideOut = static_cast<std::size_t>(n) * ldOut;
  perHead(batch, heads, static_cast<std::size_t>(n) * n, [&](int b, int h, float* p) {
    const std::size_t in = b * strideIn + static_cast<std::size_t>(h) * dh;
    const std::size_t o = b * strideOut + static_cast<std::size_t>(h) * dh;
    attentionProbs(q + in, k + in, mask ? mask + static_cast<std::size_t>(b) * n : nullptr, p, n, ldIn, dh, scale);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, dh, n, 1.0f, p, n, v + in, ldIn, 0.0f, out + o, ldOut);
  });
}

void attentionGrad(const float* q, const float* k, const float* v, const float* mask, const float* dOut, float* dq,
                   float* dk, float* dv, int batch, int n, int heads, int dh, float scale, int ldIn, int ldOut) {
  if (batch == 0 || n == 0 || heads == 0 || dh == 0) return;
  const std::size_t strideIn = static_cast<std::size_t>(n) * ldIn, strideOut = static_cast<std::size_t>(n) * ldOut;
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  perHead(batch, heads, 2 * nn, [&](int b, int h, float* buf) {
    float* p = buf;
    float* ds = buf + nn;
    const std::size_t in = b * strideIn + static_cast<std::size_t>(h) * dh;
    const std::size_t o = b * strideOut + static_cast<std::size_t>(h) * dh;
    attentionProbs(q + in, k + in, mask ? mask + static_cast<std::size_t>(b) * n : nullptr, p, n, ldIn, dh, scale);
    // dP = dO v^T; dv = P^T dO; dS = P (dP - rowsum(dP P)) scale; dq = dS k; dk = dS^T q.
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, dh, 1.0f, dOut + o, ldOut, v + in, ldIn, 0.0f, ds, n);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, dh, n, 1.0f, p, n, dOut + o, ldOut, 0.0f, dv + in, ldIn);
    for (int i = 0; i < n; i++) {
      float* pr = p + static_cast<std::size_t>(i) * n;
      float* dr = ds + static_cast<std::size_t>(i) * n;
      float dot = 0.0f;
      for (int j = 0; j < n; j++) dot += pr[j] * dr[j];
      for (int j = 0; j < n; j++) dr[j] = pr[j] * (dr[j] - dot) * scale;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, dh, n, 1.0f, ds, n, k + in, ldIn, 0.0f, dq + in, ldIn);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, dh, n, 1.0f, ds, n, q + in, ldIn, 0.0f, dk + in, ldIn);
  });
}

}  // namespace imp

namespace imp {

namespace {

// No FMA contraction (the clone for AVX2 machines would otherwise fuse a * b + c): the result
// must match the JavaScript loop bit for bit. Wider vectors do not change IEEE results.
__attribute__((optimize("fp-contract=off"))) IMP_CLONES void adamwRange(
    const float* __restrict p, const float* __restrict m, const float* __restrict v, const float* __restrict g,
    float* __restrict outP, float* __restrict outM, float* __restrict outV, std::size_t i0, std::size_t i1, double lr, double b1, double b2, double bc1, double bc2, double eps, double wd,
    double scale) {
  for (std::size_t i = i0; i < i1; i++) {
    const double gi = static_cast<double>(g[i]) * scale;
    const double mi = b1 * m[i] + (1 - b1) * gi;
    const double vi = b2 * v[i] + (1 - b2) * gi * gi;
    outM[i] = static_cast<float>(mi);
    outV[i] = static_cast<float>(vi);
    outP[i] = static_cast<float>(p[i] - lr * (mi / bc1 / (std::sqrt(vi / bc2) + eps) + wd * p[i]));
  }
}

}  // namespace

void adamw(const float* p, const float* m, const float* v, const float* g, float* outP, float* outM, float* outV,
           std::size_t n, double lr, double b1, double b2, double bc1, double bc2, double eps, double wd, double scale) {
  // A zero gradient array stands in for a missing one, so the loop has no branch to vectorise around.
  std::vector<float> zeros;
  if (!g) {
    zeros.assign(n, 0.0f);
    g = zeros.data();
  }
  parallelFor(n, kGrain, [&](std::size_t i0, std::size_t i1) {
    adamwRange(p, m, v, g, outP, outM, outV, i0, i1, lr, b1, b2, bc1, bc2, eps, wd, scale);
  });
}

}  // namespace imp
