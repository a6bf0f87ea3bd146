// Result records in the project's results format (docs/results.md).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"

namespace ssnn {

// The fields every result record carries: dataset, level, update_mode, wta, hidden, timesteps,
// epochs, train_samples, test_samples, test_accuracy, seed, command (plus the full config).
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
