// Figures 4 and 5 (stochastic multiplication error, WTA output distribution) and the update agreement
// of eq. 10 with eq. 9.
#include "ssnn/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/lfsr.hpp"
#include "ssnn/contract/seeding.hpp"

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

namespace {

// Records one sample's spikes step by step for compare_updates: spike counts per neuron, the neurons
// that spiked at all, and the coincidence update C of every weight layer (pulses up minus down).
// All buffers are sized once; on_step only writes into them.
class CoincidenceRecorder final : public StepObserver {
 public:
  explicit CoincidenceRecorder(const ModelConfig& cfg) : layers_(cfg.layers()) {
    const auto n_layers = static_cast<size_t>(layers_) + 1;
    n_fwd_.resize(n_layers);
    n_pos_.resize(n_layers);
    n_neg_.resize(n_layers);
    active_fwd_.resize(n_layers);
    active_grad_.resize(n_layers);
    for (size_t l = 0; l < n_layers; ++l) {
      const auto n = static_cast<size_t>(cfg.layer_size(static_cast<int>(l)));
      n_fwd_[l].assign(n, 0);
      n_pos_[l].assign(n, 0);
      n_neg_[l].assign(n, 0);
      active_fwd_[l].reserve(n);
      active_grad_[l].reserve(n);
    }
    for (int l = 0; l < layers_; ++l) coincidence_.emplace_back(cfg.layer_size(l), cfg.layer_size(l + 1));
    pos_pairs_.assign(static_cast<size_t>(layers_), 0);
    neg_pairs_.assign(static_cast<size_t>(layers_), 0);
  }

  // Before a sample: clears the counts.  The coincidence matrices are cleared by the one who reads
  // them (take_layer), entry by entry, so a sample costs its active cross-points, not the matrix.
  void begin_sample() {
    for (size_t l = 0; l < n_fwd_.size(); ++l) {
      for (int i : active_fwd_[l]) n_fwd_[l][static_cast<size_t>(i)] = 0;
      for (int j : active_grad_[l]) n_pos_[l][static_cast<size_t>(j)] = n_neg_[l][static_cast<size_t>(j)] = 0;
      active_fwd_[l].clear();
      active_grad_[l].clear();
    }
    std::fill(pos_pairs_.begin(), pos_pairs_.end(), 0);
    std::fill(neg_pairs_.begin(), neg_pairs_.end(), 0);
  }

  void on_step(const StepSpikes& s) override {
    for (size_t l = 0; l <= static_cast<size_t>(layers_); ++l) {
      for (int i : (*s.forward)[l])
        if (n_fwd_[l][static_cast<size_t>(i)]++ == 0) active_fwd_[l].push_back(i);
      for (int j : (*s.grad_pos)[l]) {
        const auto u = static_cast<size_t>(j);
        if (n_pos_[l][u]++ == 0 && n_neg_[l][u] == 0) active_grad_[l].push_back(j);
      }
      for (int j : (*s.grad_neg)[l]) {
        const auto u = static_cast<size_t>(j);
        if (n_neg_[l][u]++ == 0 && n_pos_[l][u] == 0) active_grad_[l].push_back(j);
      }
    }
    // Eq. 10: every (row spike, column gradient spike) pair of the step is one coincidence.
    for (size_t l = 0; l < static_cast<size_t>(layers_); ++l) {
      const std::vector<int>& rows = (*s.forward)[l];
      const std::vector<int>& up = (*s.grad_pos)[l + 1];
      const std::vector<int>& down = (*s.grad_neg)[l + 1];
      if (rows.empty() || (up.empty() && down.empty())) continue;
      WeightMatrix& c = coincidence_[l];
      for (int i : rows) {
        int32_t* row = c.row(i);
        for (int j : up) ++row[j];
        for (int j : down) --row[j];
      }
      pos_pairs_[l] += static_cast<uint64_t>(rows.size()) * up.size();
      neg_pairs_[l] += static_cast<uint64_t>(rows.size()) * down.size();
    }
  }

