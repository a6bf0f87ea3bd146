// Fuzz target bodies: see fuzz_targets.hpp.
#include "fuzz_targets.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include "ssnn/checkpoint.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/config.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn::fuzz {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw Violation(what);
}

// Scratch files live in one folder per process (tmpfs when available), removed at exit.
class Scratch {
 public:
  Scratch() {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    dir_ = std::string(base) + "/ssnn_fuzz_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

std::string scratch(const std::string& name) {
  static Scratch s;
  return s.path(name);
}

void write_file(const std::string& path, const void* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  require(f != nullptr, "cannot write scratch file " + path);
  const size_t written = size ? std::fwrite(data, 1, size, f) : 0;
  std::fclose(f);
  require(written == size, "short write to scratch file " + path);
}

// The error contract of every parser here: one line that names the file.
void check_message(const std::string& msg, const std::string& path) {
  require(msg.find('\n') == std::string::npos, "error message is not one line: " + msg);
  require(msg.find(path) != std::string::npos, "error message does not name " + path + ": " + msg);
}

std::vector<uint8_t> gzip(const uint8_t* data, size_t size) {
  z_stream zs{};
  require(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(size)) + 32);
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  require(rc == Z_STREAM_END, "deflate did not finish");
  out.resize(zs.total_out);
  return out;
}

bool starts_gzip(const uint8_t* data, size_t size) { return size >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

// ------------------------------------------------------------------------------------------- IDX

struct ImagesOutcome {
  bool ok = false;
  std::string error;
  IdxImages images;
};

ImagesOutcome images_of(const std::string& path, bool transpose, size_t max_samples) {
  ImagesOutcome o;
  try {
    o.images = read_idx_images(path, transpose, max_samples);
    o.ok = true;
  } catch (const DataError& e) {
    o.error = e.what();
    check_message(o.error, path);
  }
  return o;
}

void check_images(const ImagesOutcome& o) {
  const IdxImages& m = o.images;
  require(m.rows >= 1 && m.rows <= IdxLimits::kMaxSide && m.cols >= 1 && m.cols <= IdxLimits::kMaxSide,
          "accepted images have absurd dimensions");
  require(m.count >= 1 && m.count <= m.header_count, "accepted image count is inconsistent");
  require(m.pixels.size() == size_t{m.count} * m.rows * m.cols, "pixel buffer does not match the dimensions");
}

void check_bytes(const std::string& path, const std::vector<uint8_t>& expected) {
  try {
    require(read_file_bytes(path, size_t{1} << 26) == expected, "read_file_bytes differs from the file's contents");
  } catch (const DataError& e) {
    throw Violation(std::string("read_file_bytes refused a readable file: ") + e.what());
  }
}

struct LabelsOutcome {
  bool ok = false;
  std::string error;
  IdxLabels labels;
};

LabelsOutcome labels_of(const std::string& path, size_t max_samples) {
  LabelsOutcome o;
  try {
    o.labels = read_idx_labels(path, max_samples);
    o.ok = true;
  } catch (const DataError& e) {
    o.error = e.what();
    check_message(o.error, path);
  }
  return o;
}

// A gzip input (written to `raw`): whatever it decompresses to, read_file_bytes either refuses it
// with a proper message or returns it.  Returns whether the input was gzip (then nothing is left
// to check).
bool checked_as_gzip(const uint8_t* data, size_t size, const std::string& raw) {
  if (!starts_gzip(data, size)) return false;
  try {
    (void)read_file_bytes(raw, size_t{1} << 26);
  } catch (const DataError& e) {
    check_message(e.what(), raw);
  }
  return true;
}

}  // namespace

void idx_images(const uint8_t* data, size_t size) {
  const std::string raw = scratch("images");
  write_file(raw, data, size);
  const ImagesOutcome plain = images_of(raw, false, 0);
  if (plain.ok) check_images(plain);
  // Transposed, first image only: must agree with the plain read wherever that succeeded.
  const ImagesOutcome first = images_of(raw, true, 1);
  if (first.ok) {
    check_images(first);
    require(first.images.count == 1, "max_samples = 1 loaded more than one image");
  }
  if (plain.ok) {
    require(first.ok, "the first image alone was refused: " + first.error);
    const IdxImages& p = plain.images;
    const IdxImages& t = first.images;
    require(t.rows == p.cols && t.cols == p.rows, "transposed dimensions are not swapped");
    for (uint32_t r = 0; r < p.rows; ++r)
      for (uint32_t c = 0; c < p.cols; ++c)
        require(t.pixels[size_t{c} * p.rows + r] == p.pixels[size_t{r} * p.cols + c], "transposed pixels differ");
  }
  if (checked_as_gzip(data, size, raw)) return;
  check_bytes(raw, std::vector<uint8_t>(data, data + size));
  // The same bytes gzip-compressed: the same outcome, the same images.
  const std::vector<uint8_t> gz = gzip(data, size);
  const std::string gz_path = scratch("images.gz");
  write_file(gz_path, gz.data(), gz.size());
  const ImagesOutcome zipped = images_of(gz_path, false, 0);
  require(zipped.ok == plain.ok, "raw and gzip outcomes differ: raw '" + plain.error + "', gzip '" + zipped.error + "'");
  if (plain.ok) {
    require(zipped.images.pixels == plain.images.pixels && zipped.images.rows == plain.images.rows &&
                zipped.images.cols == plain.images.cols && zipped.images.count == plain.images.count,
            "raw and gzip images differ");
  }
  check_bytes(gz_path, std::vector<uint8_t>(data, data + size));
}

void idx_labels(const uint8_t* data, size_t size) {
  const std::string raw = scratch("labels");
  write_file(raw, data, size);
  const LabelsOutcome all = labels_of(raw, 0);
  if (all.ok) {
    require(!all.labels.labels.empty() && all.labels.labels.size() == all.labels.header_count,
            "accepted labels do not match their header count");
  }
  const LabelsOutcome three = labels_of(raw, 3);
  if (three.ok) require(three.labels.labels.size() <= 3, "max_samples = 3 loaded more than three labels");
  if (all.ok) {
    require(three.ok, "the first three labels alone were refused: " + three.error);
    const auto& a = all.labels.labels;
    require(std::equal(three.labels.labels.begin(), three.labels.labels.end(), a.begin()),
            "the first three labels differ from the full read");
  }
  if (checked_as_gzip(data, size, raw)) return;
  const std::vector<uint8_t> gz = gzip(data, size);
  const std::string gz_path = scratch("labels.gz");
  write_file(gz_path, gz.data(), gz.size());
  const LabelsOutcome zipped = labels_of(gz_path, 0);
  require(zipped.ok == all.ok, "raw and gzip outcomes differ: raw '" + all.error + "', gzip '" + zipped.error + "'");
  if (all.ok) require(zipped.labels.labels == all.labels.labels, "raw and gzip labels differ");
}

// ------------------------------------------------------------------------------------- checkpoint

namespace {

constexpr uint64_t kMaxWeightsToModel = uint64_t{1} << 20;

uint64_t total_weights(const ModelConfig& c) {
  uint64_t n = 0;
  for (int l = 0; l < c.layers(); ++l) n += uint64_t(c.layer_size(l)) * uint64_t(c.layer_size(l + 1));
  return n;
}

void check_checkpoint(const Checkpoint& c, const std::string& path) {
  require(c.weights.size() == static_cast<size_t>(c.config.layers()), "accepted checkpoint has the wrong layer count");
  for (int l = 0; l < c.config.layers(); ++l) {
    const WeightMatrix& w = c.weights[static_cast<size_t>(l)];
    require(w.rows == c.config.layer_size(l) && w.cols == c.config.layer_size(l + 1) &&
                w.values.size() == size_t(w.rows) * size_t(w.cols),
            "accepted checkpoint has a layer of the wrong shape");
    const SynapseParams sp = c.config.synapse_params(0, l);
    for (int32_t v : w.values) require(v >= sp.w_min && v <= sp.w_max, "accepted checkpoint has a weight out of range");
  }
  require(c.epoch >= 0, "accepted checkpoint has a negative epoch");

  // Round trip.
  const std::string again = path + ".again";
  save_checkpoint(again, c);
  const Checkpoint d = load_checkpoint(again);
  require(nlohmann::json(d.config) == nlohmann::json(c.config) && d.epoch == c.epoch && d.position == c.position &&
              d.weights == c.weights && d.history == c.history,
          "checkpoint does not survive save and load");

  // Resume: the trainer checks the configuration, the position and the history before using them.
  if (total_weights(c.config) > kMaxWeightsToModel) return;
  GoldenModel model(c.config);
  Dataset train;
  train.rows = 1;
  train.cols = static_cast<uint32_t>(c.config.inputs);
  train.num_classes = static_cast<uint32_t>(c.config.classes);
  train.labels.resize(static_cast<size_t>(std::min<uint64_t>(c.position, 1u << 16)));
  TrainOptions opt;
  opt.progress = false;
  Trainer trainer(model, train, nullptr, opt);
  try {
    trainer.resume_from(c);
    require(model.weights() == c.weights, "resumed model does not hold the checkpoint's weights");
  } catch (const CheckpointError& e) {
    require(std::string(e.what()).find('\n') == std::string::npos, "resume error is not one line");
  }
}

void load_one(const std::string& bytes) {
  const std::string path = scratch("checkpoint");
  write_file(path, bytes.data(), bytes.size());
  Checkpoint c;
  try {
    c = load_checkpoint(path);
  } catch (const CheckpointError& e) {
    check_message(e.what(), path);
    return;
  }
  check_checkpoint(c, path);
}

}  // namespace

void checkpoint(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  load_one(bytes);
  // The CRC turns nearly every mutation into "corrupted": recompute it so the fuzzer also reaches
  // the structure checks behind it.
  if (bytes.size() < 12) return;
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4));
  const auto c32 = static_cast<uint32_t>(crc);
  std::memcpy(&bytes[bytes.size() - 4], &c32, 4);
  load_one(bytes);
}

