#pragma once
#include <node_api.h>

#include <cstdint>

namespace udtl {

// Fused activations, numbered as in src/kernels/activation.ts.
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

void activate(float* y, int64_t n, int act, float alpha);

napi_value Gemm(napi_env env, napi_callback_info info);
napi_value Conv(napi_env env, napi_callback_info info);
napi_value ConvImpl(napi_env env, napi_callback_info info);

}  // namespace udtl
