// Checkpoints and weight files: config + weights + training position, written atomically.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"
#include "ssnn/network.hpp"
#include "ssnn/output_path.hpp"  // write_file_atomically

namespace ssnn {

// A checkpoint that cannot be used: the message is one line naming the file.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The largest checkpoint or weights file read: 512 MiB, 134 million weights (twice the network-size
// limit of run_limits.hpp).  Checked against the file's size before anything is read; reading one
// holds the file and its weights, so at most about 1 GiB.
inline constexpr uint64_t kMaxCheckpointBytes = uint64_t{1} << 29;

struct Checkpoint {
  ModelConfig config;
  int epoch = 0;              // the epoch in progress (0-based)
  uint64_t position = 0;      // samples of that epoch already trained
  std::vector<WeightMatrix> weights;
  nlohmann::json history = nlohmann::json::array();  // per-epoch records so far
};

// Format (little-endian): "SSNNCKPT" | u32 version | u64 n + config JSON | u32 epoch | u64 position |
// u32 layers | per layer u32 rows, u32 cols, rows*cols i32 | u64 n + history JSON | u32 CRC-32 of all
// preceding bytes.  Written atomically (write_file_atomically), so a crash leaves the old file intact.
void save_checkpoint(const std::string& path, const Checkpoint& ckpt);

// Reads and fully validates (a regular file of at most kMaxCheckpointBytes, sizes against the file
// length before any allocation, CRC, JSON nesting, config) a checkpoint; nothing is returned unless
// all of it is sound.
Checkpoint load_checkpoint(const std::string& path);

// The weights of a checkpoint or weights file as the starting point of a new training run under
// `cfg` (a fine-tuning schedule, say): the file must hold one matrix per weight layer of cfg's shape
// with every value inside cfg's weight bounds.  Errors are one line naming the option and the file.
std::vector<WeightMatrix> initial_weights_from(const std::string& path, const ModelConfig& cfg);

// The element-wise mean of several trained weight sets (Polyak averaging of a run's epoch-end weights,
// or of runs): every file must hold the same layer shapes and weight range as the first; each mean is
// rounded to the nearest LSB (halves away from zero), so it stays inside that range.  Errors are one
// line naming the option and the file.
std::vector<WeightMatrix> average_weights(const std::vector<Checkpoint>& ckpts, const std::vector<std::string>& paths);

}  // namespace ssnn
