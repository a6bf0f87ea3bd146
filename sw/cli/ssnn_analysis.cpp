// ssnn_analysis: the data behind the paper's characterisation figures, as JSON for plot scripts.
//
//   ssnn_analysis stochastic-mult --timesteps 50,100,200 [--seed S] [--step 0.02] [--json out.json]
//   ssnn_analysis wta-distribution --weights ckpt [--dataset subset] [--samples N] [--softmax-scales 10,50]
//                                  [--json out.json]
//   ssnn_analysis update-agreement --weights ckpt [--dataset subset] [--data-dir D] [--samples N]
//                                  [--timesteps T] [--tau-divisor X] [--input-profile flat|front-loaded]
//                                  [--json out.json]
//
// Bad input (an option's value, a file, a data set) ends with exit code 2 and one line on stderr
// naming the option or the file.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "ssnn/analysis.hpp"
#include "ssnn/checkpoint.hpp"
#include "ssnn/cli_options.hpp"
#include "ssnn/idx.hpp"
#include "ssnn/output_path.hpp"
#include "ssnn/report.hpp"
#include "ssnn/run_limits.hpp"
#include "ssnn/trainer.hpp"

namespace ssnn {
// JSON form of a layer's agreement: one key per member (a NaN ratio or cosine is written as null).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateAgreementLayer, rows, cols, coincidences_pos, coincidences_neg, rate_pos,
                                   rate_neg, ratio_pos, ratio_neg, mean_sample_cosine, summed_cosine, norm_ratio, slope,
                                   samples)
}  // namespace ssnn

