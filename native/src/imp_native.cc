// N-API entry points of the IMP Lab native backend. Every function takes TypedArrays owned by
// JavaScript (tfjs-backend-cpu's storage) and writes into a caller-allocated output, so no
// data is copied on the way in or out. Sizes are checked here because a wrong size would
// corrupt memory rather than throw.
#include <napi.h>
#include <cblas.h>

#include <cstdint>
#include <string>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "kernels.h"
#include "pool.h"

namespace {

struct Buf {
  void* data = nullptr;
  std::size_t bytes = 0;
};

bool fail(Napi::Env env, const std::string& msg) {
  Napi::TypeError::New(env, "imp_native: " + msg).ThrowAsJavaScriptException();
  return false;
}

// Reads argument i as a TypedArray of at least `need` elements of `elem` bytes.
bool buf(const Napi::CallbackInfo& info, std::size_t i, std::size_t elem, std::size_t need, Buf* out) {
  Napi::Env env = info.Env();
  if (i >= info.Length() || !info[i].IsTypedArray()) return fail(env, "argument " + std::to_string(i) + " must be a TypedArray");
  Napi::TypedArray ta = info[i].As<Napi::TypedArray>();
  std::size_t bytes = ta.ByteLength();
  if (bytes < need * elem) {
    return fail(env, "argument " + std::to_string(i) + " holds " + std::to_string(bytes) + " bytes, needs " +
                         std::to_string(need * elem));
  }
  out->data = static_cast<std::uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  out->bytes = bytes;
  return true;
}

std::size_t num(const Napi::CallbackInfo& info, std::size_t i) {
  return static_cast<std::size_t>(info[i].As<Napi::Number>().Int64Value());
}
int inum(const Napi::CallbackInfo& info, std::size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

bool ints(const Napi::CallbackInfo& info, std::size_t i, int rank, const int** out) {
  Buf b;
  if (!buf(info, i, 4, static_cast<std::size_t>(rank), &b)) return false;
  *out = static_cast<const int*>(b.data);
  return true;
}

// Optional Float32Array argument i (null/undefined -> nullptr) of at least `need` elements.
bool optBuf(const Napi::CallbackInfo& info, std::size_t i, std::size_t need, float** out) {
  *out = nullptr;
  if (i < info.Length() && (info[i].IsNull() || info[i].IsUndefined())) return true;
  Buf b;
  if (!buf(info, i, 4, need, &b)) return false;
  *out = static_cast<float*>(b.data);
  return true;
}

// matmul(a, b, out, batchA, batchB, m, n, k, transA, transB[, bias|null])
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  const int batchA = inum(info, 3), batchB = inum(info, 4), m = inum(info, 5), n = inum(info, 6), k = inum(info, 7);
  const bool ta = info[8].ToBoolean(), tb = info[9].ToBoolean();
  const std::size_t batch = static_cast<std::size_t>(batchA > batchB ? batchA : batchB);
  Buf a, b, o;
  if (!buf(info, 0, 4, static_cast<std::size_t>(batchA) * m * k, &a) ||
      !buf(info, 1, 4, static_cast<std::size_t>(batchB) * k * n, &b) || !buf(info, 2, 4, batch * m * n, &o)) {
    return info.Env().Undefined();
  }
  if (batchA <= 0 || batchB <= 0 || (batch % batchA) != 0 || (batch % batchB) != 0) {
    fail(info.Env(), "batch sizes must divide each other");
    return info.Env().Undefined();
  }
  // Optional 11th argument: a bias row of n floats added to every output row.
  float* bias = nullptr;
  if (info.Length() > 10 && !optBuf(info, 10, static_cast<std::size_t>(n), &bias)) return info.Env().Undefined();
  imp::matmul(static_cast<const float*>(a.data), static_cast<const float*>(b.data), static_cast<float*>(o.data), batchA,
              batchB, m, n, k, ta, tb, bias);
  return info.Env().Undefined();
}

// biasAct(out, bias|null, rows, n, biasMode, act, alpha)
Napi::Value BiasAct(const Napi::CallbackInfo& info) {
  const std::size_t rows = num(info, 2), n = num(info, 3);
  const int mode = inum(info, 4), act = inum(info, 5);
  const float alpha = info[6].As<Napi::Number>().FloatValue();
  Buf o, bias;
  if (!buf(info, 0, 4, rows * n, &o)) return info.Env().Undefined();
  if (mode != 0 && !buf(info, 1, 4, mode == 1 ? n : rows * n, &bias)) return info.Env().Undefined();
  imp::biasActivation(static_cast<float*>(o.data), static_cast<const float*>(bias.data), rows, n, mode, act, alpha);
  return info.Env().Undefined();
}

// binary(op, a, b, out, shape, aStrides, bStrides): shape/strides are Int32Arrays of one rank.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  const int op = inum(info, 0);
  const int rank = static_cast<int>(info[4].As<Napi::TypedArray>().ElementLength());
  if (rank < 1 || rank > 8) {
    fail(info.Env(), "rank must be in [1, 8]");
    return info.Env().Undefined();
  }
  const int *shape, *as, *bs;
  if (!ints(info, 4, rank, &shape) || !ints(info, 5, rank, &as) || !ints(info, 6, rank, &bs)) return info.Env().Undefined();
  std::size_t total = 1, needA = 1, needB = 1;
  for (int d = 0; d < rank; d++) {
    total *= static_cast<std::size_t>(shape[d]);
    if (shape[d] > 0) {
      needA += static_cast<std::size_t>(shape[d] - 1) * static_cast<std::size_t>(as[d]);
      needB += static_cast<std::size_t>(shape[d] - 1) * static_cast<std::size_t>(bs[d]);
    }
  }
  if (total == 0) return info.Env().Undefined();
  const bool cmp = op >= imp::kLess;
  Buf a, b, o;
  if (!buf(info, 1, 4, needA, &a) || !buf(info, 2, 4, needB, &b) || !buf(info, 3, cmp ? 1 : 4, total, &o)) {
    return info.Env().Undefined();
  }
  imp::binary(op, static_cast<const float*>(a.data), static_cast<const float*>(b.data),
              cmp ? nullptr : static_cast<float*>(o.data), cmp ? static_cast<std::uint8_t*>(o.data) : nullptr, rank,
              shape, as, bs);
  return info.Env().Undefined();
}

