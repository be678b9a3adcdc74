// 2-D convolutions (forward, backward data, backward weights; grouped for depthwise) over NHWC
// tensors in the wasm heap, with oneDNN primitives cached by shape.
#include <oneapi/dnnl/dnnl.hpp>

#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "kernels.h"
#include "napi-util.h"

namespace udtl {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// The parameter vector: geometry first (it is the cache key), then the heap offsets.
enum P {
  pKind, pN, pIH, pIW, pIC, pOH, pOW, pOC, pKH, pKW, pSH, pSW, pDH, pDW, pPadT, pPadL, pPadB, pPadR,
  pGroups, pHasBias, pAct, pAlpha,  // end of the key
  pSrc, pWei, pDst, pBias, pCount
};

dnnl::engine& cpu() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() {
  static dnnl::stream s(cpu());
  return s;
}

// One shape's primitive, and, when oneDNN prefers a blocked weight layout, the reorder between it
// and tfjs's (hwio, or hwigo for depthwise) with the buffer holding the blocked copy.
struct Plan {
  int kind;
  dnnl::primitive prim;
  memory::desc src, dst, userWei, bias;
  bool reorderWeights = false;
  memory blockedWei;
  dnnl::primitive weiReorder;
  std::string impl;
};

dnnl::algorithm eltwise(int act) {
  switch (act) {
    case kRelu: case kLeakyRelu: return dnnl::algorithm::eltwise_relu;
    case kRelu6: return dnnl::algorithm::eltwise_clip;
    case kSigmoid: return dnnl::algorithm::eltwise_logistic;
    case kElu: return dnnl::algorithm::eltwise_elu;
    default: throw ArgError("udtl-native conv: unknown activation code " + std::to_string(act));
  }
}

std::shared_ptr<Plan> buildPlan(const Params& p) {
  const int64_t G = p.i64(pGroups), IC = p.i64(pIC), OC = p.i64(pOC);
  if (G < 1 || IC % G != 0 || OC % G != 0 || (G > 1 && IC != G)) {
    throw ArgError("udtl-native conv: groups must be 1 or the input channels (depthwise), got " + std::to_string(G));
  }
  auto plan = std::make_shared<Plan>();
  plan->kind = static_cast<int>(p.i64(pKind));
  plan->src = memory::desc({p.i64(pN), IC, p.i64(pIH), p.i64(pIW)}, f32, tag::nhwc);
  plan->dst = memory::desc({p.i64(pN), OC, p.i64(pOH), p.i64(pOW)}, f32, tag::nhwc);
  const memory::dims wd = G > 1 ? memory::dims{G, OC / G, IC / G, p.i64(pKH), p.i64(pKW)}
                                : memory::dims{OC, IC, p.i64(pKH), p.i64(pKW)};
  plan->userWei = memory::desc(wd, f32, G > 1 ? tag::hwigo : tag::hwio);
  const memory::desc anyWei(wd, f32, tag::any);
  plan->bias = memory::desc({OC}, f32, tag::a);
  const memory::dims strides{p.i64(pSH), p.i64(pSW)}, dil{p.i64(pDH) - 1, p.i64(pDW) - 1};
  const memory::dims padL{p.i64(pPadT), p.i64(pPadL)}, padR{p.i64(pPadB), p.i64(pPadR)};
  const auto direct = dnnl::algorithm::convolution_direct;
  const auto training = dnnl::prop_kind::forward_training;

  using Fwd = dnnl::convolution_forward;
  const Fwd::primitive_desc hint(Fwd::desc(training, direct, plan->src, anyWei, plan->dst, strides, dil, padL, padR), cpu());
  memory::desc chosen;
  if (plan->kind == kForward) {
    dnnl::primitive_attr attr;
    const int act = static_cast<int>(p.i64(pAct));
    if (act != kLinear) {
      dnnl::post_ops ops;
      const float alpha = act == kLeakyRelu ? static_cast<float>(p[pAlpha]) : act == kElu ? 1.f : 0.f;
      ops.append_eltwise(1.f, eltwise(act), alpha, act == kRelu6 ? 6.f : 0.f);
      attr.set_post_ops(ops);
    }
    const Fwd::desc d = p[pHasBias] != 0
                            ? Fwd::desc(training, direct, plan->src, anyWei, plan->bias, plan->dst, strides, dil, padL, padR)
                            : Fwd::desc(training, direct, plan->src, anyWei, plan->dst, strides, dil, padL, padR);
    const Fwd::primitive_desc pd(d, attr, cpu());
    plan->prim = Fwd(pd);
    chosen = pd.weights_desc();
    plan->impl = pd.impl_info_str();
  } else if (plan->kind == kBackwardData) {
    using Bwd = dnnl::convolution_backward_data;
    const Bwd::primitive_desc pd(Bwd::desc(direct, plan->src, anyWei, plan->dst, strides, dil, padL, padR), cpu(), hint);
    plan->prim = Bwd(pd);
    chosen = pd.weights_desc();
    plan->impl = pd.impl_info_str();
  } else if (plan->kind == kBackwardWeights) {
    using Bwd = dnnl::convolution_backward_weights;
    const Bwd::primitive_desc pd(Bwd::desc(direct, plan->src, anyWei, plan->dst, strides, dil, padL, padR), cpu(), hint);
    plan->prim = Bwd(pd);
    chosen = pd.diff_weights_desc();
    plan->impl = pd.impl_info_str();
  } else {
    throw ArgError("udtl-native conv: unknown kind " + std::to_string(plan->kind));
  }
  if (chosen != plan->userWei) {
    plan->reorderWeights = true;
    plan->blockedWei = memory(chosen, cpu());
    plan->weiReorder = plan->kind == kBackwardWeights ? dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), chosen, cpu(), plan->userWei))
                                                      : dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), plan->userWei, cpu(), chosen));
  }
  return plan;
}

