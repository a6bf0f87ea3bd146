// The weights as every level stores and exchanges them.
#pragma once

#include <cstdint>
#include <vector>

namespace ssnn {

// A weight layer stored [pre][post]: row i is pre-neuron i's fan-out, contiguous, so a forward spike
// adds one row (the crossbar's forward read) and the update of one row is local.
struct WeightMatrix {
  int rows = 0;
  int cols = 0;
  std::vector<int32_t> values;

  WeightMatrix() = default;
  WeightMatrix(int r, int c) : rows(r), cols(c), values(static_cast<size_t>(r) * static_cast<size_t>(c), 0) {}
  int32_t* row(int i) { return values.data() + static_cast<size_t>(i) * static_cast<size_t>(cols); }
  const int32_t* row(int i) const { return values.data() + static_cast<size_t>(i) * static_cast<size_t>(cols); }
  int32_t& at(int i, int j) { return values[static_cast<size_t>(i) * static_cast<size_t>(cols) + static_cast<size_t>(j)]; }
  int32_t at(int i, int j) const { return values[static_cast<size_t>(i) * static_cast<size_t>(cols) + static_cast<size_t>(j)]; }
  friend bool operator==(const WeightMatrix& a, const WeightMatrix& b) {
    return a.rows == b.rows && a.cols == b.cols && a.values == b.values;
  }
};

}  // namespace ssnn