// unary(op, x, out, n, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  const std::size_t n = num(info, 3);
  Buf x, o;
  if (!buf(info, 1, 4, n, &x) || !buf(info, 2, 4, n, &o)) return info.Env().Undefined();
  imp::unary(inum(info, 0), static_cast<const float*>(x.data), static_cast<float*>(o.data), n,
             info[4].As<Napi::Number>().FloatValue());
  return info.Env().Undefined();
}

// reduce(op, x, out, pre, red, post)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  const std::size_t pre = num(info, 3), red = num(info, 4), post = num(info, 5);
  Buf x, o;
  if (!buf(info, 1, 4, pre * red * post, &x) || !buf(info, 2, 4, pre * post, &o)) return info.Env().Undefined();
  imp::reduce(inum(info, 0), static_cast<const float*>(x.data), static_cast<float*>(o.data), pre, red, post);
  return info.Env().Undefined();
}

// softmax(x, out, rows, cols)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const std::size_t rows = num(info, 2), cols = num(info, 3);
  Buf x, o;
  if (!buf(info, 0, 4, rows * cols, &x) || !buf(info, 1, 4, rows * cols, &o)) return info.Env().Undefined();
  imp::softmax(static_cast<const float*>(x.data), static_cast<float*>(o.data), rows, cols);
  return info.Env().Undefined();
}

