// The validation split: which training images are held out, never trained on, to choose models by.
//
// Rule (docs/theory.md, "Model selection"): `--validation N` holds out the LAST N images of the
// training file. The rule does not depend on the seed, so every seed, recipe and level is scored
// on the same images; `--train-samples M` then takes the first M of the images that remain. The
// test file is never touched by a choice: it scores the chosen model once.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "ssnn/idx.hpp"

namespace ssnn {

struct TrainingSplit {
  Dataset train;       // the images trained on
  Dataset validation;  // empty when no validation images are held out
  size_t file_images = 0;       // images in the training file
  size_t validation_first = 0;  // index in the training file of the first held-out image
};

// Loads data set `name`'s training file and splits it by the rule above. `validation` = 0 keeps the
// old behaviour (the first `train_samples` images, 0 = all; nothing held out). Throws ConfigError
// naming --validation or --train-samples when the numbers do not fit the file.
TrainingSplit load_training_split(const std::string& name, const std::string& data_dir, size_t train_samples,
                                  size_t validation);

// The same rule on a loaded training file (for tests and tools that already hold the images).
TrainingSplit split_training_file(Dataset file, size_t train_samples, size_t validation);

// What a report says about the split: {"samples", "rule", "first_index", "file_images", "class_counts"};
// null when nothing is held out.
nlohmann::json validation_json(const TrainingSplit& s);

// What a checkpoint's history records of the split ({"validation": N, "file_images": M}), so that a
// later `eval --validation` can refuse weights that trained on the images it would score.
nlohmann::json split_record(const TrainingSplit& s);

// Throws ConfigError when weights whose training history carries `history` (a checkpoint's) may
// have trained on the validation images of a split of `validation` images (a different or absent
// split record). `what` names the weights file in the message.
void check_weights_held_out(const nlohmann::json& history, size_t validation, const std::string& what);

// Model selection on the validation split: which epoch's weights the test set scores.
//   "last"             the last epoch (the schedule fixed in advance)
//   "best-validation"  the epoch of highest validation accuracy (ties: the later epoch)
struct Selection {
  std::string rule;
  int epoch = 0;                     // 1-based
  double validation_accuracy = -1;   // of that epoch (-1: no validation images)
};
inline constexpr const char* kSelectionRules[] = {"last", "best-validation"};
// `epochs`: a training history's per-epoch records ({"epoch", "validation_accuracy", ...}). Throws
// ConfigError naming --select when the rule needs validation scores the records lack.
Selection select_epoch(const nlohmann::json& epochs, const std::string& rule);
nlohmann::json to_json(const Selection& s);

}  // namespace ssnn
