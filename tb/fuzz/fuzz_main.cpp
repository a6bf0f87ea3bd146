// libFuzzer entry point of one target (SSNN_FUZZ_TARGET, set per executable in CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    SSNN_FUZZ_TARGET(data, size);
  } catch (const ssnn::fuzz::Violation& v) {
    std::fprintf(stderr, "contract violation: %s\n", v.what());
    std::abort();
  }
  return 0;
}
