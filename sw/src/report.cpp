// Result records and their files.
#include "ssnn/report.hpp"

#include <fstream>
#include <thread>

#include "ssnn/checkpoint.hpp"

namespace ssnn {

nlohmann::json result_record(const ResultFields& f) {
  nlohmann::json r = f;
  r["machine"] = machine_info();
  return r;
}

nlohmann::json result_record(const ModelConfig& cfg, const std::string& dataset, const std::string& level, int epochs,
                             size_t train_samples, size_t test_samples, double test_accuracy,
                             const std::string& command) {
  nlohmann::json r = result_record(ResultFields{dataset, level, to_string(cfg.update_mode), cfg.wta, cfg.hidden,
                                                cfg.timesteps, epochs, train_samples, test_samples, test_accuracy,
                                                cfg.seed, command});
  r["config"] = cfg;
  r["device"] = cfg.device;  // the device preset (its parameters are in config when not ideal)
  return r;
}

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (i == 0) {
      const size_t slash = a.rfind('/');
      if (slash != std::string::npos && a.find("bin/") != std::string::npos) a = "build/bin/" + a.substr(slash + 1);
    }
    const bool quote = a.empty() || a.find_first_of(" \t\"'$") != std::string::npos;
    if (!out.empty()) out += ' ';
    out += quote ? "'" + a + "'" : a;
  }
  return out;
}

// Paths and the command line may not be UTF-8 (a file name is any bytes): such bytes become U+FFFD
// rather than an exception after the run.
void write_json(const std::string& path, const nlohmann::json& j) {
  write_file_atomically(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

nlohmann::json machine_info() {
  std::string cpu = "unknown";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) cpu = line.substr(colon + 2);
      break;
    }
  }
  return nlohmann::json{{"cpu", cpu}, {"cores", std::thread::hardware_concurrency()}, {"compiler", __VERSION__}};
}

}  // namespace ssnn