// transpose(x, out, shape, perm): 4-byte elements.
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  const int rank = static_cast<int>(info[2].As<Napi::TypedArray>().ElementLength());
  if (rank < 1 || rank > 8) {
    fail(info.Env(), "rank must be in [1, 8]");
    return info.Env().Undefined();
  }
  const int *shape, *perm;
  if (!ints(info, 2, rank, &shape) || !ints(info, 3, rank, &perm)) return info.Env().Undefined();
  std::size_t total = 1;
  unsigned seen = 0;
  for (int d = 0; d < rank; d++) {
    total *= static_cast<std::size_t>(shape[d]);
    if (perm[d] < 0 || perm[d] >= rank || (seen & (1u << perm[d]))) {
      fail(info.Env(), "perm is not a permutation");
      return info.Env().Undefined();
    }
    seen |= 1u << perm[d];
  }
  Buf x, o;
  if (!buf(info, 0, 4, total, &x) || !buf(info, 1, 4, total, &o)) return info.Env().Undefined();
  imp::transpose(static_cast<const std::uint32_t*>(x.data), static_cast<std::uint32_t*>(o.data), rank, shape, perm);
  return info.Env().Undefined();
}

// gather(x, idx, out, outer, axis, inner, nIdx) -> first bad index position or -1.
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const std::size_t outer = num(info, 3), axis = num(info, 4), inner = num(info, 5), nIdx = num(info, 6);
  Buf x, idx, o;
  if (!buf(info, 0, 4, outer * axis * inner, &x) || !buf(info, 1, 4, nIdx, &idx) ||
      !buf(info, 2, 4, outer * nIdx * inner, &o)) {
    return info.Env().Undefined();
  }
  long bad = imp::gather(static_cast<const std::uint32_t*>(x.data), static_cast<const std::int32_t*>(idx.data),
                         static_cast<std::uint32_t*>(o.data), outer, axis, inner, nIdx);
  return Napi::Number::New(info.Env(), static_cast<double>(bad));
}

// segmentSum(x, seg, out, n, inner, numSegments)
Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  const std::size_t n = num(info, 3), inner = num(info, 4), segs = num(info, 5);
  Buf x, s, o;
  if (!buf(info, 0, 4, n * inner, &x) || !buf(info, 1, 4, n, &s) || !buf(info, 2, 4, segs * inner, &o)) {
    return info.Env().Undefined();
  }
  imp::segmentSum(static_cast<const float*>(x.data), static_cast<const std::int32_t*>(s.data),
                  static_cast<float*>(o.data), n, inner, segs);
  return info.Env().Undefined();
}

// gelu(x, out, n) and geluGrad(x, dy, out, n)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  const std::size_t n = num(info, 2);
  Buf x, o;
  if (!buf(info, 0, 4, n, &x) || !buf(info, 1, 4, n, &o)) return info.Env().Undefined();
  imp::geluTanh(static_cast<const float*>(x.data), static_cast<float*>(o.data), n);
  return info.Env().Undefined();
}
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  const std::size_t n = num(info, 3);
  Buf x, dy, o;
  if (!buf(info, 0, 4, n, &x) || !buf(info, 1, 4, n, &dy) || !buf(info, 2, 4, n, &o)) return info.Env().Undefined();
  imp::geluTanhGrad(static_cast<const float*>(x.data), static_cast<const float*>(dy.data), static_cast<float*>(o.data), n);
  return info.Env().Undefined();
}

// layerNorm(x, scale, bias|null, y, rows, d, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const std::size_t rows = num(info, 4), d = num(info, 5);
  const float eps = info[6].As<Napi::Number>().FloatValue();
  Buf x, s, y;
  float* bias;
  if (!buf(info, 0, 4, rows * d, &x) || !buf(info, 1, 4, d, &s) || !optBuf(info, 2, d, &bias) ||
      !buf(info, 3, 4, rows * d, &y)) {
    return info.Env().Undefined();
  }
  imp::layerNorm(static_cast<const float*>(x.data), static_cast<const float*>(s.data), bias,
                 static_cast<float*>(y.data), rows, d, eps);
  return info.Env().Undefined();
}

