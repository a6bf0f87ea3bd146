// The validation split and model selection (docs/theory.md, "Model selection"): which images are
// held out, that they are never trained on, that they have their own streams, and the selection rules.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"
#include "ssnn/data_split.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"
#include "test_support.hpp"

using namespace ssnn;

namespace {

// n images of 2x2 pixels; image i is filled with the value i and labelled i % 3.
Dataset numbered(size_t n) {
  Dataset d;
  d.name = "numbered/train";
  d.rows = d.cols = 2;
  d.num_classes = 3;
  for (size_t i = 0; i < n; ++i) {
    d.pixels.insert(d.pixels.end(), 4, static_cast<uint8_t>(i));
    d.labels.push_back(static_cast<uint8_t>(i % 3));
  }
  return d;
}

nlohmann::json epochs_with(const std::vector<double>& validation) {
  nlohmann::json e = nlohmann::json::array();
  for (size_t i = 0; i < validation.size(); ++i) e.push_back({{"epoch", i + 1}, {"validation_accuracy", validation[i]}});
  return e;
}

}  // namespace

TEST(ValidationSplit, HoldsOutTheLastImagesOfTheFile) {
  const TrainingSplit s = split_training_file(numbered(10), 0, 3);
  ASSERT_EQ(s.train.size(), 7u);
  ASSERT_EQ(s.validation.size(), 3u);
  EXPECT_EQ(s.validation_first, 7u);
  EXPECT_EQ(s.file_images, 10u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(s.train.image(i)[0], i);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.validation.image(i)[3], 7 + i);
    EXPECT_EQ(s.validation.label(i), (7 + i) % 3);
  }
  EXPECT_EQ(s.validation.name, "numbered/validation");
  const nlohmann::json j = validation_json(s);
  EXPECT_EQ(j.at("samples"), 3);
  EXPECT_EQ(j.at("first_index"), 7);
  EXPECT_EQ(j.at("class_counts"), nlohmann::json::array({1, 1, 1}));
}

TEST(ValidationSplit, TrainSamplesComeFromWhatRemains) {
  const TrainingSplit s = split_training_file(numbered(10), 4, 3);
  ASSERT_EQ(s.train.size(), 4u);
  EXPECT_EQ(s.validation.image(0)[0], 7);  // still the file's last three, whatever --train-samples says
  std::set<int> trained, held;
  for (size_t i = 0; i < s.train.size(); ++i) trained.insert(s.train.image(i)[0]);
  for (size_t i = 0; i < s.validation.size(); ++i) held.insert(s.validation.image(i)[0]);
  for (int v : held) EXPECT_EQ(trained.count(v), 0u) << "image " << v << " is both trained on and held out";
}

TEST(ValidationSplit, WithoutValidationNothingChanges) {
  const TrainingSplit s = split_training_file(numbered(10), 6, 0);
  EXPECT_EQ(s.train.size(), 6u);
  EXPECT_EQ(s.validation.size(), 0u);
  EXPECT_TRUE(validation_json(s).is_null());
}

TEST(ValidationSplit, NumbersThatDoNotFitAreRefused) {
  EXPECT_THROW(split_training_file(numbered(10), 0, 10), ConfigError);
  EXPECT_THROW(split_training_file(numbered(10), 0, 11), ConfigError);
  EXPECT_THROW(split_training_file(numbered(10), 8, 3), ConfigError);
  try {
    split_training_file(numbered(10), 8, 3);
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--train-samples"), std::string::npos) << e.what();
  }
}

TEST(ValidationSplit, ValidationImagesHaveTheirOwnStreams) {
  // The same image scored in the validation phase and the test phase draws different spike trains.
  EXPECT_NE(sample_key(1, Phase::kValidation, 0, 0), sample_key(1, Phase::kTest, 0, 0));
  EXPECT_NE(sample_key(1, Phase::kValidation, 0, 0), sample_key(1, Phase::kTrain, 0, 0));
}

TEST(ModelSelection, LastAndBestValidation) {
  const nlohmann::json e = epochs_with({0.90, 0.95, 0.93, 0.95, 0.94});
  const Selection last = select_epoch(e, "last");
  EXPECT_EQ(last.epoch, 5);
  EXPECT_DOUBLE_EQ(last.validation_accuracy, 0.94);
  const Selection best = select_epoch(e, "best-validation");
  EXPECT_EQ(best.epoch, 4);  // ties go to the later epoch
  EXPECT_DOUBLE_EQ(best.validation_accuracy, 0.95);
  EXPECT_EQ(to_json(best).at("rule"), "best-validation");
  EXPECT_THROW(select_epoch(nlohmann::json::array(), "last"), ConfigError);
  EXPECT_THROW(select_epoch(nlohmann::json::array({{{"epoch", 1}}}), "best-validation"), ConfigError);
  EXPECT_THROW(select_epoch(e, "best-test"), ConfigError);
}

TEST(ModelSelection, WeightsMustHaveHeldOutTheScoredImages) {
  nlohmann::json held = nlohmann::json::object();
  held["split"] = {{"validation", 1000}, {"file_images", 60000}};
  EXPECT_NO_THROW(check_weights_held_out(held, 1000, "w.ckpt"));
  EXPECT_NO_THROW(check_weights_held_out(held, 500, "w.ckpt"));  // a suffix of the held-out images
  EXPECT_THROW(check_weights_held_out(held, 2000, "w.ckpt"), ConfigError);
  EXPECT_THROW(check_weights_held_out(nlohmann::json::array(), 10, "w.ckpt"), ConfigError);
  EXPECT_NO_THROW(check_weights_held_out(nlohmann::json::array(), 0, "w.ckpt"));
}

TEST(ModelSelection, TrainerScoresValidationEveryEpochAndNotTheTestSet) {
  const TrainingSplit s = load_training_split("subset", "", 120, 60);
  const Dataset test = load_named_dataset("subset", "test", "", 30);
  ModelConfig cfg = test_support::explicit_config({16}, 6, UpdateMode::kStochastic, 3);
  cfg.pulse = {2, 1};
  GoldenModel model(cfg);
  TrainOptions opt;
  opt.epochs = 2;
  opt.progress = false;
  opt.threads = 1;
  opt.evaluate_each_epoch = false;
  opt.split = split_record(s);
  Trainer trainer(model, s.train, &test, opt, &s.validation);
  const nlohmann::json epochs = trainer.run();
  ASSERT_EQ(epochs.size(), 2u);
  for (const auto& e : epochs) {
    EXPECT_TRUE(e.contains("validation_accuracy"));
    EXPECT_FALSE(e.contains("test_accuracy"));
  }
  // The validation accuracy is the evaluation of the held-out images in the validation phase.
  const double again = evaluate(model, s.validation, 1, false, Phase::kValidation).accuracy();
  EXPECT_DOUBLE_EQ(epochs.back().at("validation_accuracy").get<double>(), again);
}