// ----------------------------------------------------------------------------------------- config

void config(const uint8_t* data, size_t size) {
  const nlohmann::json j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return;
  ModelConfig c;
  try {
    from_json(j, c);
    c.validate();
  } catch (const ConfigError& e) {
    require(std::string(e.what()).find('\n') == std::string::npos, "config error is not one line");
    return;
  }
  // Round trip.
  ModelConfig back;
  from_json(nlohmann::json(c), back);
  require(nlohmann::json(back) == nlohmann::json(c), "config does not survive to_json and from_json");

  // Derived quantities of a valid configuration are sane.
  const int32_t cap = int32_t{1} << (c.weight_bits + 1);
  const size_t epochs = std::min<size_t>(c.pulse.size() + 1, 64);
  for (size_t e = 0; e < epochs; ++e)
    for (int l = -1; l <= c.layers(); ++l) {
      const SynapseParams p = c.synapse_params(static_cast<int>(e), l);
      require(p.w_min < 0 && p.w_max > 0 && p.w_min >= signed_min(c.weight_bits) && p.w_max <= signed_max(c.weight_bits),
              "synapse bounds outside the weight register");
      require(p.pulse_up >= 1 && p.pulse_up <= cap && p.pulse_down >= 0 && p.pulse_down <= cap,
              "pulse size outside 1..2^(weight_bits+1)");
      require(p.pulse_noise == c.pulse_noise, "pulse noise not passed through");
    }
  const NeuronParams np = c.neuron_params();
  require(np.beta_q16 >= 1 && np.beta_q16 <= (1u << kBetaBits), "filter coefficient out of range");
  for (int l = 1; l <= c.layers(); ++l)
    for (bool training : {false, true}) {
      const int32_t th = c.forward_threshold(l, training);
      require(th >= 1 && th <= signed_max(c.potential_bits), "forward threshold out of range");
    }
  require(c.inhibition_for(true) >= 0 && c.inhibition_for(false) >= 0, "negative inhibition");

  // A small valid configuration trains and infers one sample.
  if (total_weights(c) > 20000 || c.timesteps > 64) return;
  GoldenModel model(c);
  Workspace ws(c);
  std::vector<uint8_t> pixels(static_cast<size_t>(c.inputs));
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = data[i % size] ^ static_cast<uint8_t>(i * 37);
  SampleSpec spec;
  spec.phase = Phase::kTrain;
  spec.learn = true;
  const int label = size ? data[0] % c.classes : 0;
  SampleResult r = model.run_sample(ws, pixels.data(), label, spec);
  require(r.prediction >= 0 && r.prediction < c.classes, "prediction out of range");
  for (int l = 0; l < c.layers(); ++l) {
    const SynapseParams sp = c.synapse_params(0, l);
    for (int32_t v : model.weights()[static_cast<size_t>(l)].values)
      require(v >= sp.w_min && v <= sp.w_max, "a trained weight left its range");
  }
  spec.phase = Phase::kTest;
  spec.learn = false;
  r = model.run_sample(ws, pixels.data(), -1, spec);
  require(r.prediction >= 0 && r.prediction < c.classes, "prediction out of range");
}

