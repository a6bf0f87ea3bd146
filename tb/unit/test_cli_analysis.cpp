// The update-agreement analysis of ssnn_analysis: bad inputs exit with 2 and one line on stderr; a
// run writes its JSON.
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
  expect_refused(with, {{"--samples", "-5"}, {"--samples", "abc"}, {"--samples", "99999999999"},
                        {"--tau-divisor", "0"}, {"--tau-divisor", "-3"}, {"--tau-divisor", "abc"},
                        {"--timesteps", "0"}, {"--input-profile", "zigzag"}});
  expect_refused(with, {{"--samples", "2.5"}, {"--tau-divisor", "nan"}}, false);
  expect_error(with({"-T", "1000000"}), {"--timesteps"});
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
  const nlohmann::json j = nlohmann::json::parse(read_bytes(out));
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
