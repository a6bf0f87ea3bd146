// Helpers of the Verilator C++ unit tests: a clocked wrapper with asynchronous reset, port packing
// and sign extension, and a small deterministic random source for stimuli.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>
#include <verilated.h>

#include "ssnn/contract/fixed_point.hpp"
#include "ssnn_rtl/bits.hpp"
#include "ssnn_rtl/clock.hpp"
#include "ssnn_rtl/lockstep.hpp"

namespace ssnn::rtl::test {

using rtl::bits_of;
using rtl::get_field;
using rtl::get_signed;
using rtl::set_field;
using rtl::sext;

// A verilated unit with clk_i and rst_ni, in its own single-threaded context.
template <class Model>
class Sim {
 public:
  Sim() : ctx_(std::make_unique<VerilatedContext>()) {
    ctx_->threads(1);
    ctx_->fatalOnError(true);
    top_ = std::make_unique<Model>(ctx_.get(), "dut");
    top_->clk_i = 1;
    top_->rst_ni = 1;
    top_->eval();
    async_reset();
  }
  ~Sim() { top_->final(); }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  Model& top() { return *top_; }
  Model* operator->() { return top_.get(); }

  // Combinational settle after changing inputs (no clock edge): clk_i stays high between edges.
  void settle() { top_->eval(); }

  // One rising edge: every registered output shows the inputs' effect afterwards.
  void tick() {
    rising_edge(*top_);
    ++cycles_;
  }

  // Asynchronous reset pulse between clock edges.
  void async_reset() {
    top_->rst_ni = 0;
    top_->eval();
    top_->rst_ni = 1;
    top_->eval();
  }

  uint64_t cycles() const { return cycles_; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Model> top_;
  uint64_t cycles_ = 0;
};

// Register widths of a neuron test's parameter set (as verilated in rtl/CMakeLists.txt) and the
// largest values they hold: the step input, the potential, the charge.
template <int Charge, int Potential, int Input>
struct NeuronWidths {
  static constexpr int kCharge = Charge, kPotential = Potential, kInput = Input;
  static constexpr int64_t kMaxIn = ssnn::signed_max(Input);
  static constexpr int64_t kMaxPot = ssnn::signed_max(Potential);
  static constexpr int64_t kMaxCharge = ssnn::signed_max(Charge);
};

// Deterministic stimulus source.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t u64() { return gen_(); }
  uint32_t u32() { return static_cast<uint32_t>(gen_() >> 32); }
  // Uniform integer in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(gen_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(gen_) < p; }
  template <class T, size_t N>
  T pick(const T (&values)[N]) {
    return values[gen_() % N];
  }

 private:
  std::mt19937_64 gen_;
};

// A random run against the reference: the cycles it ran, the corners it hit, its first mismatch.
template <class Coverage>
struct RunResult {
  uint64_t cycles = 0;
  Coverage cov;
  std::optional<Mismatch> mismatch;
};

// One corner a random run must hit: its name in the print-out, how often it was hit, and the count
// it must exceed (0: only reported).
struct Corner {
  const char* name;
  uint64_t count;
  uint64_t more_than = 0;
};

// The end of a random run: no mismatch, at least `min_cycles` cycles, every corner hit more often
// than it must be; prints one line "<what>: N cycles, <corner> <count>, ...".
template <class Coverage>
void expect_corners(const RunResult<Coverage>& r, const char* what, uint64_t min_cycles,
                    std::initializer_list<Corner> corners) {
  ASSERT_FALSE(r.mismatch.has_value()) << r.mismatch->message();
  EXPECT_GE(r.cycles, min_cycles);
  std::string line = std::string(what) + ": " + std::to_string(r.cycles) + " cycles";
  for (const Corner& c : corners) {
    if (c.more_than > 0) {
      EXPECT_GT(c.count, c.more_than) << what << ": " << c.name;
    }
    line += ", " + std::string(c.name) + " " + std::to_string(c.count);
  }
  std::printf("%s\n", line.c_str());
}

// The end of a run against a reference perturbed on purpose: the checker must have stopped it, and
// its message must name `expected` (the unit, index or signal the perturbation shows in); prints it.
template <class Coverage>
void expect_caught(const RunResult<Coverage>& r, const std::string& expected) {
  ASSERT_TRUE(r.mismatch.has_value()) << "the perturbed reference went unnoticed";
  const std::string msg = r.mismatch->message();
  EXPECT_NE(msg.find(expected), std::string::npos) << msg;
  std::printf("expected failure found: %s\n", msg.c_str());
}

}  // namespace ssnn::rtl::test
