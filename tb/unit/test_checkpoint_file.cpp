// The checkpoint file (checkpoint.hpp): round trip, atomic replacement, and every damaged or
// mismatched file refused with a one-line error naming it; the averaging of checkpoints' weights.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "ssnn/checkpoint.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"
#include "test_files.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace ssnn;
using namespace ssnn::test_support;

// ------------------------------------------------------------------------------ checkpoints

class CheckpointFile : public TempDir {
 protected:
  void SetUp() override {
    TempDir::SetUp();
    cfg_ = train_config({8}, 10, UpdateMode::kStochastic, 51);
    GoldenModel model(cfg_);
    ckpt_.config = cfg_;
    ckpt_.epoch = 1;
    ckpt_.position = 17;
    ckpt_.weights = model.weights();
    ckpt_.weights[0].at(3, 4) = -32768;
    ckpt_.weights[1].at(7, 9) = 32767;
    ckpt_.history = nlohmann::json{{"epochs", nlohmann::json::array({nlohmann::json{{"epoch", 1}}})}};
    good_ = path("good.ckpt");
    save_checkpoint(good_, ckpt_);
    bytes_ = read_bytes(good_);
  }

  // Expects load_checkpoint(file) to throw a one-line CheckpointError naming the file.
  void expect_refused(const std::string& file, const std::string& fragment = "") {
    try {
      load_checkpoint(file);
      ADD_FAILURE() << "accepted " << file;
    } catch (const CheckpointError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(file), std::string::npos) << "message does not name the file: " << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
      if (!fragment.empty()) {
        EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
    }
  }

  ModelConfig cfg_;
  Checkpoint ckpt_;
  std::string good_;
  std::string bytes_;
};

TEST_F(CheckpointFile, RoundTrip) {
  const Checkpoint c = load_checkpoint(good_);
  EXPECT_EQ(nlohmann::json(c.config), nlohmann::json(cfg_));
  EXPECT_EQ(c.epoch, 1);
  EXPECT_EQ(c.position, 17u);
  EXPECT_TRUE(c.weights == ckpt_.weights);
  EXPECT_EQ(c.history, ckpt_.history);
  EXPECT_EQ(bytes_.substr(0, 8), "SSNNCKPT");
}

TEST_F(CheckpointFile, MissingFile) { expect_refused(path("nope.ckpt"), "cannot open"); }

TEST_F(CheckpointFile, Truncated) {
  const std::string t = path("truncated.ckpt");
  for (size_t len : {size_t{0}, size_t{3}, size_t{8}, size_t{11}, size_t{12}, size_t{20}, size_t{100},
                     bytes_.size() / 2, bytes_.size() - 5, bytes_.size() - 4, bytes_.size() - 1}) {
    write_bytes(t, bytes_.substr(0, len));
    SCOPED_TRACE("length " + std::to_string(len));
    expect_refused(t);
  }
}

TEST_F(CheckpointFile, FlippedByte) {
  // Every byte of the header and the start of the config, then a sample through the config, the
  // weights, the history and the CRC; one bit flipped per file (CRC-32 catches every single-bit error).
  const std::string f = path("flipped.ckpt");
  std::vector<size_t> positions;
  for (size_t i = 0; i < 96; ++i) positions.push_back(i);
  for (size_t i = 96; i + 200 < bytes_.size(); i += 211) positions.push_back(i);
  for (size_t i = bytes_.size() - 200; i < bytes_.size(); i += 7) positions.push_back(i);
  for (size_t i = bytes_.size() - 4; i < bytes_.size(); ++i) positions.push_back(i);
  for (size_t k = 0; k < positions.size(); ++k) {
    const size_t pos = positions[k];
    std::string b = bytes_;
    b[pos] = static_cast<char>(b[pos] ^ (1 << (k % 8)));
    write_bytes(f, b);
    SCOPED_TRACE("byte " + std::to_string(pos));
    expect_refused(f);
    if (HasFailure()) return;
  }
}

TEST_F(CheckpointFile, WrongMagic) {
  const std::string f = path("magic.ckpt");
  std::string b = bytes_;
  b[7] = 'X';
  write_bytes(f, with_crc(b.substr(0, b.size() - 4)));
  expect_refused(f, "magic");
  write_bytes(f, "this is not a checkpoint at all, just some text that is long enough");
  expect_refused(f, "magic");
}

