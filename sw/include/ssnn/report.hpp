// Result records in the project's results format (docs/results.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"

namespace ssnn {

// The fields every result record carries, in the results format (docs/results.md): dataset, level,
// update_mode, wta, hidden, timesteps, epochs, train_samples, test_samples, test_accuracy, seed,
// command, machine.  For records of any model (the ANN baseline uses level "ann", update_mode
// "backprop", wta "softmax" or false, timesteps 0).
struct ResultFields {
  std::string dataset;
  std::string level;
  std::string update_mode;
  nlohmann::json wta = false;
  std::vector<int> hidden;
  int timesteps = 0;
  int epochs = 0;
  size_t train_samples = 0;
  size_t test_samples = 0;
  double test_accuracy = 0;
  uint64_t seed = 0;
  std::string command;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ResultFields, dataset, level, update_mode, wta, hidden, timesteps, epochs,
                                   train_samples, test_samples, test_accuracy, seed, command)
// The fields, one key per member, and the machine the run was made on (machine_info()).
nlohmann::json result_record(const ResultFields& f);

// The record of an SSNN-BP model (golden, chip, rtl): the fields above from `cfg`, plus the full config.
nlohmann::json result_record(const ModelConfig& cfg, const std::string& dataset, const std::string& level, int epochs,
                             size_t train_samples, size_t test_samples, double test_accuracy,
                             const std::string& command);

// The command line as typed (arguments quoted where needed).
std::string command_line(int argc, char** argv);

// Pretty-printed JSON, written atomically.
void write_json(const std::string& path, const nlohmann::json& j);

// Machine description for reports: CPU model, cores, compiler.
nlohmann::json machine_info();

}  // namespace ssnn
