// The validation split (rule in data_split.hpp).
#include "ssnn/data_split.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ssnn/config.hpp"

namespace ssnn {

namespace {

constexpr const char* kRule = "the last N images of the training file (independent of the seed)";

// Images [first, first + count) of `d` as a data set of their own.
Dataset slice(const Dataset& d, size_t first, size_t count, const std::string& name) {
  Dataset out;
  out.name = name;
  out.images_file = d.images_file;  // the files it came from, for error messages and the output rule
  out.labels_file = d.labels_file;
  out.rows = d.rows;
  out.cols = d.cols;
  out.num_classes = d.num_classes;
  const size_t ppi = d.pixels_per_image();
  out.pixels.assign(d.pixels.begin() + static_cast<std::ptrdiff_t>(first * ppi),
                    d.pixels.begin() + static_cast<std::ptrdiff_t>((first + count) * ppi));
  out.labels.assign(d.labels.begin() + static_cast<std::ptrdiff_t>(first),
                    d.labels.begin() + static_cast<std::ptrdiff_t>(first + count));
  return out;
}

}  // namespace

TrainingSplit split_training_file(Dataset file, size_t train_samples, size_t validation) {
  TrainingSplit s;
  s.file_images = file.size();
  if (validation == 0) {
    if (train_samples > 0 && train_samples < file.size()) file = slice(file, 0, train_samples, file.name);
    s.validation_first = s.file_images;
    s.train = std::move(file);
    return s;
  }
  if (validation >= file.size())
    throw ConfigError(fmt::format("--validation: {} images leave none to train on ({} has {})", validation, file.name,
                                  file.size()));
  const size_t left = file.size() - validation;
  if (train_samples > left)
    throw ConfigError(fmt::format("--train-samples: {} is more than the {} images of {} left after --validation {}",
                                  train_samples, left, file.name, validation));
  s.validation_first = left;
  const std::string base = file.name.substr(0, file.name.rfind('/'));
  s.validation = slice(file, left, validation, base + "/validation");
  s.train = slice(file, 0, train_samples > 0 ? train_samples : left, file.name);
  return s;
}

TrainingSplit load_training_split(const std::string& name, const std::string& data_dir, size_t train_samples,
                                  size_t validation) {
  // Without a split only the images used are read; with one the whole file (its end is held out).
  Dataset file = load_named_dataset(name, "train", data_dir, validation ? 0 : train_samples);
  if (validation == 0) {
    TrainingSplit s;
    s.file_images = file.size();  // at most train_samples: the rest was not read
    s.validation_first = file.size();
    s.train = std::move(file);
    return s;
  }
  return split_training_file(std::move(file), train_samples, validation);
}

nlohmann::json validation_json(const TrainingSplit& s) {
  if (s.validation.size() == 0) return nullptr;
  std::vector<uint64_t> counts(s.validation.num_classes, 0);
  for (uint8_t l : s.validation.labels)
    if (l < counts.size()) ++counts[l];
  return nlohmann::json{{"samples", s.validation.size()},
                        {"rule", kRule},
                        {"first_index", s.validation_first},
                        {"file_images", s.file_images},
                        {"class_counts", counts}};
}

nlohmann::json split_record(const TrainingSplit& s) {
  return nlohmann::json{{"validation", s.validation.size()}, {"file_images", s.file_images}};
}

void check_weights_held_out(const nlohmann::json& history, size_t validation, const std::string& what) {
  if (validation == 0) return;
  const bool has = history.is_object() && history.contains("split") && history.at("split").is_object() &&
                   history.at("split").contains("validation") && history.at("split").at("validation").is_number_integer() &&
                   history.at("split").at("validation").get<int64_t>() >= 0;
  const uint64_t held = has ? history.at("split").at("validation").get<uint64_t>() : 0;
  if (held >= validation) return;  // the last `held` images were never trained on, so neither were the last N
  throw ConfigError(fmt::format(
      "--validation: {} {} (a validation score on images it trained on means nothing; train with --validation {})",
      what, has ? fmt::format("held out only the last {} training images, not {}", held, validation)
                : "records no held-out validation images", validation));
}

Selection select_epoch(const nlohmann::json& epochs, const std::string& rule) {
  Selection s;
  s.rule = rule;
  if (!epochs.is_array() || epochs.empty()) throw ConfigError("--select: no finished epoch to choose from");
  auto val = [](const nlohmann::json& e) {
    return e.contains("validation_accuracy") && e.at("validation_accuracy").is_number()
               ? e.at("validation_accuracy").get<double>() : -1.0;
  };
  if (rule == "last") {
    s.epoch = static_cast<int>(epochs.size());
    s.validation_accuracy = val(epochs.back());
    return s;
  }
  if (rule != "best-validation") throw ConfigError("--select: unknown rule '" + rule + "' (valid: last, best-validation)");
  for (size_t i = 0; i < epochs.size(); ++i) {
    const double v = val(epochs[i]);
    if (v < 0) throw ConfigError(fmt::format("--select best-validation: epoch {} has no validation accuracy (train with --validation N)", i + 1));
    if (v >= s.validation_accuracy) {
      s.validation_accuracy = v;
      s.epoch = static_cast<int>(i) + 1;
    }
  }
  return s;
}

nlohmann::json to_json(const Selection& s) {
  nlohmann::json j{{"rule", s.rule}, {"epoch", s.epoch}};
  if (s.validation_accuracy >= 0) j["validation_accuracy"] = s.validation_accuracy;
  return j;
}

}  // namespace ssnn
