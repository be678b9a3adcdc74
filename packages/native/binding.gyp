{
  "targets": [
    {
      "target_name": "udtl_native",
      "sources": ["addon/addon.cc", "addon/gemm.cc", "addon/conv.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
