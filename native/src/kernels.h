// Compute kernels on raw float32/int32 buffers. The N-API glue (imp_native.cc) checks sizes;
// these functions trust their arguments.
#pragma once
#include <cstddef>
#include <cstdint>

namespace imp {

enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kSqDiff, kPow,
                kLess, kLessEq, kGreater, kGreaterEq, kEqual, kNotEqual };
enum UnaryOp { kExp = 0, kLog, kNeg, kSqrt, kRsqrt, kSquare, kTanh, kSigmoid, kRelu, kAbs,
               kReciprocal, kErf, kStep, kLog1p, kSoftplus, kElu, kLeakyRelu, kRelu6 };
enum ReduceOp { kSum = 0, kMean, kRMax, kRMin, kProd };
enum Activation { kLinear = 0, kActRelu, kActRelu6, kActElu, kActLeakyRelu, kActSigmoid };

// GEMM threading: true = OpenBLAS single-threaded and GEMMs split across the kernel pool
// (default); false = OpenBLAS's own threads.
void setPoolGemm(bool on);
bool poolGemm();
// out[b] = op(A[b % batchA]) @ op(B[b % batchB]) (+ bias [n] on every row, when not null) for
// b < max(batchA, batchB).
void matmul(const float* a, const float* b, float* out, int batchA, int batchB, int m, int n, int k,
            bool transA, bool transB, const float* bias = nullptr);
// out[r, c] = act(out[r, c] + bias[c or r*n+c]); biasMode 0 none, 1 per column, 2 full.
void biasActivation(float* out, const float* bias, std::size_t rows, std::size_t n, int biasMode,
                    int act, float alpha);
// Broadcasting binary op over a collapsed shape (rank <= 8); strides are 0 on broadcast dims.
// Comparison ops write 0/1 bytes to outBool instead of out.
void binary(int op, const float* a, const float* b, float* out, std::uint8_t* outBool, int rank,
            const int* shape, const int* aStrides, const int* bStrides);
void unary(int op, const float* x, float* out, std::size_t n, float alpha);
// Reduces x viewed as [pre, red, post] over the middle axis into out [pre, post].
void reduce(int op, const float* x, float* out, std::size_t pre, std::size_t red, std::size_t post);
void softmax(const float* x, float* out, std::size_t rows, std::size_t cols);
// Permutes a 4-byte-element tensor of the given shape (rank <= 8).
void transpose(const std::uint32_t* x, std::uint32_t* out, int rank, const int* shape, const int* perm);
// GatherV2 with batchDims 0 on x viewed as [outer, axis, inner]; returns the first bad index
// position or -1.
long gather(const std::uint32_t* x, const std::int32_t* idx, std::uint32_t* out, std::size_t outer,
            std::size_t axis, std::size_t inner, std::size_t nIdx);
// out[numSegments, inner] += x[n, inner] by segment id; ids outside [0, numSegments) are dropped.
void segmentSum(const float* x, const std::int32_t* seg, float* out, std::size_t n, std::size_t inner,
                std::size_t numSegments);
// GELU, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), and its derivative times dy.
void geluTanh(const float* x, float* out, std::size_t n);
void geluTanhGrad(const float* x, const float* dy, float* out, std::size_t n);

}  // namespace imp

namespace imp {

// LayerNorm over rows of width d: y = (x - mean) / sqrt(var + eps) * scale + bias (bias may be
// null). Mean and variance are two-pass, like the composed formula.
void layerNorm(const float* x, const float* scale, const float* bias, float* y, std::size_t rows, std::size_t d,
               float eps);
// Its gradient from x, scale and dy (mean and rstd are recomputed): dx [rows, d], dscale [d],
// dbias [d] (dbias may be null). The parameter sums are deterministic for any thread count.
void layerNormGrad(const float* x, const float* scale, const float* dy, float* dx, float* dscale, float* dbias,
                   std::size_t rows, std::size_t d, float eps);
// Multi-head attention on q, k, v laid out as rows of ldIn floats per token (head h at column
// h*dh, so no transposes; ldIn = H*dh for separate tensors, 3*H*dh for q, k, v packed in one):
// out = softmax(scale q k^T + keyBias) v per (batch, head), written as rows of ldOut floats.
// mask [B, N] (1 = real key, may be null) adds -1e9 to padded keys' logits.
void attention(const float* q, const float* k, const float* v, const float* mask, float* out, int batch, int n,
               int heads, int dh, float scale, int ldIn, int ldOut);
// Its gradient (dq, dk, dv in the inputs' layout, dOut in the output's): the probabilities are
// recomputed from q and k rather than stored.
void attentionGrad(const float* q, const float* k, const float* v, const float* mask, const float* dOut, float* dq,
                   float* dk, float* dv, int batch, int n, int heads, int dh, float scale, int ldIn, int ldOut);

}  // namespace imp

namespace imp {

// One AdamW step over n parameters into fresh outputs, in double like the JavaScript loop it
// replaces (src/imp/train/optimizer.ts), so both give the same bits: g' = g * scale (g may be
// null = zero), m' = b1 m + (1 - b1) g', v' = b2 v + (1 - b2) g'^2,
// p' = p - lr (m' / bc1 / (sqrt(v' / bc2) + eps) + wd p).
void adamw(const float* p, const float* m, const float* v, const float* g, float* outP, float* outM, float* outV,
           std::size_t n, double lr, double b1, double b2, double bc1, double bc2, double eps, double wd, double scale);

}  // namespace imp
