// Figures 4 and 5: stochastic multiplication error and the WTA output distribution.
#include "ssnn/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "ssnn/encoder.hpp"
#include "ssnn/lfsr.hpp"
#include "ssnn/seeding.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ssnn {

SampleStats sample_stats(const std::vector<double>& values) {
  SampleStats s;
  s.n = values.size();
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  double sq = 0;
  for (double v : values) sq += (v - s.mean) * (v - s.mean);
  s.std = std::sqrt(sq / static_cast<double>(s.n));
  return s;
}

std::vector<double> product_grid(double step) {
  if (!(step > 0) || step >= 1) throw std::invalid_argument("product_grid: step must be in (0, 1)");
  std::vector<double> grid;
  for (int k = 0;; ++k) {
    const double v = k * step;
    if (v >= 1.0 - 1e-12) break;
    grid.push_back(v);
  }
  return grid;
}

StochasticMultResult stochastic_mult_errors(int timesteps, uint64_t seed, double step) {
  if (timesteps < 1) throw std::invalid_argument("stochastic_mult_errors: timesteps must be >= 1");
  const std::vector<double> grid = product_grid(step);
  StochasticMultResult r;
  r.timesteps = timesteps;
  r.seed = seed;
  const size_t n = grid.size() * grid.size();
  r.a.reserve(n);
  r.b.reserve(n);
  r.error.reserve(n);
  uint64_t pair = 0;
  for (double a : grid) {
    for (double b : grid) {
      const uint64_t key = sample_key(seed, Phase::kTest, 0, pair++);
      Lfsr la(stream_seed(key, 0));
      Lfsr lb(stream_seed(key, 1));
      const uint32_t qa = prob_to_q16(a);
      const uint32_t qb = prob_to_q16(b);
      int coincidences = 0;
      for (int t = 0; t < timesteps; ++t) {
        const bool sa = bernoulli(la, qa);
        const bool sb = bernoulli(lb, qb);
        coincidences += (sa && sb) ? 1 : 0;
      }
      r.a.push_back(a);
      r.b.push_back(b);
      r.error.push_back(static_cast<double>(coincidences) / timesteps - a * b);
    }
  }
  r.stats = sample_stats(r.error);
  return r;
}

double stochastic_mult_ideal_std(int timesteps, double step) {
  const std::vector<double> grid = product_grid(step);
  double var = 0;
  for (double a : grid)
    for (double b : grid) var += a * b * (1 - a * b);
  var /= static_cast<double>(grid.size() * grid.size());
  return std::sqrt(var / timesteps);
}

OutputRecords output_counts(GoldenModel& model, const Dataset& data, size_t max_samples, int threads) {
  const ModelConfig& cfg = model.config();
  if (data.pixels_per_image() != static_cast<size_t>(cfg.inputs))
    throw std::invalid_argument("output_counts: the images do not match the model's input count");
  const size_t n = max_samples ? std::min(max_samples, data.size()) : data.size();
  OutputRecords out;
  out.counts.assign(n, {});
  out.prediction.assign(n, -1);
  const auto count = static_cast<int64_t>(n);
#ifdef _OPENMP
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads)
#else
  (void)threads;
#endif
  {
    Workspace ws(cfg);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 8)
#endif
    for (int64_t i = 0; i < count; ++i) {
      SampleSpec spec;
      spec.phase = Phase::kTest;
      spec.index = static_cast<uint64_t>(i);
      SampleResult r = model.run_sample(ws, data.image(static_cast<size_t>(i)), -1, spec);
      out.prediction[static_cast<size_t>(i)] = r.prediction;
      out.counts[static_cast<size_t>(i)] = std::move(r.output_counts);
    }
  }
  size_t correct = 0;
  for (size_t i = 0; i < n; ++i) correct += out.prediction[i] == data.label(i) ? 1 : 0;
  out.accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
  return out;
}

