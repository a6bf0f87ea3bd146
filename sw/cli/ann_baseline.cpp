// ann_baseline: the paper's "Baseline ANN" (tables 1 and 2): a ReLU MLP trained by backpropagation
// with dropout, on the same data sets as the golden model; writes a record in the results format.
//
//   ann_baseline --dataset mnist --epochs 30 --seed 1 --report docs/results/ann_baseline_mnist_s1.json
#include <algorithm>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ann.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/report.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ANN baseline: ReLU MLP, softmax cross-entropy (or MSE), dropout, backpropagation (Eigen)"};
  ssnn::one_line_errors(app, "ann_baseline");

  ssnn::ann::AnnConfig cfg;
  ssnn::DataOptions data;
  std::string loss = "ce", optimizer = "adam", schedule = "cosine";
  std::string report_path;
  int threads = 1;
  bool quiet = false;

  const auto* n = "Network";
  app.add_option("--hidden", cfg.hidden, "hidden layer sizes, comma separated")
      ->delimiter(',')->check(ssnn::non_empty())->group(n)->capture_default_str();
  app.add_option("--loss", loss, "ce (softmax cross-entropy) | mse (linear outputs, squared error to one-hot)")
      ->group(n)->capture_default_str();
  const auto* l = "Learning";
  app.add_option("--epochs", cfg.epochs, "training epochs")->check(ssnn::int_range(1, 100000))->group(l)->capture_default_str();
  app.add_option("--batch", cfg.batch, "minibatch size")->check(ssnn::int_range(1, 1000000))->group(l)->capture_default_str();
  app.add_option("--optimizer", optimizer, "adam | sgd (with momentum)")->group(l)->capture_default_str();
  app.add_option("--lr", cfg.lr, "peak learning rate")->group(l)->capture_default_str();
  app.add_option("--schedule", schedule,
                 "learning rate over the run: constant | cosine (to 0) | step (x0.1 at 50 %, 75 %) | per-epoch (--lr-scale)")
      ->group(l)->capture_default_str();
  app.add_option("--lr-scale", cfg.lr_scale,
                 "with --schedule per-epoch: learning rate = lr x this, one per epoch (last repeats), e.g. the SNN's "
                 "--pulse list 8,8,4,4,2,2,1")
      ->delimiter(',')->group(l);
  app.add_option("--momentum", cfg.momentum, "SGD momentum")->group(l)->capture_default_str();
  app.add_option("--weight-decay", cfg.weight_decay, "L2 coefficient on the weights")->group(l)->capture_default_str();
  app.add_flag("--no-bias{false}", cfg.biases, "keep every bias at zero (the SNN's neurons have none)")->group(l);
  app.add_option("--dropout-input", cfg.dropout_input, "input dropout probability")->group(l)->capture_default_str();
  app.add_option("--dropout-hidden", cfg.dropout_hidden, "hidden dropout probability")->group(l)->capture_default_str();
  app.add_flag("--augment-flip", cfg.augment_flip, "mirror each training image left-right with probability 1/2")->group(l);
  app.add_option("--augment-shift", cfg.augment_shift, "move each training image by up to this many pixels each way")
      ->group(l)->capture_default_str();
  app.add_option("--seed", cfg.seed, "master seed (init, order, dropout)")->check(ssnn::non_negative())->group(l)->capture_default_str();
  ssnn::add_data_options(app, data, true);
  app.add_option("--threads", threads, "threads for the matrix products (results are bit-identical for the same count)")
      ->check(ssnn::int_range(1, 1024))->capture_default_str();
  app.add_option("--report", report_path, "write a JSON result record here");
  bool allow_large = false;
  app.add_flag("--allow-large", allow_large, "run beyond the network-size limit (docs/robustness.md)");
  app.add_flag("--quiet", quiet, "no per-epoch lines");
  bool no_progress = false;  // accepted for the sweep runner (scripts/sweep.py); there is no progress bar
  app.add_flag("--no-progress", no_progress, "no progress bar (there is none; per-epoch lines stay)");

  if (const std::optional<int> exit_code = ssnn::parse_or_exit(app, argc, argv)) return *exit_code;

  try {
    const std::string command = ssnn::command_line(argc, argv);
    cfg.loss = ssnn::ann::parse_loss(loss);
    cfg.optimizer = ssnn::ann::parse_optimizer(optimizer);
    cfg.schedule = ssnn::ann::parse_schedule(schedule);
    Eigen::setNbThreads(threads);
    const ssnn::Dataset train_set = ssnn::load_named_dataset(data.dataset, "train", data.data_dir, data.train_samples);
    const ssnn::Dataset test_set = ssnn::load_named_dataset(data.dataset, "test", data.data_dir, data.test_samples);
    ssnn::check_test_split(train_set, test_set);
    ssnn::check_run_paths({{"--dataset", train_set.images_file}, {"--dataset", train_set.labels_file},
                           {"--dataset", test_set.images_file}, {"--dataset", test_set.labels_file}},
                          {{"--report", report_path}});
    cfg.inputs = static_cast<int>(train_set.pixels_per_image());
    cfg.classes = static_cast<int>(train_set.num_classes);
    std::vector<int> sizes{cfg.inputs};
    sizes.insert(sizes.end(), cfg.hidden.begin(), cfg.hidden.end());
    sizes.push_back(cfg.classes);
    // Weights, gradients and Adam's two moments: four floats per weight, as the spiking model's 16 bytes.
    if (ssnn::synapse_count(sizes) > ssnn::RunLimits::kMaxSynapses && !allow_large)
      throw ssnn::ConfigError(fmt::format("--hidden: a {} network has {} weights, more than the limit of {} "
                                          "(--allow-large runs it anyway)",
                                          fmt::join(sizes, "-"), ssnn::synapse_count(sizes), ssnn::RunLimits::kMaxSynapses));
    ssnn::ann::Mlp<float> net(cfg);

    const double t0 = ssnn::now_seconds();
    const auto history = ssnn::ann::train(net, train_set, &test_set, [&](const ssnn::ann::EpochStats& e) {
      if (!quiet)
        std::printf("epoch %3d  lr %.2e  train loss %.4f acc %6.2f %%  test loss %.4f acc %6.2f %%  (%.1f s + %.1f s)\n",
                    e.epoch, e.lr_start, e.train_loss, 100.0 * e.train_accuracy, e.test_loss, 100.0 * e.test_accuracy,
                    e.train_seconds, e.test_seconds);
      std::fflush(stdout);
    });
    const double wall = ssnn::now_seconds() - t0;
    const double acc = history.back().test_accuracy;
    double best = 0, train_seconds = 0;
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : history) {
      best = std::max(best, e.test_accuracy);
      train_seconds += e.train_seconds;
      epochs.push_back(nlohmann::json(e));
    }
    std::printf("dataset %s, %d-%s-%d ANN, %s, dropout %.2g/%.2g: test accuracy %.2f %% after %d epochs (best %.2f %%, %.0f s)\n",
                data.dataset.c_str(), cfg.inputs, fmt::format("{}", fmt::join(cfg.hidden, "-")).c_str(), cfg.classes,
                ssnn::ann::to_string(cfg.loss), cfg.dropout_input, cfg.dropout_hidden, 100.0 * acc, cfg.epochs, 100.0 * best,
                wall);
    if (!report_path.empty()) {
      nlohmann::json r = ssnn::result_record(ssnn::ResultFields{
          data.dataset, "ann", "backprop",
          cfg.loss == ssnn::ann::Loss::kSoftmaxCrossEntropy ? nlohmann::json("softmax") : nlohmann::json(false),
          cfg.hidden, 0, cfg.epochs, train_set.size(), test_set.size(), acc, cfg.seed, command});
      r["config"] = ssnn::ann::to_json(cfg);
      r["history"] = epochs;
      r["best_test_accuracy"] = best;
      r["wall_seconds"] = wall;
      r["train_samples_per_s"] = train_seconds > 0 ? static_cast<double>(train_set.size()) * cfg.epochs / train_seconds : 0.0;
      r["threads"] = threads;
      r["eigen"] = fmt::format("{}.{}.{}, {}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION,
                               Eigen::SimdInstructionSetsInUse());
      ssnn::write_json(report_path, r);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ann_baseline: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