// layerNormGrad(x, scale, dy, dx, dscale, dbias|null, rows, d, eps)
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  const std::size_t rows = num(info, 6), d = num(info, 7);
  const float eps = info[8].As<Napi::Number>().FloatValue();
  Buf x, s, dy, dx, ds;
  float* db;
  if (!buf(info, 0, 4, rows * d, &x) || !buf(info, 1, 4, d, &s) || !buf(info, 2, 4, rows * d, &dy) ||
      !buf(info, 3, 4, rows * d, &dx) || !buf(info, 4, 4, d, &ds) || !optBuf(info, 5, d, &db)) {
    return info.Env().Undefined();
  }
  imp::layerNormGrad(static_cast<const float*>(x.data), static_cast<const float*>(s.data),
                     static_cast<const float*>(dy.data), static_cast<float*>(dx.data), static_cast<float*>(ds.data), db,
                     rows, d, eps);
  return info.Env().Undefined();
}

// Elements a [rows, ld] view must hold when only the first `width` of each row is read.
std::size_t rowsNeed(std::size_t rows, std::size_t ld, std::size_t width) { return rows == 0 ? 0 : (rows - 1) * ld + width; }

// attention(q, k, v, mask|null, out, batch, n, heads, dh, scale, ldIn, ldOut): q, k, v may be
// views into one packed [B, N, 3D] buffer (ldIn = 3D).
Napi::Value Attention(const Napi::CallbackInfo& info) {
  const int batch = inum(info, 5), n = inum(info, 6), heads = inum(info, 7), dh = inum(info, 8);
  const float scale = info[9].As<Napi::Number>().FloatValue();
  const int ldIn = inum(info, 10), ldOut = inum(info, 11);
  if (batch < 0 || n < 0 || heads < 0 || dh < 0 || ldIn < heads * dh || ldOut < heads * dh) {
    fail(info.Env(), "bad sizes");
    return info.Env().Undefined();
  }
  const std::size_t rows = static_cast<std::size_t>(batch) * n, w = static_cast<std::size_t>(heads) * dh;
  const std::size_t needIn = rowsNeed(rows, ldIn, w), needOut = rowsNeed(rows, ldOut, w);
  Buf q, k, v, o;
  float* mask;
  if (!buf(info, 0, 4, needIn, &q) || !buf(info, 1, 4, needIn, &k) || !buf(info, 2, 4, needIn, &v) ||
      !optBuf(info, 3, rows, &mask) || !buf(info, 4, 4, needOut, &o)) {
    return info.Env().Undefined();
  }
  imp::attention(static_cast<const float*>(q.data), static_cast<const float*>(k.data), static_cast<const float*>(v.data),
                 mask, static_cast<float*>(o.data), batch, n, heads, dh, scale, ldIn, ldOut);
  return info.Env().Undefined();
}

// attentionGrad(q, k, v, mask|null, dOut, dq, dk, dv, batch, n, heads, dh, scale, ldIn, ldOut)
Napi::Value AttentionGrad(const Napi::CallbackInfo& info) {
  const int batch = inum(info, 8), n = inum(info, 9), heads = inum(info, 10), dh = inum(info, 11);
  const float scale = info[12].As<Napi::Number>().FloatValue();
  const int ldIn = inum(info, 13), ldOut = inum(info, 14);
  if (batch < 0 || n < 0 || heads < 0 || dh < 0 || ldIn < heads * dh || ldOut < heads * dh) {
    fail(info.Env(), "bad sizes");
    return info.Env().Undefined();
  }
  const std::size_t rows = static_cast<std::size_t>(batch) * n, w = static_cast<std::size_t>(heads) * dh;
  const std::size_t needIn = rowsNeed(rows, ldIn, w), needOut = rowsNeed(rows, ldOut, w);
  Buf q, k, v, g, dq, dk, dv;
  float* mask;
  if (!buf(info, 0, 4, needIn, &q) || !buf(info, 1, 4, needIn, &k) || !buf(info, 2, 4, needIn, &v) ||
      !optBuf(info, 3, rows, &mask) || !buf(info, 4, 4, needOut, &g) || !buf(info, 5, 4, needIn, &dq) ||
      !buf(info, 6, 4, needIn, &dk) || !buf(info, 7, 4, needIn, &dv)) {
    return info.Env().Undefined();
  }
  imp::attentionGrad(static_cast<const float*>(q.data), static_cast<const float*>(k.data),
                     static_cast<const float*>(v.data), mask, static_cast<const float*>(g.data),
                     static_cast<float*>(dq.data), static_cast<float*>(dk.data), static_cast<float*>(dv.data), batch, n,
                     heads, dh, scale, ldIn, ldOut);
  return info.Env().Undefined();
}

