// bench_golden: training and inference throughput and peak memory of the golden model.
//
// Default: 784-1280-10 at T=50 in rate mode and at T=100 in stochastic mode, on
// full MNIST when it has been fetched (scripts/fetch_data.sh), else on the shipped subset.  Each
// configuration first runs a short warm-up (a throw-away model), then trains a fresh model on a fixed
// number of samples (one pass, the trainer's own loop and shuffle) and evaluates a fixed number of
// test samples with the trained weights.  Every other model value is the ModelConfig default.
//
//   bench_golden [--train-samples 3000] [--test-samples 3000] [--warmup 200] [--configs rate50,stochastic100]
//                [--train-threads N] [--threads 0] [--dataset mnist] [--json FILE]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ssnn/cli_options.hpp"
#include "ssnn/config.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/network.hpp"
#include "ssnn/report.hpp"
#include "ssnn/trainer.hpp"

namespace {

struct BenchConfig {
  std::string name;
  ssnn::UpdateMode mode;
  int timesteps;
};

// Peak resident set size of this process so far, in MiB (Linux reports ru_maxrss in KiB).
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

ssnn::Dataset prefix(const ssnn::Dataset& d, size_t n) {
  ssnn::Dataset out = d;
  n = std::min(n, d.size());
  out.labels.resize(n);
  out.pixels.resize(n * d.pixels_per_image());
  return out;
}

BenchConfig parse_config(const std::string& name) {
  // <mode><T>: rate50, stochastic100, noise50, ...
  for (const char* mode : {"stochastic", "rate", "noise"}) {
    const std::string m = mode;
    if (name.rfind(m, 0) == 0 && name.size() > m.size()) {
      const std::string digits = name.substr(m.size());
      if (digits.find_first_not_of("0123456789") == std::string::npos)
        return BenchConfig{name, ssnn::parse_update_mode(m), std::stoi(digits)};
    }
  }
  throw ssnn::ConfigError(fmt::format("--configs: '{}' is not <mode><T> (e.g. rate50, stochastic100)", name));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SSNN-BP golden model benchmark: training and inference samples/s and peak memory"};
  size_t train_samples = 3000;
  size_t test_samples = 3000;
  size_t warmup = 200;
  std::vector<std::string> configs{"rate50", "stochastic100"};
  std::vector<int> hidden{1280};
  int train_threads = ssnn::TrainOptions{}.train_threads;  // the library's default
  int threads = 0;
  std::string dataset = "mnist";
  std::string data_dir;
  std::string json_path;
  app.add_option("--train-samples", train_samples, "training samples timed per configuration")->capture_default_str();
  app.add_option("--test-samples", test_samples, "inference samples timed per configuration")->capture_default_str();
  app.add_option("--warmup", warmup, "untimed warm-up samples (training and inference) first")->capture_default_str();
  app.add_option("--configs", configs, "<mode><T> list, e.g. rate50,stochastic100")->delimiter(',')->capture_default_str();
  app.add_option("--hidden", hidden, "hidden layer sizes")->delimiter(',')->capture_default_str();
  app.add_option("--train-threads", train_threads, "threads sharing each training sample (0: all cores)")
      ->capture_default_str();
  app.add_option("--threads", threads, "inference threads (0: all cores)")->capture_default_str();
  app.add_option("--dataset", dataset, "data set; falls back to the subset if it is not fetched")->capture_default_str();
  app.add_option("--data-dir", data_dir, "cache folder of fetched data sets");
  app.add_option("--json", json_path, "write result records (results format, level golden) here");
  if (const std::optional<int> exit_code = ssnn::parse_or_exit(app, argc, argv)) return *exit_code;

  try {
    const std::string command = ssnn::command_line(argc, argv);
    std::vector<BenchConfig> runs;
    for (const std::string& c : configs) runs.push_back(parse_config(c));
    if (train_samples == 0 || test_samples == 0)
      throw ssnn::ConfigError("--train-samples/--test-samples: must be at least 1");

    // Enough data for the warm-up and the timed samples.
    std::string used = dataset;
    ssnn::Dataset train, test;
    try {
      train = ssnn::load_named_dataset(dataset, "train", data_dir, train_samples + warmup);
      test = ssnn::load_named_dataset(dataset, "test", data_dir, test_samples + warmup);
    } catch (const ssnn::DataError& e) {
      if (dataset == "subset") throw;
      std::fprintf(stderr, "bench_golden: %s; using the shipped subset instead\n", e.what());
      used = "subset";
      train = ssnn::load_named_dataset("subset", "train");
      test = ssnn::load_named_dataset("subset", "test");
    }
    ssnn::check_test_split(train, test);
    ssnn::check_run_paths({{"--dataset", train.images_file}, {"--dataset", train.labels_file},
                           {"--dataset", test.images_file}, {"--dataset", test.labels_file}},
                          {{"--json", json_path}});
    const size_t n_train = std::min(train_samples, train.size());
    const size_t n_test = std::min(test_samples, test.size());
    const ssnn::Dataset train_set = prefix(train, n_train);
    const ssnn::Dataset test_set = prefix(test, n_test);
    const ssnn::Dataset warm_train = prefix(train, std::min(warmup, train.size()));
    const ssnn::Dataset warm_test = prefix(test, std::min(warmup, test.size()));
    std::printf("bench_golden: %s, %zu train + %zu test samples per configuration (warm-up %zu), %s\n",
                used.c_str(), n_train, n_test, warmup, ssnn::machine_info().dump().c_str());

    nlohmann::json records = nlohmann::json::array();
    for (const BenchConfig& b : runs) {
      ssnn::ModelConfig cfg;
      cfg.inputs = static_cast<int>(train.pixels_per_image());
      cfg.classes = static_cast<int>(std::max(train.num_classes, test.num_classes));
      cfg.hidden = hidden;
      cfg.timesteps = b.timesteps;
      cfg.update_mode = b.mode;

      ssnn::TrainOptions opt;
      opt.epochs = 1;
      opt.progress = false;
      opt.evaluate_each_epoch = false;
      opt.threads = threads;
      opt.train_threads = train_threads;

      if (warmup > 0) {
        ssnn::GoldenModel warm(cfg);
        ssnn::Trainer(warm, warm_train, nullptr, opt).run();
        ssnn::evaluate(warm, warm_test, threads, false);
      }

      ssnn::GoldenModel model(cfg);
      ssnn::Trainer trainer(model, train_set, nullptr, opt);
      const double t0 = ssnn::now_seconds();
      trainer.run();
      const double train_s = ssnn::now_seconds() - t0;
      const ssnn::EvalResult e = ssnn::evaluate(model, test_set, threads, false);
      const double train_rate = static_cast<double>(n_train) / train_s;
      const double infer_rate = e.seconds > 0 ? static_cast<double>(n_test) / e.seconds : 0.0;
      const double rss = peak_rss_mib();

      const std::string topo = fmt::format("{}-{}-{}", cfg.inputs, fmt::join(cfg.hidden, "-"), cfg.classes);
      std::printf("%-14s %s T=%-4d %-10s train %7.1f samples/s (%zu in %.2f s, %d thr)  inference %7.1f samples/s "
                  "(%zu in %.2f s, %d thr)  peak RSS %.0f MiB  [accuracy after %zu samples: %.2f %%]\n",
                  b.name.c_str(), topo.c_str(), cfg.timesteps, ssnn::to_string(cfg.update_mode), train_rate, n_train,
                  train_s, train_threads, infer_rate, n_test, e.seconds, threads, rss, n_train, 100.0 * e.accuracy());
      std::fflush(stdout);

      nlohmann::json r = ssnn::result_record(cfg, used, "golden", 1, n_train, n_test, e.accuracy(), command);
      r["benchmark"] = b.name;
      r["train_samples_per_s"] = train_rate;
      r["inference_samples_per_s"] = infer_rate;
      r["train_seconds"] = train_s;
      r["inference_seconds"] = e.seconds;
      r["warmup_samples"] = warmup;
      r["train_threads"] = train_threads;
      r["inference_threads"] = threads;
      r["peak_rss_mib"] = rss;  // of the whole process so far (data set included)
      records.push_back(r);
    }
    if (!json_path.empty()) ssnn::write_json(json_path, records);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_golden: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
