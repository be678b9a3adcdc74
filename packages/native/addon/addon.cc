// udtl_native: oneDNN kernels for tfjs-wasm tensors, called in place on the wasm heap.
#include <node_api.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include <string>

#include "kernels.h"
#include "napi-util.h"

namespace udtl {
namespace {

// setThreads(n): oneDNN's OpenMP thread count for calls made from this (the JS) thread.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    size_t argc = 1;
    napi_value argv[1];
    check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "get_cb_info");
    int32_t n = 0;
    if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
      throw ArgError("udtl-native setThreads: expected a positive integer");
    }
    omp_set_num_threads(n);
    return nullptr;
  });
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, omp_get_max_threads(), &out);
  return out;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  const std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"convImpl", nullptr, ConvImpl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace
}  // namespace udtl

NAPI_MODULE(NODE_GYP_MODULE_NAME, udtl::Init)