// adamw(p, m, v, g|null, outP, outM, outV, n, lr, b1, b2, bc1, bc2, eps, wd, scale)
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  const std::size_t n = num(info, 7);
  Buf p, m, v, op, om, ov;
  float* g;
  if (!buf(info, 0, 4, n, &p) || !buf(info, 1, 4, n, &m) || !buf(info, 2, 4, n, &v) || !optBuf(info, 3, n, &g) ||
      !buf(info, 4, 4, n, &op) || !buf(info, 5, 4, n, &om) || !buf(info, 6, 4, n, &ov)) {
    return info.Env().Undefined();
  }
  auto d = [&](std::size_t i) { return info[i].As<Napi::Number>().DoubleValue(); };
  imp::adamw(static_cast<const float*>(p.data), static_cast<const float*>(m.data), static_cast<const float*>(v.data), g,
             static_cast<float*>(op.data), static_cast<float*>(om.data), static_cast<float*>(ov.data), n, d(8), d(9),
             d(10), d(11), d(12), d(13), d(14), d(15));
  return info.Env().Undefined();
}

// setThreads(n): both OpenBLAS's threads and the pool's.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int n = inum(info, 0);
  if (n < 1) n = 1;
  imp::setPoolThreads(n);
  imp::setPoolGemm(imp::poolGemm());  // OpenBLAS gets n threads, or 1 when the pool runs GEMMs
  return info.Env().Undefined();
}
// setPoolGemm(on): GEMMs split across the kernel pool (OpenBLAS single-threaded), or not.
Napi::Value SetPoolGemm(const Napi::CallbackInfo& info) {
  imp::setPoolGemm(info[0].ToBoolean());
  return info.Env().Undefined();
}
Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("blas", openblas_get_num_threads());
  o.Set("pool", imp::poolThreads());
  o.Set("poolGemm", imp::poolGemm());
  return o;
}
Napi::Value BlasConfig(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openblas_get_config());
}

// Keeps freed tensor buffers in the heap instead of unmapping them: every tfjs kernel allocates
// a fresh output, and at training sizes (1-6 MB) a fresh mmap costs ~1 ms of page faults per
// call, more than the kernel itself. 32 MB is glibc's ceiling for the mmap threshold.
Napi::Value TuneMalloc(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  const bool ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("tuneMalloc", Napi::Function::New(env, TuneMalloc));
  exports.Set("matmul", Napi::Function::New(env, MatMul));
  exports.Set("biasAct", Napi::Function::New(env, BiasAct));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("gather", Napi::Function::New(env, Gather));
  exports.Set("segmentSum", Napi::Function::New(env, SegmentSum));
  exports.Set("gelu", Napi::Function::New(env, Gelu));
  exports.Set("geluGrad", Napi::Function::New(env, GeluGrad));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionGrad", Napi::Function::New(env, AttentionGrad));
  exports.Set("adamw", Napi::Function::New(env, AdamW));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setPoolGemm", Napi::Function::New(env, SetPoolGemm));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("blasConfig", Napi::Function::New(env, BlasConfig));
  return exports;
}

}  // namespace

NODE_API_MODULE(imp_native, Init)
