// ssnn_golden: train and evaluate the SSNN-BP golden model on IDX data sets.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "ssnn/checkpoint.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/data_split.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/network.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/report.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

namespace {

constexpr long long kMaxEpochs = 100000;
constexpr long long kMaxThreads = 1024;  // far beyond any core count; 100,000 crashed OpenMP

void print_summary(const ssnn::EvalResult& e, const char* split) {
  std::printf("%s accuracy: %.2f %% (%zu / %zu), %.1f s, %.0f samples/s\n", split, 100.0 * e.accuracy(), e.correct, e.total,
              e.seconds, e.seconds > 0 ? static_cast<double>(e.total) / e.seconds : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SSNN-BP golden model: spiking backpropagation in the chip's integer arithmetic"};
  app.require_subcommand(1);
  ssnn::one_line_errors(app, "ssnn_golden");
  app.set_help_all_flag("--help-all", "show the options of every subcommand");

  ssnn::ModelConfig cfg;
  ssnn::ModelOptionText text;
  ssnn::DataOptions data;
  ssnn::TrainOptions topt;
  std::string report_path;
  std::string save_weights;
  std::string weights_path;
  std::string init_weights;
  bool resume = false;
  bool no_progress = false;
  size_t validation = 0;
  std::string select = "last";
  int threads = 0;

  CLI::App* train = app.add_subcommand("train", "train on a data set, then test");
  ssnn::add_model_options(*train, cfg, text);
  ssnn::add_data_options(*train, data, true);
  train->add_option("--epochs", topt.epochs, "training epochs")->check(ssnn::int_range(1, kMaxEpochs))->capture_default_str();
  train->add_option("--checkpoint", topt.checkpoint_path, "checkpoint file, written atomically");
  train->add_option("--checkpoint-every", topt.checkpoint_every, "samples between checkpoints (0: epoch ends)")
      ->check(ssnn::non_negative());
  train->add_flag("--resume", resume, "continue from --checkpoint if it exists");
  train->add_option("--stop-after", topt.stop_after, "stop after this many samples (checkpoint first)")
      ->check(ssnn::non_negative());
  train->add_option("--save-weights", save_weights, "write the trained weights (a checkpoint file) here");
  train->add_option("--epoch-weights", topt.epoch_weights_dir,
                    "also keep each epoch's end weights in this folder as epoch-NNN.ckpt (for `average`)");
  train->add_option("--init-weights", init_weights,
                    "start from the weights of this checkpoint or weights file instead of He initialisation "
                    "(a new schedule on trained weights; weights are in LSBs, so keep --theta)");
  train->add_option("--validation", validation,
                    "hold out the last N training images (never trained on): validation accuracy after every epoch; "
                    "the test set then scores only the selected weights, once")
      ->check(ssnn::non_negative());
  train->add_option("--select", select,
                    "which epoch's weights the test set scores: last | best-validation (needs --validation and "
                    "--epoch-weights)")
      ->check(CLI::IsMember({"last", "best-validation"}))->capture_default_str();
  // One thread per training sample by default: the per-step barriers of a split sample only pay on
  // an idle machine (use --train-threads 2 there); evaluation always uses every core.
  topt.train_threads = 1;
  train->add_option("--train-threads", topt.train_threads,
                    "threads sharing each training sample (0: all cores; use 1 on a busy machine)")
      ->check(ssnn::int_range(0, kMaxThreads));

  CLI::App* eval = app.add_subcommand("eval", "inference with saved weights");
  eval->add_option("--weights", weights_path, "weights or checkpoint file")->required();
  ssnn::add_data_options(*eval, data, false);
  // Inference at another T than training: does a longer window (more spikes to count) help trained weights?
  ssnn::InferenceOverrides infer;
  eval->add_option("-T,--timesteps", infer.timesteps, "infer with this T instead of the trained one (0: trained T)")
      ->check(ssnn::non_negative());
  eval->add_option("--tau-divisor", infer.tau_divisor,
                   "infer with kernel tau = T / this instead of the trained divisor (0: trained divisor)")
      ->check(ssnn::non_negative());
  // Inference streams (pixel encoders) from another master seed: the spread of the accuracy over
  // seeds is the test set's stream-draw noise, the yardstick for small differences between weights.
  eval->add_option("--seed", infer.seed, "draw the inference streams from this master seed instead of the trained one")
      ->check(ssnn::non_negative());
  eval->add_option("--validation", validation,
                   "score the held-out validation split (the last N training images) instead of the test set; the "
                   "weights must have trained with --validation N or more")
      ->check(ssnn::non_negative());

  // Polyak averaging of a run's epoch-end weights (train --epoch-weights), then eval the mean.
  CLI::App* average = app.add_subcommand("average", "write the element-wise mean of several weights files (rounded to the LSB)");
  std::vector<std::string> average_inputs;
  std::string average_out;
  average->add_option("--weights", average_inputs, "weights or checkpoint files of one network shape")->required();
  average->add_option("--out", average_out, "the mean, a weights file written atomically")->required();

  CLI::App* info = app.add_subcommand("info", "describe a checkpoint or weights file: config, position, weight ranges, history");
  info->add_option("--weights", weights_path, "weights or checkpoint file")->required();

  bool allow_large = false;
  for (CLI::App* sub : {train, eval}) {
    sub->add_flag("--allow-large", allow_large, "run beyond the network-size and work limits (docs/robustness.md)");
    sub->add_option("--report", report_path, "write a JSON result record here");
    sub->add_option("--threads", threads, "threads for evaluation (0: all cores)")->check(ssnn::int_range(0, kMaxThreads));
    sub->add_flag("--no-progress", no_progress, "no progress bar");
  }

  if (const std::optional<int> exit_code = ssnn::parse_or_exit(app, argc, argv)) return *exit_code;

  try {
    const std::string command = ssnn::command_line(argc, argv);
    if (train->parsed()) {
      ssnn::finish_model_options(cfg, text);
      if (select != "last" && validation == 0) throw ssnn::ConfigError("--select " + select + ": needs --validation N");
      if (select == "best-validation" && topt.epoch_weights_dir.empty())
        throw ssnn::ConfigError("--select best-validation: needs --epoch-weights DIR (the chosen epoch's weights are read back from it)");
      const ssnn::TrainingSplit split =
          ssnn::load_training_split(data.dataset, data.data_dir, data.train_samples, validation);
      const ssnn::Dataset& train_set = split.train;
      const ssnn::Dataset test_set = ssnn::load_named_dataset(data.dataset, "test", data.data_dir, data.test_samples);
      ssnn::check_test_split(train_set, test_set);
      const int data_classes = static_cast<int>(train_set.num_classes);
      if (train->count("--classes") == 0) cfg.classes = data_classes;
      else if (cfg.classes < data_classes)
        throw ssnn::ConfigError(fmt::format("--classes: {} is fewer than the {} classes of data set {} ({})", cfg.classes,
                                            data_classes, data.dataset, train_set.labels_file));
      if (static_cast<int>(train_set.pixels_per_image()) != cfg.inputs) cfg.inputs = static_cast<int>(train_set.pixels_per_image());
      if (resume && topt.checkpoint_path.empty()) throw ssnn::ConfigError("--resume: needs --checkpoint FILE");
      if (topt.checkpoint_path.empty() && (topt.checkpoint_every > 0 || topt.stop_after > 0))
        throw ssnn::ConfigError(fmt::format("{}: needs --checkpoint FILE (to resume from)",
                                            topt.checkpoint_every > 0 ? "--checkpoint-every" : "--stop-after"));
      // The checkpoint is read back by --resume and rewritten: an output, never another file's input.
      ssnn::check_run_paths({{"--init-weights", init_weights}, {"--dataset", train_set.images_file},
                             {"--dataset", train_set.labels_file}, {"--dataset", test_set.images_file},
                             {"--dataset", test_set.labels_file}},
                            {{"--report", report_path}, {"--save-weights", save_weights},
                             {"--checkpoint", topt.checkpoint_path}});
      if (!topt.epoch_weights_dir.empty()) {  // fail now, not after the first epoch
        std::error_code ec;
        std::filesystem::create_directories(topt.epoch_weights_dir, ec);
        if (ec || !std::filesystem::is_directory(topt.epoch_weights_dir))
          throw ssnn::ConfigError(fmt::format("--epoch-weights: {}: cannot create the folder{}", topt.epoch_weights_dir,
                                              ec ? " (" + ec.message() + ")" : ""));
        // Its epoch-NNN.ckpt files are outputs too: the weights this run starts from may not be one.
        const std::filesystem::path init(init_weights);
        if (!init_weights.empty() && init.filename().string().rfind("epoch-", 0) == 0 &&
            std::filesystem::equivalent(init.has_parent_path() ? init.parent_path() : ".", topt.epoch_weights_dir, ec))
          throw ssnn::ConfigError(fmt::format("--epoch-weights: {}: would overwrite --init-weights {}; give another folder",
                                              topt.epoch_weights_dir, init_weights));
      }
      cfg.validate();
      ssnn::check_run_size(cfg, static_cast<double>(topt.epochs) * static_cast<double>(train_set.size() + test_set.size()),
                           ssnn::RunLimits::kMaxGoldenWork, "--epochs", allow_large);
      ssnn::GoldenModel model(cfg);
      if (!init_weights.empty()) model.weights() = ssnn::initial_weights_from(init_weights, model.config());
      topt.progress = !no_progress;
      topt.threads = threads;
      if (validation > 0) {  // the test set scores the chosen weights once, after training
        topt.evaluate_each_epoch = false;
        topt.split = ssnn::split_record(split);
      }
      ssnn::Trainer trainer(model, train_set, &test_set, topt, validation > 0 ? &split.validation : nullptr);
      if (resume && std::filesystem::exists(topt.checkpoint_path)) {
        const ssnn::Checkpoint ckpt = ssnn::load_checkpoint(topt.checkpoint_path);  // errors name the file
        try {
          trainer.resume_from(ckpt);
        } catch (const ssnn::CheckpointError& e) {
          throw ssnn::CheckpointError(fmt::format("--resume: {}: {}", topt.checkpoint_path, e.what()));
        }
        std::fprintf(stderr, "resumed from %s\n", topt.checkpoint_path.c_str());
      }
      const double t0 = ssnn::now_seconds();
      const nlohmann::json epochs = trainer.run();
      double wall = ssnn::now_seconds() - t0;
      // Under a validation split the test set is scored here, once, on the weights the rule chose.
      ssnn::Selection chosen;
      double acc = epochs.empty() ? 0.0 : epochs.back().value("test_accuracy", 0.0);
      if (validation > 0 && !trainer.stopped_early()) {
        chosen = ssnn::select_epoch(epochs, select);
        if (chosen.epoch != topt.epochs)
          model.weights() = ssnn::load_checkpoint(fmt::format("{}/epoch-{:03d}.ckpt", topt.epoch_weights_dir, chosen.epoch)).weights;
        const ssnn::EvalResult e = ssnn::evaluate(model, test_set, threads, !no_progress);
        acc = e.accuracy();
        wall = ssnn::now_seconds() - t0;
      }
      if (!save_weights.empty()) {
        ssnn::Checkpoint c;
        c.config = model.config();
        c.epoch = validation > 0 && !trainer.stopped_early() ? chosen.epoch : topt.epochs;
        c.weights = model.weights();
        if (validation > 0) c.history = nlohmann::json{{"split", topt.split}, {"selection", ssnn::to_json(chosen)}};
        ssnn::save_checkpoint(save_weights, c);
      }
      if (trainer.stopped_early()) {
        std::printf("stopped after %llu samples; resume with --resume\n", static_cast<unsigned long long>(topt.stop_after));
        return 0;
      }
      if (validation > 0)
        std::printf("validation accuracy %.2f %% (%zu held-out images) at epoch %d, chosen by rule '%s'\n",
                    100.0 * chosen.validation_accuracy, split.validation.size(), chosen.epoch, select.c_str());
      std::printf("dataset %s, %d-%s-%d, T=%d, %s updates, WTA %s: test accuracy %.2f %% after %d epochs (%.0f s)\n",
                  data.dataset.c_str(), cfg.inputs, fmt::format("{}", fmt::join(cfg.hidden, "-")).c_str(), cfg.classes,
                  cfg.timesteps, ssnn::to_string(cfg.update_mode), cfg.wta ? "on" : "off", 100.0 * acc, topt.epochs, wall);
      if (!report_path.empty()) {
        nlohmann::json r = ssnn::result_record(cfg, data.dataset, "golden", topt.epochs, train_set.size(), test_set.size(),
                                               acc, command);
        r["history"] = epochs;
        r["wall_seconds"] = wall;
        if (!init_weights.empty()) r["init_weights"] = init_weights;
        if (validation > 0) {
          r["validation"] = ssnn::validation_json(split);
          r["selection"] = ssnn::to_json(chosen);
          r["validation_accuracy"] = chosen.validation_accuracy;
        }
        double train_seconds = 0;
        for (const auto& e : epochs) train_seconds += e.value("train_seconds", 0.0);
        r["train_samples_per_s"] = train_seconds > 0 ? static_cast<double>(train_set.size()) * topt.epochs / train_seconds : 0.0;
        ssnn::write_json(report_path, r);
      }
    } else if (average->parsed()) {
      std::vector<ssnn::RunPath> in_paths;
      for (const std::string& path : average_inputs) in_paths.push_back({"--weights", path});
      ssnn::check_run_paths(in_paths, {{"--out", average_out}});
      std::vector<ssnn::Checkpoint> inputs;
      nlohmann::json sources = nlohmann::json::array();
      for (const std::string& path : average_inputs) {
        inputs.push_back(ssnn::load_checkpoint(path));
        sources.push_back({{"file", std::filesystem::path(path).filename().string()}, {"epoch", inputs.back().epoch}});
      }
      ssnn::Checkpoint mean;
      mean.config = inputs.front().config;
      mean.weights = ssnn::average_weights(inputs, average_inputs);
      for (const ssnn::Checkpoint& c : inputs) mean.epoch = std::max(mean.epoch, c.epoch);
      mean.history = nlohmann::json{{"averaged_from", sources}};
      // The split travels with the mean when every input trained under the same one.
      const auto split_of = [](const ssnn::Checkpoint& c) {
        return c.history.is_object() && c.history.contains("split") ? c.history.at("split") : nlohmann::json();
      };
      if (std::all_of(inputs.begin(), inputs.end(), [&](const ssnn::Checkpoint& c) { return split_of(c) == split_of(inputs.front()); }) &&
          !split_of(inputs.front()).is_null())
        mean.history["split"] = split_of(inputs.front());
      ssnn::save_checkpoint(average_out, mean);
      std::printf("wrote the mean of %zu weights files to %s\n", inputs.size(), average_out.c_str());
    } else if (info->parsed()) {
      const ssnn::Checkpoint c = ssnn::load_checkpoint(weights_path);
      nlohmann::json layers = nlohmann::json::array();
      for (const ssnn::WeightMatrix& w : c.weights) {
        int32_t lo = 0, hi = 0;
        double sum_abs = 0;
        for (int32_t v : w.values) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          sum_abs += std::abs(static_cast<double>(v));
        }
        layers.push_back({{"rows", w.rows}, {"cols", w.cols}, {"min", lo}, {"max", hi},
                          {"mean_abs", sum_abs / static_cast<double>(w.values.size())}});
      }
      const nlohmann::json out{{"config", c.config}, {"epoch", c.epoch}, {"position", c.position},
                               {"weights", layers}, {"history", c.history}};
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      ssnn::Checkpoint c = ssnn::load_checkpoint(weights_path);
      const uint64_t weights_seed = c.config.seed;
      infer.reseed = eval->count("--seed") > 0;
      c.config = infer.apply(c.config);  // a one-line error names the overridden option
      ssnn::check_weights_held_out(c.history, validation, weights_path);
      // --validation: the held-out split of the training file, scored with its own streams.
      const ssnn::Dataset test_set =
          validation > 0 ? ssnn::load_training_split(data.dataset, data.data_dir, 0, validation).validation
                         : ssnn::load_named_dataset(data.dataset, "test", data.data_dir, data.test_samples);
      ssnn::check_data_fits(test_set, c.config, "--dataset");
      ssnn::check_run_size(c.config, static_cast<double>(test_set.size()), ssnn::RunLimits::kMaxGoldenWork,
                           validation > 0 ? "--validation" : "--test-samples", allow_large);
      ssnn::check_run_paths({{"--weights", weights_path}, {"--dataset", test_set.images_file},
                             {"--dataset", test_set.labels_file}},
                            {{"--report", report_path}});
      ssnn::GoldenModel model(c.config);
      model.weights() = std::move(c.weights);
      const ssnn::EvalResult e = ssnn::evaluate(model, test_set, threads, !no_progress,
                                                validation > 0 ? ssnn::Phase::kValidation : ssnn::Phase::kTest);
      print_summary(e, validation > 0 ? "validation" : "test");
      if (!report_path.empty()) {
        nlohmann::json r = ssnn::result_record(c.config, data.dataset, "golden", 0, 0, test_set.size(), e.accuracy(), command);
        if (validation > 0) {  // the record scores the validation split, not the test set
          r.erase("test_accuracy");
          r.erase("test_samples");
          r["split"] = "validation";
          r["validation_samples"] = test_set.size();
          r["validation_accuracy"] = e.accuracy();
        }
        r["test_seconds"] = e.seconds;
        if (c.config.seed != weights_seed) r["weights_seed"] = weights_seed;  // "seed" drew the inference streams
        r["counters"] = ssnn::counters_json(e.counters, e.total);
        r["confusion"] = e.confusion;
        ssnn::write_json(report_path, r);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ssnn_golden: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
