// Fuzz target bodies, shared by the libFuzzer executables (tb/fuzz/fuzz_*.cpp, built with
// -DSSNN_FUZZ=ON and clang) and the regression replay in the unit tests
// (tb/unit/test_fuzz_regressions.cpp, every build).
//
// Each body feeds one input to a parser of outside data and checks its contract: the input is either
// accepted and then self-consistent, or refused with the parser's own exception type and a one-line
// message naming the file.  A broken contract throws Violation; memory and undefined-behaviour
// errors are left to the sanitizers.  Any other exception escapes (a finding as well).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ssnn::fuzz {

class Violation : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// IDX image files, raw or gzip: read_idx_images (plain, transposed, first image only), read_file_bytes,
// and for raw inputs the same bytes gzip-compressed must give the same outcome.
void idx_images(const uint8_t* data, size_t size);
// IDX label files, raw or gzip, the same way (read_idx_labels).
void idx_labels(const uint8_t* data, size_t size);
// Checkpoint and weight files (load_checkpoint), as given and with the trailing CRC-32 recomputed so
// mutations reach the structure behind it; an accepted file must round-trip through save_checkpoint
// and resuming from it must either work or be refused with a CheckpointError.
void checkpoint(const uint8_t* data, size_t size);
// The JSON model configuration (from_json + validate, the form checkpoints carry); an accepted
// configuration must round-trip, give sane derived quantities and, when small, train one sample.
void config(const uint8_t* data, size_t size);

// Command-line option parsing of the model and data options every program shares (cli_options.hpp:
// check_option_values, CLI11 with the project's validators, finish_model_options, ModelConfig::validate):
// the input is the argument words, one per line.  Refused: a CLI11 ParseError or a ConfigError, one
// line; accepted: a configuration that validates and round-trips through JSON.
void options(const uint8_t* data, size_t size);

// The targets by name, for the replay test and the fuzz script.
struct Target {
  const char* name;  // the folder name under tb/fuzz/corpus and tb/fuzz/regressions
  void (*run)(const uint8_t*, size_t);
};
const std::vector<Target>& targets();

}  // namespace ssnn::fuzz