// Plans by geometry key, least recently used dropped beyond kMaxPlans (each holds a weight buffer).
constexpr size_t kMaxPlans = 64;
std::list<std::pair<std::string, std::shared_ptr<Plan>>> lru;
std::unordered_map<std::string, decltype(lru)::iterator> plans;

std::shared_ptr<Plan> planFor(const Params& p) {
  std::string key;
  for (int i = 0; i < pSrc; i++) key += std::to_string(p[i]) + ",";
  auto it = plans.find(key);
  if (it != plans.end()) {
    lru.splice(lru.begin(), lru, it->second);
    return it->second->second;
  }
  auto plan = buildPlan(p);
  lru.emplace_front(key, plan);
  plans[key] = lru.begin();
  if (lru.size() > kMaxPlans) {
    plans.erase(lru.back().first);
    lru.pop_back();
  }
  return plan;
}

int64_t elements(const memory::desc& d) { return static_cast<int64_t>(d.get_size() / sizeof(float)); }

Params callParams(napi_env env, napi_callback_info info, napi_value* argv, size_t want) {
  size_t argc = want;
  check(env, napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "get_cb_info");
  if (argc != want) throw ArgError("udtl-native conv: wrong number of arguments");
  const Params p = paramsArg(env, argv[want - 1]);
  if (p.n < static_cast<size_t>(want == 2 ? pCount : pSrc)) throw ArgError("udtl-native conv: too few parameters");
  return p;
}

}  // namespace

// conv(heap, params): runs one convolution (see enum P for the parameters); src/wei/dst are byte
// offsets of x/dx, filter/dfilter and y/dy, whichever the kind reads or writes.
napi_value Conv(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[2];
    const Params p = callParams(env, info, argv, 2);
    const Heap heap = heapArg(env, argv[0]);
    const auto plan = planFor(p);
    memory src(plan->src, cpu(), heap.floats(p[pSrc], elements(plan->src), "conv input"));
    memory dst(plan->dst, cpu(), heap.floats(p[pDst], elements(plan->dst), "conv output"));
    memory wei(plan->userWei, cpu(), heap.floats(p[pWei], elements(plan->userWei), "conv filter"));
    auto& s = stream();
    const memory& w = plan->reorderWeights ? plan->blockedWei : wei;
    if (plan->kind == kBackwardWeights) {
      plan->prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_DIFF_WEIGHTS, w}});
      if (plan->reorderWeights) plan->weiReorder.execute(s, {{DNNL_ARG_FROM, w}, {DNNL_ARG_TO, wei}});
    } else {
      if (plan->reorderWeights) plan->weiReorder.execute(s, {{DNNL_ARG_FROM, wei}, {DNNL_ARG_TO, w}});
      if (plan->kind == kForward) {
        std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
        if (p[pHasBias] != 0) {
          args[DNNL_ARG_BIAS] = memory(plan->bias, cpu(), heap.floats(p[pBias], elements(plan->bias), "conv bias"));
        }
        plan->prim.execute(s, args);
      } else {
        plan->prim.execute(s, {{DNNL_ARG_DIFF_DST, dst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, src}});
      }
    }
    s.wait();
    return nullptr;
  });
}

// convImpl(params): the name of the oneDNN implementation chosen for a geometry (tests, bench).
napi_value ConvImpl(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[1];
    const Params p = callParams(env, info, argv, 1);
    napi_value out;
    check(env, napi_create_string_utf8(env, planFor(p)->impl.c_str(), NAPI_AUTO_LENGTH, &out), "create_string");
    return out;
  });
}

}  // namespace udtl
