{
  # IMP Lab native CPU kernels: OpenBLAS sgemm plus threaded elementwise/reduction loops that
  # the `native` tfjs backend (src/imp/backend/native) calls on its Float32Arrays without copies.
  # Needs Debian libopenblas-dev (cblas.h under /usr/include/<triplet>/, libopenblas.so).
  "targets": [
    {
      "target_name": "imp_native",
      "sources": ["src/imp_native.cc", "src/pool.cc", "src/kernels.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/x86_64-linux-gnu",
        "/usr/include/aarch64-linux-gnu",
        "/usr/include/openblas"
      ],
      "libraries": ["-lopenblas", "-lpthread"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
