// Runs of the ssnn_golden command line that succeed: a small run writes a report in the results
// format, stop and resume, initial and per-epoch weights, evaluation at another timestep count,
// the validation split.
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

TEST_F(Cli, TinyRunWritesAReport) {
  const std::string report = path("report.json");
  const std::string weights = path("weights.ckpt");
  const RunResult r = run(tiny({"--seed", "3", "--report", report, "--save-weights", weights}));
  ASSERT_FALSE(r.signaled);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("test accuracy"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_bytes(report));
  for (const char* key : {"dataset", "level", "update_mode", "wta", "hidden", "timesteps", "epochs", "train_samples",
                          "test_samples", "test_accuracy", "seed", "command"})
    EXPECT_TRUE(j.contains(key)) << "report lacks " << key;
  EXPECT_TRUE(j.at("wta").is_boolean());
  expect_record_fields(j, {{"dataset", "subset"}, {"level", "golden"}, {"hidden", nlohmann::json::array({16})},
                           {"timesteps", 6}, {"epochs", 1}, {"train_samples", 200}, {"test_samples", 100},
                           {"seed", 3}});
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
  const nlohmann::json k = nlohmann::json::parse(read_bytes(eval_report));
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
  const std::string first = tiny_weights("first.ckpt", {"--seed", "3"});

  // A second stage from those weights with a new pulse and gradient threshold: deterministic, and it
  // really starts from the file (not from He initialisation, not left unchanged).
  const std::string second = path("second.ckpt");
  const std::string again = path("again.ckpt");
  const std::string fresh = path("fresh.ckpt");
  const std::string report = path("second.json");
  const std::vector<std::string> stage2{"--seed", "3", "--pulse", "2", "--theta-grad", "2048"};
  auto with = [&](const std::vector<std::string>& extra) { return tiny(concat(extra, stage2)); };
  RunResult r = run(with({"--init-weights", first, "--save-weights", second, "--report", report}));
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
  EXPECT_EQ(nlohmann::json::parse(read_bytes(report)).at("init_weights"), first);

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
  const std::string weights = tiny_weights("w.ckpt", {"--seed", "3"});
  const std::string trained = path("trained.json");
  const std::string longer = path("longer.json");
  const std::vector<std::string> eval{"eval", "--weights", weights, "--test-samples", "100", "--threads", "1",
                                      "--no-progress"};
  auto with = [&](const std::vector<std::string>& extra) { return concat(eval, extra); };
  ASSERT_EQ(run(with({"--report", trained})).exit_code, 0);
  const RunResult r = run(with({"-T", "24", "--tau-divisor", "20", "--report", longer}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json a = nlohmann::json::parse(read_bytes(trained));
  const nlohmann::json b = nlohmann::json::parse(read_bytes(longer));
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
  const nlohmann::json s = nlohmann::json::parse(read_bytes(same));
  const nlohmann::json o = nlohmann::json::parse(read_bytes(other));
  EXPECT_EQ(s.at("counters"), a.at("counters"));
  EXPECT_EQ(s.at("confusion"), a.at("confusion"));
  EXPECT_FALSE(s.contains("weights_seed"));
  EXPECT_NE(o.at("counters"), a.at("counters"));
  EXPECT_EQ(o.at("seed"), 9);
  EXPECT_EQ(o.at("weights_seed"), 3);
  expect_error(with({"--seed", "-1"}), {"--seed"});
}

TEST_F(Cli, ValidationSplitSelectsAndTestsOnce) {
  const std::string report = path("v.json"), weights = path("v.ckpt"), epochs = path("ep");
  const RunResult r = run(tiny({"--epochs", "2", "--validation", "100", "--select", "best-validation", "--epoch-weights",
                                epochs, "--report", report, "--save-weights", weights}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(read_bytes(report));
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
  const nlohmann::json k = nlohmann::json::parse(read_bytes(eval_report));
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
  const std::string weights = tiny_weights("all.ckpt");
  expect_error({"eval", "--weights", weights, "--validation", "100"}, {"--validation", "records no held-out"});
}
