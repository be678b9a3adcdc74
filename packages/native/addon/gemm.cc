// Batched row-major SGEMM over tensors in the wasm heap (tfjs's BatchMatMul / _FusedMatMul).
#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels.h"
#include "napi-util.h"

namespace udtl {

// Activation codes shared with src/kernels (ACTIVATIONS there).
void activate(float* y, int64_t n, int act, float alpha) {
  switch (act) {
    case kLinear: return;
    case kRelu: for (int64_t i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : 0; return;
    case kRelu6: for (int64_t i = 0; i < n; i++) y[i] = std::min(std::max(y[i], 0.f), 6.f); return;
    case kLeakyRelu: for (int64_t i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : alpha * y[i]; return;
    case kSigmoid: for (int64_t i = 0; i < n; i++) y[i] = 1.f / (1.f + std::exp(-y[i])); return;
    case kElu: for (int64_t i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : std::expm1(y[i]); return;
    default: throw ArgError("udtl-native: unknown activation code " + std::to_string(act));
  }
}

// gemm(heap, [transA, transB, M, N, K, aOff, bOff, cOff, batch, strideA, strideB, strideC,
//             biasOff, biasLen, act, alpha]): C[i] = act(op(A[i])·op(B[i]) + bias) for i < batch,
// offsets in bytes, batch strides in elements (0 broadcasts one matrix to every batch entry).
napi_value Gemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    size_t argc = 2;
    napi_value argv[2];
    check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "get_cb_info");
    if (argc != 2) throw ArgError("udtl-native gemm: expected (heap, params)");
    const Heap heap = heapArg(env, argv[0]);
    const Params p = paramsArg(env, argv[1]);
    const bool ta = p[0] != 0, tb = p[1] != 0;
    const int64_t M = p.i64(2), N = p.i64(3), K = p.i64(4), batch = p.i64(8);
    const int64_t sa = p.i64(9), sb = p.i64(10), sc = p.i64(11);
    if (M < 0 || N < 0 || K < 0 || batch < 0) throw ArgError("udtl-native gemm: negative dimension");
    const float* A = heap.floats(p[5], (batch - 1) * sa + M * K, "gemm A");
    const float* B = heap.floats(p[6], (batch - 1) * sb + K * N, "gemm B");
    float* C = heap.floats(p[7], (batch - 1) * sc + M * N, "gemm C");
    const int64_t biasLen = p.i64(13);
    const float* bias = p[12] >= 0 ? heap.floats(p[12], biasLen, "gemm bias") : nullptr;
    if (bias != nullptr && biasLen != N && biasLen != 1) {
      throw ArgError("udtl-native gemm: bias length " + std::to_string(biasLen) + " is neither N nor 1");
    }
    const int act = static_cast<int>(p.i64(14));
    const float alpha = static_cast<float>(p[15]);
    for (int64_t i = 0; i < batch; i++) {
      float* c = C + i * sc;
      if (M * N == 0) continue;
      if (K == 0) {
        std::fill(c, c + M * N, 0.f);
      } else {
        const dnnl_status_t s = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.f, A + i * sa, ta ? M : K,
                                           B + i * sb, tb ? K : N, 0.f, c, N);
        if (s != dnnl_success) throw ArgError("udtl-native gemm: dnnl_sgemm failed with status " + std::to_string(s));
      }
      if (bias != nullptr) {
        for (int64_t r = 0; r < M; r++)
          for (int64_t j = 0; j < N; j++) c[r * N + j] += bias[biasLen == 1 ? 0 : j];
      }
      activate(c, M * N, act, alpha);
    }
    return nullptr;
  });
}

}  // namespace udtl
