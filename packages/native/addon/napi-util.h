// Small helpers over the N-API C interface (no node-addon-api dependency: nothing to fetch at install).
#pragma once
#include <node_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace udtl {

// Raised by the helpers below; converted into a JS Error at the N-API boundary.
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(napi_env env, napi_status s, const char* what) {
  if (s != napi_ok) throw ArgError(std::string("N-API call failed: ") + what);
}

// The wasm heap (an ArrayBuffer) as a base pointer and length; taken afresh on every call because
// the wasm memory may have grown (and its old ArrayBuffer been detached) since the previous one.
struct Heap {
  uint8_t* base = nullptr;
  size_t length = 0;

  // A float32 array of `count` elements at byte offset `offset`, bounds-checked.
  float* floats(double offset, int64_t count, const char* name) const {
    if (offset < 0 || count < 0 || static_cast<size_t>(offset) + static_cast<size_t>(count) * 4 > length ||
        static_cast<uint64_t>(offset) % 4 != 0) {
      throw ArgError(std::string("udtl-native: ") + name + " lies outside the wasm heap (offset " +
                     std::to_string(static_cast<int64_t>(offset)) + ", " + std::to_string(count) +
                     " floats, heap " + std::to_string(length) + " bytes)");
    }
    return reinterpret_cast<float*>(base + static_cast<size_t>(offset));
  }
};

inline Heap heapArg(napi_env env, napi_value v) {
  bool isBuffer = false;
  check(env, napi_is_arraybuffer(env, v, &isBuffer), "napi_is_arraybuffer");
  if (!isBuffer) throw ArgError("udtl-native: the first argument must be the wasm heap's ArrayBuffer");
  Heap h;
  void* data = nullptr;
  check(env, napi_get_arraybuffer_info(env, v, &data, &h.length), "napi_get_arraybuffer_info");
  h.base = static_cast<uint8_t*>(data);
  return h;
}

// The numeric parameters of a call, passed as one Float64Array (one N-API call instead of dozens).
struct Params {
  const double* p = nullptr;
  size_t n = 0;
  double operator[](size_t i) const {
    if (i >= n) throw ArgError("udtl-native: too few parameters (" + std::to_string(n) + ")");
    return p[i];
  }
  int64_t i64(size_t i) const { return static_cast<int64_t>((*this)[i]); }
};

inline Params paramsArg(napi_env env, napi_value v) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, v, &isTyped), "napi_is_typedarray");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (isTyped) check(env, napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr), "typedarray_info");
  if (!isTyped || type != napi_float64_array) throw ArgError("udtl-native: parameters must be a Float64Array");
  return Params{static_cast<const double*>(data), length};
}

// Runs `body`, turning C++ exceptions (ours, oneDNN's dnnl::error) into a thrown JS Error.
template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  } catch (...) {
    napi_throw_error(env, nullptr, "udtl-native: unknown C++ exception");
  }
  return nullptr;
}

}  // namespace udtl