TEST_F(CheckpointFile, WrongVersion) {
  const std::string f = path("version.ckpt");
  std::string b = bytes_.substr(0, bytes_.size() - 4);
  const uint32_t v = 99;
  std::memcpy(&b[8], &v, 4);
  write_bytes(f, with_crc(b));
  expect_refused(f, "version");
}

TEST_F(CheckpointFile, TrailingBytes) {
  const std::string f = path("trailing.ckpt");
  write_bytes(f, with_crc(bytes_.substr(0, bytes_.size() - 4) + "extra"));
  expect_refused(f);
}

TEST_F(CheckpointFile, AbsurdLengthsAreRefusedWithoutAllocating) {
  // A config length of 2^62 with a valid CRC: the reader must compare it with the file size first.
  const std::string f = path("huge.ckpt");
  std::string b = bytes_.substr(0, bytes_.size() - 4);
  const uint64_t huge = uint64_t{1} << 62;
  std::memcpy(&b[12], &huge, 8);
  write_bytes(f, with_crc(b));
  expect_refused(f);
}

TEST_F(CheckpointFile, ConfigMismatchedWithWeights) {
  // The stored configuration says 16 hidden neurons, the stored weights have 8.
  Checkpoint c = ckpt_;
  c.config.hidden = {16};
  const std::string f = path("mismatch.ckpt");
  save_checkpoint(f, c);
  expect_refused(f, "layer");
  // Or one weight layer too few.
  c = ckpt_;
  c.weights.pop_back();
  save_checkpoint(f, c);
  expect_refused(f);
}

TEST_F(CheckpointFile, InvalidConfigOrWeights) {
  Checkpoint c = ckpt_;
  c.config.timesteps = 0;
  const std::string f = path("invalid.ckpt");
  save_checkpoint(f, c);
  expect_refused(f, "timesteps");
  c = ckpt_;
  c.config.weight_bits = 8;  // the stored weights no longer fit
  save_checkpoint(f, c);
  expect_refused(f, "weight");
}

