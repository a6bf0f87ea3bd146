// Checkpoints and weight files: config + weights + training position, written atomically.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"
#include "ssnn/network.hpp"

namespace ssnn {

// A checkpoint that cannot be used: the message is one line naming the file.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Checkpoint {
  ModelConfig config;
  int epoch = 0;              // the epoch in progress (0-based)
  uint64_t position = 0;      // samples of that epoch already trained
  std::vector<WeightMatrix> weights;
  nlohmann::json history = nlohmann::json::array();  // per-epoch records so far
};

// Format (little-endian): "SSNNCKPT" | u32 version | u64 n + config JSON | u32 epoch | u64 position |
// u32 layers | per layer u32 rows, u32 cols, rows*cols i32 | u64 n + history JSON | u32 CRC-32 of all
// preceding bytes.  Written to <path>.tmp, fsync'd and renamed, so a crash leaves the old file intact.
void save_checkpoint(const std::string& path, const Checkpoint& ckpt);

// Reads and fully validates (sizes against the file length before any allocation, CRC, config) a
// checkpoint; nothing is returned unless all of it is sound.
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

// Writes bytes to path atomically (temporary file, fsync, rename, fsync of the directory).
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace ssnn