void options(const uint8_t* data, size_t size) {
  if (size > 4096) return;  // option lines are short; length adds nothing here
  std::vector<std::string> words{"ssnn_fuzz"};
  std::string word;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\n') {
      words.push_back(word);
      word.clear();
    } else {
      word.push_back(static_cast<char>(data[i]));
    }
  }
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  CLI::App app{"fuzz"};
  ModelConfig cfg;
  ModelOptionText text;
  DataOptions data_options;
  add_model_options(app, cfg, text);
  add_data_options(app, data_options, true);
  int epochs = 1;
  app.add_option("--epochs", epochs)->check(int_range(1, 100000));
  auto one_line = [](const std::string& m) { return m.find('\n') == std::string::npos; };
  try {
    check_option_values(app, static_cast<int>(argv.size()), argv.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    finish_model_options(cfg, text);
    cfg.validate();
  } catch (const CLI::ParseError& e) {
    return;  // one_line_errors() prints it on one line
  } catch (const ConfigError& e) {
    require(one_line(e.what()) && std::string(e.what()).find("--") != std::string::npos,
            std::string("a ConfigError that is not one line naming an option: ") + e.what());
    return;
  }
  // Accepted: every list item was given (none dropped), and the configuration round-trips.
  for (int h : cfg.hidden) require(h >= 1, "--hidden accepted a size below 1");
  require(!cfg.pulse.empty(), "--pulse accepted an empty list");
  require(epochs >= 1 && epochs <= 100000, "--epochs accepted a value out of range");
  ModelConfig back;
  from_json(nlohmann::json(cfg), back);
  require(nlohmann::json(back) == nlohmann::json(cfg), "an accepted configuration does not round-trip");
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all{{"idx_images", &idx_images}, {"idx_labels", &idx_labels},
                                       {"checkpoint", &checkpoint}, {"config", &config},
                                       {"options", &options}};
  return all;
}

}  // namespace ssnn::fuzz
