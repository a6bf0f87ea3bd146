// The ssnn_golden command line refuses bad inputs: a non-zero exit and one clear line on stderr,
// never a crash.  Runs that succeed are in test_cli_runs.cpp, ssnn_analysis in test_cli_analysis.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_fixture.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace fs = std::filesystem;
using namespace ssnn::test_support;
using ssnn::test_support::read_bytes;

TEST_F(Cli, ZeroOrNegativeTimesteps) {
  expect_error(tiny({"-T", "0"}), {"--timesteps", "0"});
  expect_error(tiny({"-T", "-5"}), {"--timesteps", "-5"});
  expect_error(tiny({"-T", "1000000"}), {"--timesteps"});
}

TEST_F(Cli, NegativeOrOversizedWidths) {
  expect_refused(tiny, {{"--weight-bits", "-3"}, {"--weight-bits", "40"}, {"--potential-bits", "31"}, {"--hidden", "-5"}});
  expect_refused(tiny, {{"--charge-bits", "-1"}, {"--charge-bits", "64"}, {"--hidden", "0"}, {"--hidden", "100000"}},
                 false);
}

TEST_F(Cli, UnreachableThresholds) {
  // Above the 24-bit potential register: the neuron could never fire.
  expect_error(tiny({"--potential-bits", "24", "--theta", "100000000"}), {"--theta", "100000000"});
  expect_error(tiny({"--potential-bits", "24", "--theta-out", "100000000"}), {"--theta-out"});
  expect_error(tiny({"--theta-grad", "0"}), {"--theta-grad"});
  // Fits a 30-bit register but exceeds what 784 maximal 16-bit weights can bring (784 * 32767).
  expect_error(tiny({"--weight-bits", "16", "--theta", "30000000", "--potential-bits", "30"}), {"--theta", "30000000"});
}

TEST_F(Cli, NegativeOrZeroCountsAndThreads) {
  // --threads 100000 crashed OpenMP before; unsigned options: CLI11 would wrap "-5" around to 2^64 - 5.
  expect_refused(tiny, {{"--epochs", "0"}, {"--epochs", "-1"}, {"--threads", "-2"}, {"--threads", "100000"},
                        {"--train-threads", "-2"}, {"--train-samples", "-5"}, {"--test-samples", "-5"},
                        {"--checkpoint-every", "-5"}});
  expect_refused(tiny, {{"--epochs", "100000000000"}, {"--stop-after", "-1"}, {"--seed", "-1"}}, false);
  expect_error({"eval", "--weights", path("w.ckpt"), "--threads", "-1"}, {"--threads"});
  expect_error({"eval", "--weights", path("w.ckpt"), "--test-samples", "-1"}, {"--test-samples"});
}

TEST_F(Cli, NonsenseModelValues) {
  expect_error(tiny({"--pulse", ""}), {"--pulse"});
  expect_error(tiny({"--pulse", "0"}), {"--pulse", "0"});
  expect_error(tiny({"--hidden", ""}), {"--hidden"});
  expect_error(tiny({"--noise-timesteps", "inf"}), {"--noise-timesteps"});
  expect_error(tiny({"--device-states", "1"}), {"--device-states"});
  expect_error(tiny({"--device-asymmetry", "-1"}), {"--device-asymmetry"});
  // T coincidences of the pulse overflow the 32-bit per-sample sum of this mode.
  expect_error(tiny({"--mode", "stochastic-sample", "-T", "100000", "--pulse", "30000"}),
               {"--pulse", "stochastic-sample"});
  // Fewer output neurons than the data set has classes.
  expect_error(tiny({"--classes", "5"}), {"--classes", "5"});
}