  int layers() const { return layers_; }
  const std::vector<int32_t>& n_fwd(int l) const { return n_fwd_[static_cast<size_t>(l)]; }
  const std::vector<int32_t>& n_pos(int l) const { return n_pos_[static_cast<size_t>(l)]; }
  const std::vector<int32_t>& n_neg(int l) const { return n_neg_[static_cast<size_t>(l)]; }
  const std::vector<int>& active_fwd(int l) const { return active_fwd_[static_cast<size_t>(l)]; }
  const std::vector<int>& active_grad(int l) const { return active_grad_[static_cast<size_t>(l)]; }
  WeightMatrix& coincidence(int l) { return coincidence_[static_cast<size_t>(l)]; }
  uint64_t pos_pairs(int l) const { return pos_pairs_[static_cast<size_t>(l)]; }
  uint64_t neg_pairs(int l) const { return neg_pairs_[static_cast<size_t>(l)]; }

 private:
  int layers_;
  std::vector<std::vector<int32_t>> n_fwd_, n_pos_, n_neg_;  // [neuron layer 0..L][neuron]
  std::vector<std::vector<int>> active_fwd_;                 // neurons with a forward spike this sample
  std::vector<std::vector<int>> active_grad_;                // neurons with a gradient spike this sample
  std::vector<WeightMatrix> coincidence_;                    // [weight layer] C of this sample
  std::vector<uint64_t> pos_pairs_, neg_pairs_;              // [weight layer] coincidences this sample
};

double ratio_or_nan(double num, double den) {
  return den > 0 ? num / den : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

UpdateAgreement compare_updates(const ModelConfig& cfg, const std::vector<WeightMatrix>& weights, const Dataset& data,
                                size_t max_samples) {
  if (static_cast<int>(weights.size()) != cfg.layers())
    throw std::invalid_argument("compare_updates: the weights do not match the configuration's layers");
  for (int l = 0; l < cfg.layers(); ++l) {
    const WeightMatrix& w = weights[static_cast<size_t>(l)];
    if (w.rows != cfg.layer_size(l) || w.cols != cfg.layer_size(l + 1) ||
        w.values.size() != static_cast<size_t>(w.rows) * static_cast<size_t>(w.cols))
      throw std::invalid_argument("compare_updates: the weights do not match the configuration's layer sizes");
  }
  if (data.pixels_per_image() != static_cast<size_t>(cfg.inputs))
    throw std::invalid_argument("compare_updates: the images do not match the model's input count");
  if (data.num_classes > static_cast<uint32_t>(cfg.classes))
    throw std::invalid_argument("compare_updates: the data set has more classes than the model's outputs");

  // Rate mode: nothing moves within a sample, and the end-of-sample update (eq. 9) writes only the
  // cross-points of rows with a forward spike and columns with a gradient spike, which are restored.
  ModelConfig run_cfg = cfg;
  run_cfg.update_mode = UpdateMode::kRate;
  GoldenModel model(run_cfg);  // validates
  model.weights() = weights;
  model.set_threads(1);
  Workspace ws(run_cfg);
  CoincidenceRecorder rec(run_cfg);

  const int L = run_cfg.layers();
  const double T = run_cfg.timesteps;
  // Sums over samples, in units of 1/T for R (exact integers): sum_T_rate[l] = T * sum of R, sum_coinc[l] = sum of C.
  std::vector<std::vector<int64_t>> sum_T_rate(static_cast<size_t>(L)), sum_coinc(static_cast<size_t>(L));
  for (int l = 0; l < L; ++l) {
    const size_t n = weights[static_cast<size_t>(l)].values.size();
    sum_T_rate[static_cast<size_t>(l)].assign(n, 0);
    sum_coinc[static_cast<size_t>(l)].assign(n, 0);
  }
  std::vector<double> rate_pos_T(static_cast<size_t>(L), 0.0), rate_neg_T(static_cast<size_t>(L), 0.0);
  std::vector<double> cosine_sum(static_cast<size_t>(L), 0.0);

  UpdateAgreement out;
  out.layers.resize(static_cast<size_t>(L));
  const size_t n = max_samples ? std::min(max_samples, data.size()) : data.size();
  for (size_t s = 0; s < n; ++s) {
    rec.begin_sample();
    SampleSpec spec;
    spec.phase = Phase::kTrain;
    spec.epoch = 0;
    spec.index = s;
    spec.learn = true;
    const SampleResult r = model.run_sample(ws, data.image(s), data.label(s), spec, &rec);
    out.correct += r.prediction == data.label(s) ? 1 : 0;

    for (int l = 0; l < L; ++l) {
      const auto u = static_cast<size_t>(l);
      UpdateAgreementLayer& rec_l = out.layers[u];
      rec_l.coincidences_pos += rec.pos_pairs(l);
      rec_l.coincidences_neg += rec.neg_pairs(l);
      const std::vector<int32_t>& nx = rec.n_fwd(l);
      const std::vector<int32_t>& np = rec.n_pos(l + 1);
      const std::vector<int32_t>& nn = rec.n_neg(l + 1);
      const std::vector<int>& cols = rec.active_grad(l + 1);
      // Sum of n_x n_pos over the cross-points factorises into (sum n_x) (sum n_pos).
      double rows_total = 0, pos_total = 0, neg_total = 0;
      for (int i : rec.active_fwd(l)) rows_total += nx[static_cast<size_t>(i)];
      for (int j : cols) {
        pos_total += np[static_cast<size_t>(j)];
        neg_total += nn[static_cast<size_t>(j)];
      }
      rate_pos_T[u] += rows_total * pos_total;
      rate_neg_T[u] += rows_total * neg_total;
      if (cols.empty()) continue;
      WeightMatrix& c = rec.coincidence(l);
      WeightMatrix& w = model.weights()[u];
      const WeightMatrix& w0 = weights[u];
      const auto stride = static_cast<size_t>(c.cols);
      double dot = 0, rr = 0, cc = 0;  // <T R, C>, |T R|^2, |C|^2 of this sample
      for (int i : rec.active_fwd(l)) {
        const int64_t x = nx[static_cast<size_t>(i)];
        const size_t base = static_cast<size_t>(i) * stride;
        int32_t* c_row = c.values.data() + base;
        int32_t* w_row = w.values.data() + base;
        const int32_t* w0_row = w0.values.data() + base;
        int64_t* sr = sum_T_rate[u].data() + base;
        int64_t* sc = sum_coinc[u].data() + base;
        for (int j : cols) {
          const auto uj = static_cast<size_t>(j);
          const int64_t tr = x * (int64_t{np[uj]} - nn[uj]);
          const int32_t cv = c_row[uj];
          dot += static_cast<double>(tr) * cv;
          rr += static_cast<double>(tr) * static_cast<double>(tr);
          cc += static_cast<double>(cv) * cv;
          sr[uj] += tr;
          sc[uj] += cv;
          c_row[uj] = 0;           // ready for the next sample
          w_row[uj] = w0_row[uj];  // undo this sample's rate update
        }
      }
      if (rr > 0 && cc > 0) {
        cosine_sum[u] += dot / std::sqrt(rr * cc);
        ++rec_l.samples;
      }
    }
  }
  out.samples = n;

  // The restore above must have left every weight as given: check it once (it is cheap next to the run).
  for (int l = 0; l < L; ++l)
    if (!(model.weights()[static_cast<size_t>(l)] == weights[static_cast<size_t>(l)]))
      throw std::logic_error("compare_updates: the rate update wrote outside the restored cross-points");

  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int l = 0; l < L; ++l) {
    const auto u = static_cast<size_t>(l);
    UpdateAgreementLayer& a = out.layers[u];
    a.rows = run_cfg.layer_size(l);
    a.cols = run_cfg.layer_size(l + 1);
    a.rate_pos = rate_pos_T[u] / T;
    a.rate_neg = rate_neg_T[u] / T;
    a.ratio_pos = ratio_or_nan(static_cast<double>(a.coincidences_pos), a.rate_pos);
    a.ratio_neg = ratio_or_nan(static_cast<double>(a.coincidences_neg), a.rate_neg);
    a.mean_sample_cosine = a.samples ? cosine_sum[u] / static_cast<double>(a.samples) : nan;
    double dot = 0, rr = 0, cc = 0;  // <T sum R, sum C>, |T sum R|^2, |sum C|^2
    const std::vector<int64_t>& sr = sum_T_rate[u];
    const std::vector<int64_t>& sc = sum_coinc[u];
    for (size_t k = 0; k < sr.size(); ++k) {
      const auto r = static_cast<double>(sr[k]);
      const auto c = static_cast<double>(sc[k]);
      dot += r * c;
      rr += r * r;
      cc += c * c;
    }
    a.summed_cosine = rr > 0 && cc > 0 ? dot / std::sqrt(rr * cc) : nan;
    a.norm_ratio = rr > 0 ? T * std::sqrt(cc / rr) : nan;
    a.slope = rr > 0 ? T * dot / rr : nan;
  }
  return out;
}

}  // namespace ssnn