namespace {

// Averages per-sample distributions (each already normalised, or empty when the sample is silent).
SortedDistribution average_sorted(const std::vector<std::vector<int32_t>>& counts,
                                  const std::function<bool(const std::vector<int32_t>&, std::vector<double>&)>& dist) {
  SortedDistribution d;
  std::vector<double> p;
  for (const auto& c : counts) {
    if (d.mean.size() < c.size()) d.mean.resize(c.size(), 0.0);
    if (!dist(c, p)) {
      ++d.silent;
      continue;
    }
    std::sort(p.begin(), p.end(), std::greater<double>());
    double h = 0;
    for (size_t k = 0; k < p.size(); ++k) {
      d.mean[k] += p[k];
      if (p[k] > 0) h -= p[k] * std::log2(p[k]);
    }
    d.entropy_bits += h;
    ++d.samples;
  }
  if (d.samples) {
    for (double& m : d.mean) m /= static_cast<double>(d.samples);
    d.entropy_bits /= static_cast<double>(d.samples);
  }
  d.top1 = d.mean.empty() ? 0.0 : d.mean[0];
  return d;
}

}  // namespace

SortedDistribution sorted_count_distribution(const std::vector<std::vector<int32_t>>& counts) {
  return average_sorted(counts, [](const std::vector<int32_t>& c, std::vector<double>& p) {
    double total = 0;
    for (int32_t v : c) total += v;
    if (total <= 0) return false;
    p.assign(c.size(), 0.0);
    for (size_t k = 0; k < c.size(); ++k) p[k] = c[k] / total;
    return true;
  });
}

SortedDistribution sorted_softmax_distribution(const std::vector<std::vector<int32_t>>& counts, int timesteps,
                                               double logit_per_rate) {
  if (timesteps < 1) throw std::invalid_argument("sorted_softmax_distribution: timesteps must be >= 1");
  const double scale = logit_per_rate / timesteps;
  return average_sorted(counts, [scale](const std::vector<int32_t>& c, std::vector<double>& p) {
    if (c.empty()) return false;
    const int32_t top = *std::max_element(c.begin(), c.end());
    p.assign(c.size(), 0.0);
    double total = 0;
    for (size_t k = 0; k < c.size(); ++k) total += p[k] = std::exp(scale * (c[k] - top));
    for (double& v : p) v /= total;
    return true;
  });
}

WtaComparison compare_wta(const ModelConfig& cfg, const std::vector<WeightMatrix>& weights, const Dataset& data,
                          size_t max_samples, int threads, double logit_per_rate) {
  if (static_cast<int>(weights.size()) != cfg.layers())
    throw std::invalid_argument("compare_wta: the weights do not match the configuration's layers");
  for (int l = 0; l < cfg.layers(); ++l) {
    const WeightMatrix& w = weights[static_cast<size_t>(l)];
    if (w.rows != cfg.layer_size(l) || w.cols != cfg.layer_size(l + 1))
      throw std::invalid_argument("compare_wta: the weights do not match the configuration's layer sizes");
  }
  WtaComparison r;
  ModelConfig off = cfg;
  off.wta = false;
  GoldenModel raw_model(off);
  raw_model.weights() = weights;
  const OutputRecords raw = output_counts(raw_model, data, max_samples, threads);
  ModelConfig on = cfg;
  on.wta = true;
  GoldenModel wta_model(on);
  wta_model.weights() = weights;
  const OutputRecords wta = output_counts(wta_model, data, max_samples, threads);
  r.raw = sorted_count_distribution(raw.counts);
  r.wta = sorted_count_distribution(wta.counts);
  r.softmax = sorted_softmax_distribution(raw.counts, cfg.timesteps, logit_per_rate);
  r.raw_accuracy = raw.accuracy;
  r.wta_accuracy = wta.accuracy;
  r.raw_counts = raw.counts;
  return r;
}

}  // namespace ssnn