TEST_F(Cli, LargePulsesWithDeviceOptionsRun) {
  // pulse x layer ratio x device level x asymmetry exceeded 32 bits before pulses were clamped.
  const RunResult r = run(tiny({"--pulse", "8000", "--device-states", "3", "--device-asymmetry", "5",
                                "--layer-pulse-ratio", "1000,1000", "--weight-bits", "14", "--theta", "4000",
                                "--theta-out", "4000", "--theta-grad", "500", "--inhibition", "1000",
                                "--train-samples", "20", "--test-samples", "10"}));
  EXPECT_FALSE(r.signaled) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// --device and --device-param: one error line naming the option; a device run stopped and resumed
// from its checkpoint ends as the uninterrupted run (the device is in the checkpoint's
// configuration), and resuming under another device is refused.
TEST_F(Cli, DeviceOptions) {
  expect_error(tiny({"--device", "memristor"}), {"--device", "memristor", "rpu-spec"});
  expect_error(tiny({"--device-param", "read_noise=-1"}), {"--device-param read_noise", "-1"});
  expect_error(tiny({"--device-param", "noise=1"}), {"--device-param", "noise"});
  expect_error(tiny({"--device-param", "states"}), {"--device-param", "NAME=VALUE"});
  expect_error(tiny({"--device", "pcm", "--mode", "rate"}), {"--device pcm", "--mode stochastic"});
  expect_error(tiny({"--device", "rpu-spec", "--pulse-noise", "2"}), {"--pulse-noise", "dw_min_std"});
  expect_error(tiny({"--device", "rpu-spec", "--weight-bits", "8"}), {"--device rpu-spec", "1201 states", "8-bit"});
  const std::string straight = path("device_straight.ckpt");
  const std::vector<std::string> dev{"--device", "reram", "--device-param", "stuck_fraction=0.02", "--epochs", "2"};
  auto with = [&](const std::vector<std::string>& extra) { return tiny(concat(dev, extra)); };
  RunResult r = run(with({"--save-weights", straight}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string ckpt = path("device_run.ckpt");
  const std::string resumed = path("device_resumed.ckpt");
  r = run(with({"--checkpoint", ckpt, "--stop-after", "130"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(with({"--checkpoint", ckpt, "--resume", "--save-weights", resumed}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(ssnn::load_checkpoint(resumed).weights == ssnn::load_checkpoint(straight).weights);
  EXPECT_EQ(ssnn::load_checkpoint(resumed).config.device, "reram");
  EXPECT_EQ(ssnn::load_checkpoint(resumed).config.device_params.stuck_fraction, 0.02);
  r = run(with({"--checkpoint", ckpt, "--stop-after", "130"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_error(tiny({"--epochs", "2", "--checkpoint", ckpt, "--resume"}), {"--resume", ckpt, "configuration", "device"});
}

TEST_F(Cli, UnknownNames) {
  expect_error(tiny({"--dataset", "cifar"}), {"cifar"});
  expect_error(tiny({"--dataset", "emnist-foo"}), {"emnist-foo"});
  expect_error(tiny({"--dataset", "path:"}), {"path:"});
  expect_error(tiny({"--mode", "foo"}), {"--mode", "foo"});
  expect_error(tiny({"--input-profile", "zigzag"}), {"--input-profile", "zigzag"});
}

TEST_F(Cli, MissingFiles) {
  const std::string missing = path("no-such-dir");
  expect_error(tiny({"--dataset", "path:" + missing}), {missing});
  expect_error({"eval", "--weights", path("missing.ckpt"), "--no-progress"}, {path("missing.ckpt")});
  expect_error(tiny({"--resume"}), {"--resume"});
  // An explicit cache folder that does not exist, with a data set that needs it and without.
  expect_error(tiny({"--data-dir", missing}), {"--data-dir", missing});
  expect_error(tiny({"--dataset", "mnist", "--data-dir", missing}), {"--data-dir", missing});
  // A data set absent from an existing cache folder names the file it looked for.
  expect_error(tiny({"--dataset", "fashion", "--data-dir", dir_.string()}), {dir_.string(), "fashion-mnist"});
}

TEST_F(Cli, DataSetWithMoreClassesThanTheWeights) {
  // Weights of a 784-8-10 network, and a path: data set whose labels go up to 11.
  ssnn::ModelConfig cfg;
  cfg.hidden = {8};
  ssnn::GoldenModel model(cfg);
  ssnn::Checkpoint c;
  c.config = cfg;
  c.weights = model.weights();
  const std::string weights = path("w.ckpt");
  ssnn::save_checkpoint(weights, c);
  const fs::path data = dir_ / "data12";
  fs::create_directories(data);
  auto write_idx = [](const fs::path& p, uint32_t magic, std::vector<uint32_t> header, size_t payload, uint8_t fill) {
    header.insert(header.begin(), magic);
    std::string b;
    for (uint32_t v : header)
      for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<char>((v >> shift) & 0xFF));
    b.append(payload, static_cast<char>(fill));
    std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  write_idx(data / "t10k-images-idx3-ubyte", ssnn::kIdxImagesMagic, {3, 28, 28}, 3 * 784, 0);
  write_idx(data / "t10k-labels-idx1-ubyte", ssnn::kIdxLabelsMagic, {3}, 3, 11);
  expect_error({"eval", "--weights", weights, "--dataset", "path:" + data.string(), "--no-progress"},
               {"--dataset", "t10k-labels-idx1-ubyte", "label 11", "10 classes"});
}

TEST_F(Cli, TruncatedIdxFile) {
  // A copy of the subset whose training images are cut short, given as a path: data set.
  const fs::path src = fs::path(ssnn::repo_data_dir()) / "mnist-subset";
  const fs::path data = dir_ / "data";
  fs::create_directories(data);
  for (const auto& e : fs::directory_iterator(src))
    if (e.path().extension() == ".gz") fs::copy_file(e.path(), data / e.path().filename());
  // Raw (uncompressed) images cut in the middle of the pixel data, and no .gz beside them.
  const ssnn::Dataset full = ssnn::load_named_dataset("subset", "train");
  std::string raw;
  auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) raw.push_back(static_cast<char>((v >> s) & 0xFF));
  };
  be32(ssnn::kIdxImagesMagic);
  be32(static_cast<uint32_t>(full.size()));
  be32(full.rows);
  be32(full.cols);
  raw.append(reinterpret_cast<const char*>(full.pixels.data()), full.pixels.size() / 2);
  fs::remove(data / "train-images-idx3-ubyte.gz");
  const std::string images = (data / "train-images-idx3-ubyte").string();
  std::ofstream(images, std::ios::binary).write(raw.data(), static_cast<std::streamsize>(raw.size()));
  expect_error(tiny({"--dataset", "path:" + data.string()}), {images});

  // A gzip file cut short.
  const std::string gz = (data / "t10k-images-idx3-ubyte.gz").string();
  const std::string bytes = read_bytes(gz);
  std::ofstream(gz, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 3));
  fs::copy_file(src / "train-images-idx3-ubyte.gz", data / "train-images-idx3-ubyte.gz");
  fs::remove(images);
  // All test samples: with --test-samples N only the first N images are read, and those may all lie
  // before the cut.
  expect_error(tiny({"--dataset", "path:" + data.string(), "--test-samples", "0"}), {gz});
}

TEST_F(Cli, CorruptCheckpoint) {
  const std::string ckpt = path("bad.ckpt");
  std::ofstream(ckpt, std::ios::binary) << "SSNNCKPT and then garbage that is not a checkpoint";
  expect_error({"eval", "--weights", ckpt, "--no-progress"}, {ckpt});
}

TEST_F(Cli, ParseErrorsAreOneLine) {
  // Errors found by the option parser itself (CLI11): one line naming the option, with the help hint.
  expect_error({"train", "-T", "abc"}, {"--timesteps", "abc", "--help"});
  expect_error({"train", "--bogus"}, {"--bogus"});
  expect_error({"train", "-T", "5", "-T", "6"}, {"--timesteps"});
  expect_error({"eval"}, {"--weights"});
  expect_error({}, {"subcommand"});
  const RunResult help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("train"), std::string::npos) << help.out;
}
