// The ssnn_golden command line: bad inputs end with a non-zero exit and one clear line on stderr
// (never a crash), and a small run writes a report in the results format.  The same for the
// update-agreement analysis of ssnn_analysis (fixture AnalysisCli), whose bad inputs exit with 2.
// Why one file (627 lines): every test uses the process-running fixture below (one-line error, exit code, no signal); split it when the fixture moves into test_support.hpp.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/checkpoint.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"

namespace fs = std::filesystem;

namespace {

struct RunResult {
  bool signaled = false;
  int signal = 0;
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < err.size()) {
      const size_t nl = err.find('\n', start);
      lines.push_back(err.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return lines;
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("ssnn_cli_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the tool (build/bin/ssnn_golden unless a fixture chose another) with `args`, capturing
  // stdout and stderr.
  RunResult run(const std::vector<std::string>& args) const {
    const std::string bin = bin_;
    std::vector<std::string> all{bin};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // One thread per run: these tests check behaviour, not speed, and CTest runs tests in parallel.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
      if (std::string(*e).rfind("OMP_NUM_THREADS=", 0) != 0) env_strings.emplace_back(*e);
    env_strings.emplace_back("OMP_NUM_THREADS=1");
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string out_path = (dir_ / "stdout.txt").string();
    const std::string err_path = (dir_ / "stderr.txt").string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0) ::_exit(127);
      ::dup2(o, STDOUT_FILENO);
      ::dup2(e, STDERR_FILENO);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    RunResult r;
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return r;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    r.signaled = WIFSIGNALED(status);
    r.signal = r.signaled ? WTERMSIG(status) : 0;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    return r;
  }

  // Expects failure: exit code != 0 (== error_exit_ if set), no signal, exactly one line on stderr
  // containing every fragment.
  void expect_error(const std::vector<std::string>& args, const std::vector<std::string>& fragments) const {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    SCOPED_TRACE(bin_ + cmd);
    const RunResult r = run(args);
    EXPECT_FALSE(r.signaled) << "killed by signal " << r.signal << "; stderr: " << r.err;
    EXPECT_NE(r.exit_code, 0) << "succeeded; stdout: " << r.out;
    EXPECT_NE(r.exit_code, 127) << "could not execute " << bin_;
    if (error_exit_ != 0) {
      EXPECT_EQ(r.exit_code, error_exit_) << "stderr: " << r.err;
    }
    const std::vector<std::string> lines = r.err_lines();
    EXPECT_EQ(lines.size(), 1u) << "stderr:\n" << r.err;
    for (const auto& f : fragments) EXPECT_NE(r.err.find(f), std::string::npos) << "stderr lacks '" << f << "':\n" << r.err;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
  std::string bin_ = SSNN_GOLDEN_BIN;
  int error_exit_ = 0;  // the exit code every refused input must give (0: any non-zero)
};

// ssnn_analysis: every refused input exits with 2.
class AnalysisCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    bin_ = SSNN_ANALYSIS_BIN;
    error_exit_ = 2;
  }
};

// A tiny, fast training run; `extra` adds options or overrides the base ones (CLI11 refuses an
// option given twice).  The defaults may change: these runs only need to be quick.
std::vector<std::string> tiny(const std::vector<std::string>& extra = {}) {
  const std::vector<std::pair<std::string, std::string>> base{
      {"--hidden", "16"},        {"--timesteps", "6"},     {"--epochs", "1"},
      {"--train-samples", "200"}, {"--test-samples", "100"}, {"--threads", "1"}};
  std::vector<std::string> a{"train", "--no-progress"};
  for (const auto& [key, value] : base) {
    const bool overridden = std::find(extra.begin(), extra.end(), key) != extra.end() ||
                            (key == "--timesteps" && std::find(extra.begin(), extra.end(), "-T") != extra.end());
    if (!overridden) {
      a.push_back(key);
      a.push_back(value);
    }
  }
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// `head` followed by `tail`: a command line from a fixed part and a per-call part.
std::vector<std::string> concat(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

TEST_F(Cli, ZeroOrNegativeTimesteps) {
  expect_error(tiny({"-T", "0"}), {"--timesteps", "0"});
  expect_error(tiny({"-T", "-5"}), {"--timesteps", "-5"});
  expect_error(tiny({"-T", "1000000"}), {"--timesteps"});
}

TEST_F(Cli, NegativeOrOversizedWidths) {
  expect_error(tiny({"--weight-bits", "-3"}), {"--weight-bits", "-3"});
  expect_error(tiny({"--weight-bits", "40"}), {"--weight-bits", "40"});
  expect_error(tiny({"--potential-bits", "31"}), {"--potential-bits", "31"});
  expect_error(tiny({"--charge-bits", "-1"}), {"--charge-bits"});
  expect_error(tiny({"--charge-bits", "64"}), {"--charge-bits"});
  expect_error(tiny({"--hidden", "-5"}), {"--hidden", "-5"});
  expect_error(tiny({"--hidden", "0"}), {"--hidden"});
  expect_error(tiny({"--hidden", "100000"}), {"--hidden"});
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
  expect_error(tiny({"--epochs", "0"}), {"--epochs", "0"});
  expect_error(tiny({"--epochs", "-1"}), {"--epochs", "-1"});
  expect_error(tiny({"--epochs", "100000000000"}), {"--epochs"});
  // Unsigned options: CLI11 would wrap "-5" around to 2^64 - 5.
  expect_error(tiny({"--train-samples", "-5"}), {"--train-samples", "-5"});
  expect_error(tiny({"--test-samples", "-5"}), {"--test-samples", "-5"});
  expect_error(tiny({"--checkpoint-every", "-5"}), {"--checkpoint-every", "-5"});
  expect_error(tiny({"--stop-after", "-1"}), {"--stop-after"});
  expect_error(tiny({"--seed", "-1"}), {"--seed"});
  expect_error(tiny({"--threads", "-2"}), {"--threads", "-2"});
  expect_error(tiny({"--threads", "100000"}), {"--threads", "100000"});  // crashed OpenMP before
  expect_error(tiny({"--train-threads", "-2"}), {"--train-threads", "-2"});
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
  const std::string bytes = slurp(gz);
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

TEST_F(Cli, TinyRunWritesAReport) {
  const std::string report = path("report.json");
  const std::string weights = path("weights.ckpt");
  const RunResult r = run(tiny({"--seed", "3", "--report", report, "--save-weights", weights}));
  ASSERT_FALSE(r.signaled);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("test accuracy"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(slurp(report));
  for (const char* key : {"dataset", "level", "update_mode", "wta", "hidden", "timesteps", "epochs", "train_samples",
                          "test_samples", "test_accuracy", "seed", "command"})
    EXPECT_TRUE(j.contains(key)) << "report lacks " << key;
  EXPECT_EQ(j.at("dataset"), "subset");
  EXPECT_EQ(j.at("level"), "golden");
  EXPECT_TRUE(j.at("wta").is_boolean());
  EXPECT_EQ(j.at("hidden"), nlohmann::json::array({16}));
  EXPECT_EQ(j.at("timesteps"), 6);
  EXPECT_EQ(j.at("epochs"), 1);
  EXPECT_EQ(j.at("train_samples"), 200);
  EXPECT_EQ(j.at("test_samples"), 100);
  EXPECT_EQ(j.at("seed"), 3);
  const double acc = j.at("test_accuracy").get<double>();
  EXPECT_GE(acc, 0.0);
  EXPECT_LE(acc, 1.0);
  const std::string command = j.at("command").get<std::string>();
  EXPECT_NE(command.find("train"), std::string::npos) << command;
  EXPECT_NE(command.find("--seed 3"), std::string::npos) << command;
  EXPECT_GT(j.value("train_samples_per_s", 0.0), 0.0);

  // Inference from the saved weights scores the same test samples identically.
  const std::string eval_report = path("eval.json");
  const RunResult e = run({"eval", "--weights", weights, "--test-samples", "100", "--threads", "1", "--no-progress",
                           "--report", eval_report});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const nlohmann::json k = nlohmann::json::parse(slurp(eval_report));
  EXPECT_EQ(k.at("test_samples"), 100);
  EXPECT_DOUBLE_EQ(k.at("test_accuracy").get<double>(), acc);
  EXPECT_EQ(k.at("level"), "golden");
}

TEST_F(Cli, StopAndResumeMatchesAnUninterruptedRun) {
  const std::string straight = path("straight.ckpt");
  RunResult r = run(tiny({"--epochs", "2", "--save-weights", straight}));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string ckpt = path("run.ckpt");
  const std::string resumed = path("resumed.ckpt");
  r = run(tiny({"--epochs", "2", "--checkpoint", ckpt, "--stop-after", "130"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(ckpt));
  r = run(tiny({"--epochs", "2", "--checkpoint", ckpt, "--resume", "--save-weights", resumed}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("resumed"), std::string::npos) << r.err;
  EXPECT_TRUE(ssnn::load_checkpoint(resumed).weights == ssnn::load_checkpoint(straight).weights);

  // Resuming with different options is refused, with a non-zero exit and one line naming the
  // checkpoint and what differs; so is resuming over a different number of training samples.
  r = run(tiny({"--epochs", "2", "--checkpoint", ckpt, "--stop-after", "130"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_error(tiny({"--epochs", "2", "--checkpoint", ckpt, "--resume", "-T", "7"}),
               {"--resume", ckpt, "configuration", "timesteps"});
  expect_error(tiny({"--epochs", "2", "--checkpoint", ckpt, "--resume", "--train-samples", "100"}),
               {"--resume", ckpt, "--train-samples"});
  expect_error(tiny({"--epochs", "2", "--checkpoint", ckpt, "--resume", "--train-samples", "150"}),
               {"--resume", ckpt, "--train-samples"});
}

TEST_F(Cli, InitWeightsContinuesFromSavedWeightsUnderNewOptions) {
  const std::string first = path("first.ckpt");
  RunResult r = run(tiny({"--seed", "3", "--save-weights", first}));
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // A second stage from those weights with a new pulse and gradient threshold: deterministic, and it
  // really starts from the file (not from He initialisation, not left unchanged).
  const std::string second = path("second.ckpt");
  const std::string again = path("again.ckpt");
  const std::string fresh = path("fresh.ckpt");
  const std::string report = path("second.json");
  const std::vector<std::string> stage2{"--seed", "3", "--pulse", "2", "--theta-grad", "2048"};
  auto with = [&](const std::vector<std::string>& extra) { return tiny(concat(extra, stage2)); };
  r = run(with({"--init-weights", first, "--save-weights", second, "--report", report}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(with({"--init-weights", first, "--save-weights", again}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(with({"--save-weights", fresh}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto w1 = ssnn::load_checkpoint(first).weights;
  const auto w2 = ssnn::load_checkpoint(second).weights;
  EXPECT_TRUE(w2 == ssnn::load_checkpoint(again).weights);
  EXPECT_FALSE(w2 == w1);
  EXPECT_FALSE(w2 == ssnn::load_checkpoint(fresh).weights);
  EXPECT_EQ(nlohmann::json::parse(slurp(report)).at("init_weights"), first);

  // Files that do not fit this network are refused in one line naming the option and the file.
  expect_error(with({"--init-weights", first, "--hidden", "8"}), {"--init-weights", first, "784x16", "784x8"});
  expect_error(with({"--init-weights", first, "--weight-bits", "10"}), {"--init-weights", first, "--weight-bits"});
  expect_error(with({"--init-weights", path("missing.ckpt")}), {"--init-weights", "missing.ckpt"});
}

TEST_F(Cli, EpochWeightsAndTheirAverage) {
  const std::string dir = path("epochs");
  const std::string last = path("last.ckpt");
  RunResult r = run(tiny({"--seed", "5", "--epochs", "3", "--epoch-weights", dir, "--save-weights", last}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string e1 = dir + "/epoch-001.ckpt", e2 = dir + "/epoch-002.ckpt", e3 = dir + "/epoch-003.ckpt";
  // The last epoch's file holds the run's final weights; the epochs differ from one another.
  EXPECT_TRUE(ssnn::load_checkpoint(e3).weights == ssnn::load_checkpoint(last).weights);
  EXPECT_EQ(ssnn::load_checkpoint(e2).epoch, 2);
  EXPECT_FALSE(ssnn::load_checkpoint(e2).weights == ssnn::load_checkpoint(e3).weights);

  const std::string mean = path("mean.ckpt");
  r = run({"average", "--weights", e2, e3, "--out", mean});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const ssnn::Checkpoint m = ssnn::load_checkpoint(mean);
  const auto w2 = ssnn::load_checkpoint(e2).weights;
  const auto w3 = ssnn::load_checkpoint(e3).weights;
  for (size_t l = 0; l < m.weights.size(); ++l)
    for (size_t k = 0; k < m.weights[l].values.size(); ++k) {
      const int64_t s = int64_t{w2[l].values[k]} + w3[l].values[k];
      ASSERT_EQ(m.weights[l].values[k], static_cast<int32_t>(s >= 0 ? (s + 1) / 2 : -((-s + 1) / 2)));
    }
  EXPECT_EQ(m.history.at("averaged_from").size(), 2u);
  // The mean is a weights file like any other: eval reads it.
  r = run({"eval", "--weights", mean, "--test-samples", "50", "--threads", "1", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << r.err;

  const std::string other = path("other.ckpt");
  ASSERT_EQ(run(tiny({"--hidden", "8", "--save-weights", other})).exit_code, 0);
  expect_error({"average", "--weights", e2, other, "--out", path("bad.ckpt")}, {"--weights", other, "784x8"});
  expect_error({"average", "--weights", e2, path("missing.ckpt"), "--out", path("bad.ckpt")}, {"missing.ckpt"});
  expect_error({"average", "--weights", e2}, {"--out"});
  EXPECT_FALSE(fs::exists(path("bad.ckpt")));
  expect_error(tiny({"--epoch-weights", last + "/sub"}), {"--epoch-weights"});
}

TEST_F(Cli, EvalAtAnotherTimestepCount) {
  const std::string weights = path("w.ckpt");
  RunResult r = run(tiny({"--seed", "3", "--save-weights", weights}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string trained = path("trained.json");
  const std::string longer = path("longer.json");
  const std::vector<std::string> eval{"eval", "--weights", weights, "--test-samples", "100", "--threads", "1",
                                      "--no-progress"};
  auto with = [&](const std::vector<std::string>& extra) { return concat(eval, extra); };
  ASSERT_EQ(run(with({"--report", trained})).exit_code, 0);
  r = run(with({"-T", "24", "--tau-divisor", "20", "--report", longer}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json a = nlohmann::json::parse(slurp(trained));
  const nlohmann::json b = nlohmann::json::parse(slurp(longer));
  EXPECT_EQ(a.at("timesteps"), 6);
  EXPECT_EQ(b.at("timesteps"), 24);
  EXPECT_DOUBLE_EQ(b.at("config").at("tau_divisor").get<double>(), 20.0);
  // Four times the window moves the forward counters: the override really runs the longer window.
  EXPECT_NE(a.at("counters"), b.at("counters"));

  expect_error(with({"-T", "-3"}), {"--timesteps"});
  expect_error(with({"-T", "200000"}), {"--timesteps"});
  expect_error(with({"--tau-divisor", "-1"}), {"--tau-divisor"});

  // --seed redraws the inference streams: the trained seed repeats the default run exactly, another
  // seed moves the counters and the record keeps both seeds.
  const std::string same = path("same_seed.json");
  const std::string other = path("other_seed.json");
  ASSERT_EQ(run(with({"--seed", "3", "--report", same})).exit_code, 0);
  ASSERT_EQ(run(with({"--seed", "9", "--report", other})).exit_code, 0);
  const nlohmann::json s = nlohmann::json::parse(slurp(same));
  const nlohmann::json o = nlohmann::json::parse(slurp(other));
  EXPECT_EQ(s.at("counters"), a.at("counters"));
  EXPECT_EQ(s.at("confusion"), a.at("confusion"));
  EXPECT_FALSE(s.contains("weights_seed"));
  EXPECT_NE(o.at("counters"), a.at("counters"));
  EXPECT_EQ(o.at("seed"), 9);
  EXPECT_EQ(o.at("weights_seed"), 3);
  expect_error(with({"--seed", "-1"}), {"--seed"});
}

// ------------------------------------------------------------------ ssnn_analysis update-agreement

namespace {

// He-initialised weights of a 784-16-10 network, saved as a checkpoint.
std::string save_small_checkpoint(const std::string& file) {
  ssnn::ModelConfig cfg;
  cfg.hidden = {16};
  cfg.timesteps = 20;
  ssnn::GoldenModel model(cfg);
  ssnn::Checkpoint c;
  c.config = cfg;
  c.weights = model.weights();
  ssnn::save_checkpoint(file, c);
  return file;
}

}  // namespace

TEST_F(AnalysisCli, UpdateAgreementRefusesBadValues) {
  const std::string w = save_small_checkpoint(path("w.ckpt"));
  const std::vector<std::string> base{"update-agreement", "--weights", w, "--dataset", "subset"};
  auto with = [&](const std::vector<std::string>& extra) { return concat(base, extra); };
  expect_error(with({"--samples", "-5"}), {"--samples", "-5"});
  expect_error(with({"--samples", "abc"}), {"--samples", "abc"});
  expect_error(with({"--samples", "2.5"}), {"--samples"});
  expect_error(with({"--samples", "99999999999"}), {"--samples", "99999999999"});
  expect_error(with({"--tau-divisor", "0"}), {"--tau-divisor", "0"});
  expect_error(with({"--tau-divisor", "-3"}), {"--tau-divisor", "-3"});
  expect_error(with({"--tau-divisor", "nan"}), {"--tau-divisor"});
  expect_error(with({"--tau-divisor", "abc"}), {"--tau-divisor", "abc"});
  expect_error(with({"--timesteps", "0"}), {"--timesteps", "0"});
  expect_error(with({"-T", "1000000"}), {"--timesteps"});
  expect_error(with({"--input-profile", "zigzag"}), {"--input-profile", "zigzag"});
  expect_error({"update-agreement", "--weights", w, "--dataset", "cifar"}, {"cifar"});
  expect_error({"update-agreement", "--weights", path("missing.ckpt")}, {path("missing.ckpt")});
  expect_error({"update-agreement"}, {"--weights"});
}

TEST_F(AnalysisCli, UpdateAgreementWritesJson) {
  const std::string w = save_small_checkpoint(path("w.ckpt"));
  const std::string out = path("agreement.json");
  const RunResult r = run({"update-agreement", "--weights", w, "--dataset", "subset", "--samples", "40", "-T", "10",
                           "--tau-divisor", "5", "--input-profile", "flat", "--json", out});
  ASSERT_FALSE(r.signaled) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "") << "nothing but the file with --json";
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j.at("analysis"), "update-agreement");
  EXPECT_EQ(j.at("weights"), w);
  EXPECT_EQ(j.at("dataset"), "subset");
  EXPECT_EQ(j.at("samples"), 40);
  // The overrides replace the checkpoint's values; the rest is the checkpoint's.
  EXPECT_EQ(j.at("timesteps"), 10);
  EXPECT_DOUBLE_EQ(j.at("tau_divisor").get<double>(), 5.0);
  EXPECT_EQ(j.at("input_profile"), "flat");
  EXPECT_EQ(j.at("config").at("timesteps"), 10);
  EXPECT_EQ(j.at("config").at("input_profile"), "flat");
  EXPECT_EQ(j.at("config").at("hidden"), nlohmann::json::array({16}));
  EXPECT_NE(j.at("command").get<std::string>().find("update-agreement"), std::string::npos);
  ASSERT_EQ(j.at("layers").size(), 2u);
  for (size_t l = 0; l < 2; ++l) {
    const nlohmann::json& a = j.at("layers").at(l);
    for (const char* key : {"layer", "rows", "cols", "coincidences_pos", "coincidences_neg", "rate_pos", "rate_neg",
                            "ratio_pos", "ratio_neg", "mean_sample_cosine", "summed_cosine", "norm_ratio", "slope",
                            "samples"})
      EXPECT_TRUE(a.contains(key)) << "layer " << l << " lacks " << key;
    EXPECT_EQ(a.at("layer"), l);
  }
  EXPECT_EQ(j.at("layers").at(0).at("rows"), 784);
  EXPECT_EQ(j.at("layers").at(0).at("cols"), 16);
  EXPECT_EQ(j.at("layers").at(1).at("cols"), 10);

  // Without --json the same record goes to stdout.
  const RunResult s = run({"update-agreement", "--weights", w, "--samples", "40", "-T", "10", "--tau-divisor", "5",
                           "--input-profile", "flat"});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const nlohmann::json k = nlohmann::json::parse(s.out);
  EXPECT_EQ(k.at("layers"), j.at("layers"));
}

// The validation protocol on the command line (docs/theory.md, "Model selection").
TEST_F(Cli, ValidationSplitSelectsAndTestsOnce) {
  const std::string report = path("v.json"), weights = path("v.ckpt"), epochs = path("ep");
  const RunResult r = run(tiny({"--epochs", "2", "--validation", "100", "--select", "best-validation", "--epoch-weights",
                                epochs, "--report", report, "--save-weights", weights}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(slurp(report));
  EXPECT_EQ(j.at("validation").at("samples"), 100);
  EXPECT_EQ(j.at("validation").at("first_index"), 1900);  // the shipped subset's training file holds 2,000
  EXPECT_EQ(j.at("selection").at("rule"), "best-validation");
  for (const auto& e : j.at("history")) {
    EXPECT_TRUE(e.contains("validation_accuracy"));
    EXPECT_FALSE(e.contains("test_accuracy")) << "the test set was scored during training";
  }
  const int chosen = j.at("selection").at("epoch");
  EXPECT_EQ(j.at("validation_accuracy"), j.at("history").at(chosen - 1).at("validation_accuracy"));
  // The saved weights are the chosen epoch's, and score the same validation accuracy through eval.
  const std::string eval_report = path("e.json");
  const RunResult e = run({"eval", "--weights", weights, "--validation", "100", "--threads", "1", "--no-progress",
                           "--report", eval_report});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const nlohmann::json k = nlohmann::json::parse(slurp(eval_report));
  EXPECT_EQ(k.at("split"), "validation");
  EXPECT_EQ(k.at("validation_accuracy"), j.at("validation_accuracy"));
  EXPECT_FALSE(k.contains("test_accuracy"));
  // More validation images than the weights held out: some were trained on.
  expect_error({"eval", "--weights", weights, "--validation", "101"}, {"--validation", "held out only the last 100"});
}

TEST_F(Cli, ValidationOptionsThatCannotWork) {
  expect_error(tiny({"--select", "best-validation"}), {"--select", "--validation"});
  expect_error(tiny({"--validation", "50", "--select", "best-validation"}), {"--select", "--epoch-weights"});
  expect_error(tiny({"--validation", "2000"}), {"--validation", "2000"});
  expect_error(tiny({"--validation", "1900", "--train-samples", "200"}), {"--train-samples", "200"});
  expect_error(tiny({"--validation", "-3"}), {"--validation"});
  // Weights trained on the whole training file have no held-out images to score.
  const std::string weights = path("all.ckpt");
  ASSERT_EQ(run(tiny({"--save-weights", weights})).exit_code, 0);
  expect_error({"eval", "--weights", weights, "--validation", "100"}, {"--validation", "records no held-out"});
}