TEST_F(CheckpointFile, ResumeWithADifferentConfigIsRefused) {
  ModelConfig other = cfg_;
  other.timesteps = 11;
  GoldenModel model(other);
  const Dataset ten = first(subset_train(), 10);  // the trainer keeps a reference
  Trainer t(model, ten, nullptr, quiet(1));
  const std::vector<WeightMatrix> before = model.weights();
  try {
    t.resume_from(load_checkpoint(good_));
    ADD_FAILURE() << "resumed with a different configuration";
  } catch (const CheckpointError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("configuration"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_TRUE(model.weights() == before) << "a refused checkpoint must not change the model";
}

TEST_F(CheckpointFile, ResumeRefusesAPositionOrHistoryThatDoesNotFit) {
  // Sound files (valid CRC and config) whose training state does not fit this run: refused before
  // anything is used (mismatched spike-count vectors overflowed a buffer in the next epoch's sums).
  const nlohmann::json counters{{"forward_spikes", {1, 2, 3}}, {"pos_spikes", {0, 1}}, {"neg_spikes", {0, 1, 2}},
                                {"synaptic_reads", 1}, {"gradient_reads", 1}, {"pulses_up", 1},
                                {"pulses_down", 1}, {"rate_updates", 0}};
  struct Case {
    uint64_t position;
    nlohmann::json history;
    const char* fragment;
  };
  const Case cases[] = {
      {7, ckpt_.history, "running statistics"},  // mid-epoch without "partial"
      {7, {{"epochs", nlohmann::json::array()}, {"partial", {{"correct", 3}, {"seconds", 1.0}, {"counters", counters}}}},
       "spike counts"},
      {7, {{"epochs", nlohmann::json::array()}, {"partial", {{"correct", 30}, {"seconds", 1.0}, {"counters", counters}}}},
       "correct"},
      {7, {{"partial", {{"correct", 3}, {"seconds", 1.0}, {"train_samples", 2000}, {"counters", counters}}}},
       "--train-samples"},
      {11, nlohmann::json::array(), "--train-samples"},  // beyond the 10 training samples
      {0, {{"epochs", {{{"train_activity", {{"samples", 2000}}}}}}}, "--train-samples"},
      {0, "a string", "not a JSON object"},
  };
  const Dataset ten = first(subset_train(), 10);  // the trainer keeps a reference
  for (const Case& k : cases) {
    Checkpoint c = ckpt_;
    c.position = k.position;
    c.history = k.history;
    save_checkpoint(good_, c);
    GoldenModel model(cfg_);
    Trainer t(model, ten, nullptr, quiet(1));
    const std::vector<WeightMatrix> before = model.weights();
    try {
      t.resume_from(load_checkpoint(good_));
      ADD_FAILURE() << "resumed from history " << k.history.dump() << " at " << k.position;
    } catch (const CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(k.fragment), std::string::npos) << e.what();
    }
    EXPECT_TRUE(model.weights() == before) << "a refused checkpoint must not change the model";
  }
}

TEST_F(CheckpointFile, AtomicWriteReplacesTheOldFile) {
  Checkpoint c = ckpt_;
  c.position = 99;
  save_checkpoint(good_, c);
  EXPECT_EQ(load_checkpoint(good_).position, 99u);
  // No temporary file (<name>.tmp.XXXXXX) is left beside it.
  for (const auto& e : fs::directory_iterator(fs::path(good_).parent_path()))
    EXPECT_NE(e.path().filename().string().rfind(fs::path(good_).filename().string() + ".tmp", 0), 0u) << e.path();
  // A directory that does not exist: a CheckpointError naming the path, nothing written.
  const std::string bad = path("no/such/dir/x.ckpt");
  try {
    save_checkpoint(bad, c);
    ADD_FAILURE() << "wrote into a missing directory";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
  }
}

// Polyak averaging of weight files: the exact rounded mean (halves away from zero), inside the range,
// and files of another shape or weight range are refused in one line naming both files.
TEST(AverageWeights, RoundedMeanAndMismatchesRefused) {
  ModelConfig cfg;
  cfg.hidden = {3};
  cfg.inputs = 2;
  cfg.classes = 2;
  Checkpoint a, b, c;
  a.config = b.config = c.config = cfg;
  a.weights = {WeightMatrix(2, 3), WeightMatrix(3, 2)};
  b.weights = a.weights;
  c.weights = a.weights;
  a.weights[0].values = {1, -1, 2, 7, 0, -5};
  b.weights[0].values = {2, -2, 2, 8, 0, -6};
  c.weights[0].values = {2, -2, 3, 9, 1, -6};
  a.weights[1].values = {0, 1, 2, 3, 4, 5};
  b.weights[1].values = {0, 1, 2, 3, 4, 5};
  c.weights[1].values = {0, 1, 2, 3, 4, 5};
  // Two files: 1.5 -> 2, -1.5 -> -2, 7.5 -> 8, -5.5 -> -6 (halves away from zero).
  const std::vector<WeightMatrix> two = average_weights({a, b}, {"a", "b"});
  EXPECT_EQ(two[0].values, (std::vector<int32_t>{2, -2, 2, 8, 0, -6}));
  EXPECT_EQ(two[1].values, a.weights[1].values);
  // Three files: 5/3 -> 2, -5/3 -> -2, 7/3 -> 2, 24/3 = 8, 1/3 -> 0, -17/3 -> -6.
  const std::vector<WeightMatrix> three = average_weights({a, b, c}, {"a", "b", "c"});
  EXPECT_EQ(three[0].values, (std::vector<int32_t>{2, -2, 2, 8, 0, -6}));
  // The extremes of the range average to themselves.
  const SynapseParams sp = cfg.synapse_params(0, 0);
  Checkpoint lo = a, hi = a;
  std::fill(lo.weights[0].values.begin(), lo.weights[0].values.end(), sp.w_min);
  std::fill(hi.weights[0].values.begin(), hi.weights[0].values.end(), sp.w_max);
  EXPECT_EQ(average_weights({lo, lo, lo}, {"x", "y", "z"})[0].values[0], sp.w_min);
  EXPECT_EQ(average_weights({hi, hi}, {"x", "y"})[0].values[0], sp.w_max);

  auto expect_refused = [](const std::vector<Checkpoint>& in, const std::vector<std::string>& names,
                           const std::string& fragment) {
    try {
      average_weights(in, names);
      ADD_FAILURE() << "accepted";
    } catch (const CheckpointError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(names.back()), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
  };
  Checkpoint wide = a;
  wide.config.hidden = {4};
  wide.weights = {WeightMatrix(2, 4), WeightMatrix(4, 2)};
  expect_refused({a, wide}, {"a.ckpt", "wide.ckpt"}, "2x4");
  Checkpoint bits = a;
  bits.config.weight_bits = cfg.weight_bits + 2;
  expect_refused({a, bits}, {"a.ckpt", "bits.ckpt"}, "--weight-bits");
  EXPECT_THROW(average_weights({}, {}), CheckpointError);
}