namespace {

// stochastic-mult: the finest operand grid (1,000 values, a million pairs) and the largest work
// (operand pairs x timesteps summed over the trains: about 10 s).
constexpr double kMinStep = 1e-3;
constexpr double kMaxMultWork = 2e9;
constexpr long long kMaxTimesteps = 100000;

nlohmann::json to_json(const ssnn::SortedDistribution& d) {
  return nlohmann::json{{"mean_sorted", d.mean},   {"top1", d.top1},   {"entropy_bits", d.entropy_bits},
                        {"samples", d.samples},    {"silent", d.silent}};
}

nlohmann::json to_json(const ssnn::UpdateAgreementLayer& a, int layer) {
  nlohmann::json j = a;
  j["layer"] = layer;
  return j;
}


void emit(const nlohmann::json& j, const std::string& path) {
  if (path.empty()) {
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    ssnn::write_json(path, j);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SSNN-BP analyses: figure 4 (stochastic multiplication), figure 5 (WTA vs softmax), and the "
               "agreement of the stochastic update (eq. 10) with the rate update (eq. 9)"};
  app.require_subcommand(1);
  ssnn::one_line_errors(app, "ssnn_analysis");

  std::vector<int> timesteps{50, 100, 200, 500, 1000};
  uint64_t seed = 1;
  double step = 0.02;
  bool with_samples = false;
  std::string json_path;
  std::string weights_path;
  std::string dataset = "subset";
  std::string data_dir;
  size_t samples = 0;
  int threads = 0;
  double logit_per_rate = 5.0;
  std::vector<double> softmax_scales;
  bool allow_large = false;

  CLI::App* mult = app.add_subcommand("stochastic-mult", "figure 4: error of AND-of-two-trains multiplication vs T");
  mult->add_option("--timesteps", timesteps, "train lengths, comma separated")
      ->delimiter(',')->check(ssnn::int_range(1, kMaxTimesteps))->capture_default_str();
  mult->add_option("--seed", seed, "master seed of the trains")->check(ssnn::non_negative())->capture_default_str();
  mult->add_option("--step", step, "operand grid step (paper: 0.02, 50 values)")->capture_default_str();
  mult->add_flag("--errors", with_samples, "include every pair's error (for histograms)");
  mult->add_flag("--allow-large", allow_large, "run beyond the work limit (docs/robustness.md)");
  mult->add_option("--json", json_path, "write the JSON here (default: stdout)");

  CLI::App* wta = app.add_subcommand("wta-distribution", "figure 5: sorted output distribution, WTA vs softmax");
  wta->add_option("--weights", weights_path, "weights or checkpoint file")->required();
  wta->add_option("--dataset", dataset, "subset | mnist | fashion | emnist-<split> | path:<dir>")->capture_default_str();
  wta->add_option("--data-dir", data_dir, "cache folder of fetched data sets")->check(CLI::ExistingDirectory);
  wta->add_option("--samples", samples, "test samples to use (0: all)")->check(ssnn::non_negative());
  wta->add_option("--threads", threads, "threads (0: all cores)")->check(ssnn::int_range(0, 1024));
  wta->add_option("--logit-per-rate", logit_per_rate, "softmax logit = this * count / T (paper theta = 5)")
      ->capture_default_str();
  wta->add_option("--softmax-scales", softmax_scales,
                   "further logit-per-rate values: softmax distributions of the same raw counts (softmax_scales)")
      ->delimiter(',');
  wta->add_option("--json", json_path, "write the JSON here (default: stdout)");

  // The values are checked after parsing (--samples here, the overrides by ModelConfig::validate), so
  // a nonsense value is reported like every other bad input: one line naming the option, exit code 2.
  long long agreement_samples = 1000;
  int override_timesteps = 0;
  double override_tau = 0;
  std::string override_profile;
  CLI::App* agree = app.add_subcommand(
      "update-agreement",
      "eq. 10 vs eq. 9: coincidence counts against rate products on the spikes of fixed weights (training samples)");
  agree->add_option("--weights", weights_path, "weights or checkpoint file")->required();
  agree->add_option("--dataset", dataset, "subset | mnist | fashion | emnist-<split> | path:<dir>")->capture_default_str();
  agree->add_option("--data-dir", data_dir, "cache folder of fetched data sets")->check(CLI::ExistingDirectory);
  agree->add_option("--samples", agreement_samples, "first N training samples (0: all)")->capture_default_str();
  for (CLI::App* sub : {wta, agree})
    sub->add_flag("--allow-large", allow_large, "run beyond the network-size and work limits (docs/robustness.md)");
  agree->add_option("-T,--timesteps", override_timesteps, "timesteps per sample (default: the checkpoint's)");
  agree->add_option("--tau-divisor", override_tau, "kernel tau = T / this (default: the checkpoint's)");
  agree->add_option("--input-profile", override_profile, "front-loaded | flat (default: the checkpoint's)");
  agree->add_option("--json", json_path, "write the JSON here (default: stdout)");

  try {
    ssnn::check_option_values(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // --help: 0
    return rc == 0 ? 0 : 2;
  }

  try {
    const std::string command = ssnn::command_line(argc, argv);
    if (mult->parsed()) {
      ssnn::check_run_paths({}, {{"--json", json_path}});
      // A grid of n operand values has n^2 pairs, each kept (3 doubles) and run for T steps.
      if (!(step >= kMinStep) || step >= 1)
        throw ssnn::ConfigError(fmt::format("--step: {} is out of range [{}, 1)", step, kMinStep));
      const double pairs = std::pow(std::ceil(1.0 / step), 2);
      double work = 0;
      for (int t : timesteps) work += pairs * t;
      if (work > kMaxMultWork && !allow_large)
        throw ssnn::ConfigError(fmt::format("--timesteps: {:.0f} operand pairs x the trains' timesteps = {:.2e} steps, "
                                            "more than the limit of {:.0e} (--allow-large runs it anyway)",
                                            pairs, work, kMaxMultWork));
      nlohmann::json runs = nlohmann::json::array();
      for (int t : timesteps) {
        if (t < 1) throw std::invalid_argument("--timesteps: every value must be >= 1");
        const ssnn::StochasticMultResult r = ssnn::stochastic_mult_errors(t, seed, step);
        nlohmann::json j{{"timesteps", t},
                         {"pairs", r.stats.n},
                         {"mean_error", r.stats.mean},
                         {"std_error", r.stats.std},
                         {"std_times_sqrt_t", r.stats.std * std::sqrt(static_cast<double>(t))},
                         {"ideal_std", ssnn::stochastic_mult_ideal_std(t, step)}};
        if (with_samples) {
          j["a"] = r.a;
          j["b"] = r.b;
          j["error"] = r.error;
        }
        runs.push_back(j);
      }
      emit(nlohmann::json{{"analysis", "stochastic-mult"}, {"seed", seed}, {"step", step}, {"command", command},
                          {"runs", runs}},
           json_path);
    } else if (agree->parsed()) {
      if (agreement_samples < 0 || agreement_samples > static_cast<long long>(ssnn::IdxLimits::kMaxCount))
        throw ssnn::ConfigError(fmt::format("--samples: {} is out of range 0..{} (0: all)", agreement_samples,
                                            ssnn::IdxLimits::kMaxCount));
      const ssnn::Checkpoint c = ssnn::load_checkpoint(weights_path);
      ssnn::ModelConfig cfg = c.config;
      if (agree->count("--timesteps")) cfg.timesteps = override_timesteps;
      if (agree->count("--tau-divisor")) cfg.tau_divisor = override_tau;
      if (agree->count("--input-profile")) cfg.input_profile = ssnn::parse_input_profile(override_profile);
      cfg.validate();  // the overrides: one line naming the option
      const auto n = static_cast<size_t>(agreement_samples);
      const ssnn::Dataset train = ssnn::load_named_dataset(dataset, "train", data_dir, n);
      ssnn::check_data_fits(train, cfg, "--dataset");
      ssnn::check_run_size(cfg, static_cast<double>(train.size()), ssnn::RunLimits::kMaxGoldenWork, "--samples",
                           allow_large);
      ssnn::check_run_paths({{"--weights", weights_path}, {"--dataset", train.images_file}, {"--dataset", train.labels_file}},
                            {{"--json", json_path}});
      const ssnn::UpdateAgreement r = ssnn::compare_updates(cfg, c.weights, train, n);
      nlohmann::json layers = nlohmann::json::array();
      for (size_t l = 0; l < r.layers.size(); ++l) layers.push_back(to_json(r.layers[l], static_cast<int>(l)));
      emit(nlohmann::json{{"analysis", "update-agreement"},
                          {"weights", weights_path},
                          {"dataset", dataset},
                          {"split", "train"},
                          {"samples", r.samples},
                          {"correct", r.correct},
                          {"timesteps", cfg.timesteps},
                          {"tau_divisor", cfg.tau_divisor},
                          {"input_profile", ssnn::to_string(cfg.input_profile)},
                          {"input_rate", cfg.input_rate},
                          {"dropout_input", cfg.dropout_input},
                          {"dropout_hidden", cfg.dropout_hidden},
                          {"seed", cfg.seed},
                          {"trained_update_mode", ssnn::to_string(cfg.update_mode)},
                          {"config", cfg},
                          {"command", command},
                          {"layers", layers}},
           json_path);
    } else {
      const ssnn::Checkpoint c = ssnn::load_checkpoint(weights_path);
      const ssnn::Dataset test = ssnn::load_named_dataset(dataset, "test", data_dir, samples);
      ssnn::check_data_fits(test, c.config, "--dataset");
      if (!std::isfinite(logit_per_rate) || !(logit_per_rate > 0))
        throw ssnn::ConfigError(fmt::format("--logit-per-rate: {} must be a finite number > 0", logit_per_rate));
      for (double x : softmax_scales)
        if (!std::isfinite(x) || !(x > 0))
          throw ssnn::ConfigError(fmt::format("--softmax-scales: {} must be a finite number > 0", x));
      ssnn::check_run_size(c.config, 2.0 * static_cast<double>(test.size()), ssnn::RunLimits::kMaxGoldenWork,
                           "--samples", allow_large);
      ssnn::check_run_paths({{"--weights", weights_path}, {"--dataset", test.images_file}, {"--dataset", test.labels_file}},
                            {{"--json", json_path}});
      const ssnn::WtaComparison r = ssnn::compare_wta(c.config, c.weights, test, samples, threads, logit_per_rate);
      nlohmann::json scales = nlohmann::json::array();
      for (double s : softmax_scales) {
        nlohmann::json j = to_json(ssnn::sorted_softmax_distribution(r.raw_counts, c.config.timesteps, s));
        j["logit_per_rate"] = s;
        scales.push_back(j);
      }
      emit(nlohmann::json{{"analysis", "wta-distribution"},
                          {"dataset", dataset},
                          {"weights", weights_path},
                          {"timesteps", c.config.timesteps},
                          {"inhibition", c.config.inhibition},
                          {"logit_per_rate", logit_per_rate},
                          {"command", command},
                          {"raw", to_json(r.raw)},
                          {"wta", to_json(r.wta)},
                          {"softmax", to_json(r.softmax)},
                          {"softmax_scales", scales},
                          {"raw_accuracy", r.raw_accuracy},
                          {"wta_accuracy", r.wta_accuracy}},
           json_path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ssnn_analysis: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
