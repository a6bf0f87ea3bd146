// Writes the RTL's copies of the contract's constants (ssnn/contract/widths.hpp, shipped_widths.hpp, seeding.hpp):
// the SystemVerilog package rtl/ssnn_pkg.sv and the Verilator parameters rtl/cmake/SsnnWidths.cmake.
//
//   gen_rtl_constants PKG_SV WIDTHS_CMAKE           rewrite both files
//   gen_rtl_constants --check PKG_SV WIDTHS_CMAKE   exit 1, naming the file, when one differs
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "ssnn/contract/seeding.hpp"
#include "ssnn/contract/shipped_widths.hpp"
#include "ssnn/contract/widths.hpp"

namespace {

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "32'h%08X", v);
  return buf;
}

std::string hex64(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "64'h%016llX", static_cast<unsigned long long>(v));
  return buf;
}

// The chip's default widths, each under its SystemVerilog parameter and its CMake variable.
struct ChipWidth {
  const char* param;
  const char* cmake;
  int value;
};
constexpr ChipWidth kChipWidths[] = {
    {"WeightBits", "SSNN_WEIGHT_BITS", ssnn::kWeightBits},          {"ChargeBits", "SSNN_CHARGE_BITS", ssnn::kChargeBits},
    {"PotentialBits", "SSNN_POTENTIAL_BITS", ssnn::kPotentialBits}, {"InputBits", "SSNN_INPUT_BITS", ssnn::kInputBits},
    {"NoiseBits", "SSNN_NOISE_BITS", ssnn::kNoiseBits},             {"NumOutputs", "SSNN_NUM_OUTPUTS", ssnn::kNumOutputs},
};

std::string package() {
  std::ostringstream s;
  s << "// Constants shared by the SSNN-BP RTL units: fixed-point formats, the random-source rules and the\n"
       "// chip's default widths.\n"
       "//\n"
       "// GENERATED from sw/include/ssnn/contract/widths.hpp by rtl/gen/gen_rtl_constants.cpp: do not edit;\n"
       "// change the contract and run `cmake --build build --target rtl_constants` (the test\n"
       "// rtl_constants_in_sync fails while this file and the contract differ).\n"
       "//\n"
       "// Referenced by qualified name only (ssnn_pkg::Name): yosys 0.23 rejects `import`.\n"
       "package ssnn_pkg;\n"
       "\n"
       "  // Not every unit uses every constant.\n"
       "  /* verilator lint_off UNUSEDPARAM */\n"
       "\n"
       "  // Probabilities are unsigned Q0.16 (kProbBits): 2^16 means certainty, so a port holding a\n"
       "  // probability is ProbBits + 1 bits wide.\n"
    << "  parameter int ProbBits = " << ssnn::kProbBits << ";\n"
    << "\n"
       "  // Fraction bits of the synaptic filter's transfer coefficient beta (kBetaBits); beta <= 2^16.\n"
    << "  parameter int BetaBits = " << ssnn::kBetaBits << ";\n"
    << "\n"
       "  // xorshift32 state width and the state a zero seed loads (kLfsrBits, kLfsrZeroSeed).\n"
    << "  parameter int LfsrBits = " << ssnn::kLfsrBits << ";\n"
    << "  parameter logic [LfsrBits-1:0] LfsrZeroSeed = " << hex32(ssnn::kLfsrZeroSeed) << ";\n"
    << "\n"
       "  // Pulse-noise words are 32 bits; pulse_variation() uses bits [31:NoiseShift].\n"
    << "  parameter int NoiseWordBits = " << ssnn::kNoiseWordBits << ";\n"
    << "  parameter int NoiseShift = " << ssnn::kNoiseShift << ";\n"
    << "\n"
       "  // Random-stream identifiers of a sample (ssnn::stream, seeding.hpp): the label encoder, the\n"
       "  // dropout masks (+ layer) and the device pulse noise (+ weight layer).\n"
    << "  parameter logic [63:0] StreamLabel = " << hex64(ssnn::stream::kLabel) << ";\n"
    << "  parameter logic [63:0] StreamDropoutBase = " << hex64(ssnn::stream::kDropoutBase) << ";\n"
    << "  parameter logic [63:0] StreamDeviceBase = " << hex64(ssnn::stream::kDeviceBase) << ";\n"
    << "\n"
       "  // The chip's default widths: the units' parameter defaults (ModelConfig's defaults).\n";
  for (const ChipWidth& w : kChipWidths) s << "  parameter int " << w.param << " = " << w.value << ";\n";
  s << "\n"
       "  /* verilator lint_on UNUSEDPARAM */\n"
       "\n"
       "endpackage\n";
  return s.str();
}

std::string widths_cmake() {
  std::ostringstream s;
  s << "# The chip's default widths (and the shipped models') for Verilator parameters (-G), used by\n"
       "# rtl/CMakeLists.txt.\n"
       "# GENERATED from sw/include/ssnn/contract/widths.hpp and shipped_widths.hpp by\n"
       "# rtl/gen/gen_rtl_constants.cpp: do not edit; run `cmake --build build --target rtl_constants`\n"
       "# (test rtl_constants_in_sync).\n";
  for (const ChipWidth& w : kChipWidths) s << "set(" << w.cmake << " " << w.value << ")\n";
  s << "# The shipped models' widths (models/*.ckpt).\n"
    << "set(SSNN_SHIPPED_WEIGHT_BITS " << ssnn::kShippedWeightBits << ")\n"
    << "set(SSNN_SHIPPED_CHARGE_BITS " << ssnn::kShippedChargeBits << ")\n"
    << "set(SSNN_SHIPPED_POTENTIAL_BITS " << ssnn::kShippedPotentialBits << ")\n";
  return s.str();
}

bool write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  return static_cast<bool>(f.flush());
}

bool same(const std::string& path, const std::string& text) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  const std::string have((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return have == text;
}

}  // namespace

int main(int argc, char** argv) {
  const bool check = argc == 4 && std::string(argv[1]) == "--check";
  if (!(argc == 3 || check)) {
    std::fprintf(stderr, "usage: gen_rtl_constants [--check] PKG_SV WIDTHS_CMAKE\n");
    return 2;
  }
  const std::string pkg_path = argv[check ? 2 : 1], cmake_path = argv[check ? 3 : 2];
  const std::pair<std::string, std::string> files[] = {{pkg_path, package()}, {cmake_path, widths_cmake()}};
  int status = 0;
  for (const auto& [path, text] : files) {
    if (check) {
      if (!same(path, text)) {
        std::fprintf(stderr, "gen_rtl_constants: %s differs from sw/include/ssnn/contract/widths.hpp "
                             "(run: cmake --build build --target rtl_constants)\n", path.c_str());
        status = 1;
      }
    } else if (!write(path, text)) {
      std::fprintf(stderr, "gen_rtl_constants: cannot write %s\n", path.c_str());
      status = 2;
    }
  }
  return status;
}
