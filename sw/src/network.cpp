// The golden model's per-sample loop: encode, forward, error, backward, update, step after step.
// Why one file (about 750 lines): the per-sample loop of every phase (encode, forward, error, backward, update) shares the workspace and counters; the vector kernels already live in golden_kernels.cpp.
#include "ssnn/network.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "ssnn/contract/device.hpp"
#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/encoder.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn/contract/synapse.hpp"
#include "ssnn/golden_kernels.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

// The hot loops get an AVX2 clone picked at load time; the default clone keeps the binary portable.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SSNN_HOT __attribute__((target_clones("avx2", "default")))
// Loops of 64-bit hashes (splitmix64) gain most from AVX-512's 64-bit multiply.
#define SSNN_HOT_HASH __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SSNN_HOT
#define SSNN_HOT_HASH
#endif

namespace ssnn {

DeviceArrays device_cells(const ModelConfig& cfg) {
  DeviceArrays cells;
  const DeviceRule rule = cfg.device_rule();
  if (!rule.pulses) return cells;
  for (int l = 0; l < cfg.layers(); ++l) {
    const SynapseParams sp = cfg.synapse_params(0, l);
    cells.push_back(draw_device_block(rule, device_cells_key(cfg.seed), l, 0, cfg.layer_size(l), 0, cfg.layer_size(l + 1),
                                      sp.w_min, sp.w_max, cfg.state_quantum()));
  }
  return cells;
}

std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg) { return initial_weights(cfg, device_cells(cfg)); }

std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg, const DeviceArrays& cells) {
  std::vector<WeightMatrix> w;
  const uint64_t key = sample_key(cfg.seed, Phase::kInit, 0, 0);
  for (int l = 0; l < cfg.layers(); ++l) {
    WeightMatrix m(cfg.layer_size(l), cfg.layer_size(l + 1));
    const int32_t theta_post = cfg.nominal_threshold(l + 1);
    const double bound = cfg.init_gain * std::sqrt(6.0 / m.rows) * theta_post;
    const SynapseParams sp = cfg.synapse_params(0, l);
    const auto b = static_cast<uint32_t>(std::min<double>(std::lround(bound), sp.w_max));
    const int32_t level = cfg.device_states > 1 ? sp.w_max / ((cfg.device_states - 1) / 2 > 0 ? (cfg.device_states - 1) / 2 : 1) : 1;
    Lfsr lfsr(stream_seed(key, stream::kInitBase + static_cast<uint64_t>(l)));
    for (int32_t& v : m.values) {
      int32_t x = static_cast<int32_t>(lfsr.next() % (2 * b + 1)) - static_cast<int32_t>(b);
      if (level > 1) x = static_cast<int32_t>(std::lround(static_cast<double>(x) / level)) * level;
      v = clamp_to(x, sp.w_min, sp.w_max);
    }
    // A device holds only what its own bounds allow; a stuck one, its bound.
    if (!cells.empty()) {
      const std::vector<DeviceCell>& c = cells[static_cast<size_t>(l)];
      for (size_t k = 0; k < c.size(); ++k) m.values[k] = device_hold(c[k], m.values[k]);
    }
    w.push_back(std::move(m));
  }
  return w;
}

Workspace::Workspace(const ModelConfig& cfg) {
  const int L = cfg.layers();
  auto sized = [&](auto& v) {
    v.resize(static_cast<size_t>(L) + 1);
    for (int l = 0; l <= L; ++l) v[static_cast<size_t>(l)].assign(static_cast<size_t>(cfg.layer_size(l)), {});
  };
  sized(fwd_charge_);
  sized(fwd_potential_);
  sized(grad_charge_);
  sized(grad_pos_);
  sized(grad_neg_);
  sized(gate_);
  sized(fwd_flag_);
  sized(gate_open_);
  sized(pos_flag_);
  sized(neg_flag_);
  sized(keep_);
  sized(acc_);
  sized(count_fwd_);
  sized(count_pos_);
  sized(count_neg_);
  auto lists = [&](auto& v) {
    v.resize(static_cast<size_t>(L) + 1);
    for (int l = 0; l <= L; ++l)
      v[static_cast<size_t>(l)].reserve(static_cast<size_t>(cfg.layer_size(l)) + kernels::kCollectSlack);
  };
  lists(list_fwd_);
  lists(list_pos_);
  lists(list_neg_);
  part_fwd_.resize(GoldenModel::kMaxSampleThreads);
  part_pos_.resize(GoldenModel::kMaxSampleThreads);
  part_neg_.resize(GoldenModel::kMaxSampleThreads);
  for (int p = 0; p < GoldenModel::kMaxSampleThreads; ++p) {
    lists(part_fwd_[static_cast<size_t>(p)]);
    lists(part_pos_[static_cast<size_t>(p)]);
    lists(part_neg_[static_cast<size_t>(p)]);
  }
  thread_counters_.resize(GoldenModel::kMaxSampleThreads);
  const auto inputs = static_cast<size_t>(cfg.inputs);
  active_pixels_.reserve(inputs);
  active_lfsr_.resize(inputs);
  active_value_.resize(inputs);
  active_fire_.resize(inputs);
  fired_.reserve(inputs + kernels::kCollectSlack);
  int widest = 0;
  for (int l = 0; l <= L; ++l) widest = std::max(widest, cfg.layer_size(l));
  grad_columns_.reserve(static_cast<size_t>(widest));
  rate_drive_.resize(static_cast<size_t>(widest));
  rate_active_.resize(static_cast<size_t>(widest));
  merged_.resize(GoldenModel::kMaxSampleThreads);
  for (auto& m : merged_) m.reserve(static_cast<size_t>(widest) + kernels::kCollectSlack);
  const uint32_t rate_q16 = prob_to_q16(cfg.input_rate);
  ramp_.resize(static_cast<size_t>(cfg.timesteps));
  for (int t = 0; t < cfg.timesteps; ++t) ramp_[static_cast<size_t>(t)] = input_ramp_q16(rate_q16, t, cfg.timesteps, cfg.input_profile);
  counters.reset(L);
}

GoldenModel::GoldenModel(const ModelConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  neuron_ = cfg_.neuron_params();
  device_ = cfg_.device_rule();
  per_state_ = RoundingDivider(cfg_.state_quantum());
  cells_ = ssnn::device_cells(cfg_);
  weights_ = initial_weights(cfg_, cells_);
  narrow_possible_ = cfg_.weight_bits <= 16 && !device_.pulses;
  narrow_state_.store(narrow_possible_ ? kNarrowStale : kNarrowOff);
}

namespace {
// The 16-bit kernels' vector width: narrower layers are read a column at a time and small enough to
// stay in the cache in 32 bits.
constexpr int kNarrowMinColumns = 16;
}  // namespace

void GoldenModel::prepare_narrow() {
  if (narrow_state_.load(std::memory_order_acquire) != kNarrowStale) return;
  std::lock_guard<std::mutex> lock(narrow_mutex_);
  if (narrow_state_.load(std::memory_order_relaxed) != kNarrowStale) return;
  narrow_.resize(weights_.size());
  narrow_row_max_.resize(weights_.size());
  narrow_max_.assign(weights_.size(), 0);
  for (size_t l = 0; l < weights_.size(); ++l) {
    const WeightMatrix& w = weights_[l];
    std::vector<int16_t>& copy = narrow_[l];
    copy.clear();
    narrow_row_max_[l].assign(static_cast<size_t>(w.rows), 0);
    if (w.cols < kNarrowMinColumns) continue;
    // Weights handed in from outside may lie beyond their bounds: that layer keeps the 32-bit path.
    const SynapseParams syn = cfg_.synapse_params(0, static_cast<int>(l));  // bounds do not change with the epoch
    if (std::any_of(w.values.begin(), w.values.end(), [&](int32_t v) { return v < syn.w_min || v > syn.w_max; }))
      continue;
    copy.resize(w.values.size());
    for (int i = 0; i < w.rows; ++i)
      narrow_row_max_[l][static_cast<size_t>(i)] =
          kernels::narrow_row(copy.data() + static_cast<size_t>(i) * static_cast<size_t>(w.cols), w.row(i), w.cols);
    narrow_max_[l] = *std::max_element(narrow_row_max_[l].begin(), narrow_row_max_[l].end());
  }
  narrow_state_.store(kNarrowInUse, std::memory_order_release);
}

// Only rows that spiked in the sample got an update: copies those between weights_ and narrow_.
void GoldenModel::sync_narrow_rows(const Workspace& ws, bool narrow_to_wide) {
  for (size_t l = 0; l < weights_.size(); ++l) {
    if (narrow_[l].empty()) continue;
    WeightMatrix& w = weights_[l];
    const std::vector<int32_t>& spikes = ws.count_fwd_[l];
    for (int i = 0; i < w.rows; ++i) {
      if (spikes[static_cast<size_t>(i)] == 0) continue;
      int16_t* copy = narrow_[l].data() + static_cast<size_t>(i) * static_cast<size_t>(w.cols);
      narrow_row_max_[l][static_cast<size_t>(i)] =
          narrow_to_wide ? kernels::widen_row(w.row(i), copy, w.cols) : kernels::narrow_row(copy, w.row(i), w.cols);
    }
    narrow_max_[l] = *std::max_element(narrow_row_max_[l].begin(), narrow_row_max_[l].end());
  }
}

namespace {

// The read noise of lines first..first+n-1 (device model), added to their integrated sums.
SSNN_HOT_HASH void add_read_noise(const DeviceRule& rule, uint64_t read_key, int first, int n, int32_t* acc) {
  for (int j = 0; j < n; ++j) acc[j] += read_noise_lsb(rule, read_key, first + j);
}

// Standard normal from two LFSR draws (Box-Muller, cosine branch).
double gaussian(Lfsr& lfsr) {
  const double u1 = (static_cast<double>(lfsr.next()) + 0.5) / 4294967296.0;
  const double u2 = (static_cast<double>(lfsr.next()) + 0.5) / 4294967296.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace

void GoldenModel::reset_sample(Workspace& ws, const uint8_t* pixels, const SampleSpec& spec) const {
  const int L = cfg_.layers();
  const uint64_t key = sample_key(cfg_.seed, spec.phase, spec.epoch, spec.index);
  for (int l = 0; l <= L; ++l) {
    const auto u = static_cast<size_t>(l);
    std::fill(ws.fwd_charge_[u].begin(), ws.fwd_charge_[u].end(), 0);
    const bool hidden = l > 0 && l < L;
    const int32_t fwd_start = hidden ? cfg_.forward_start_potential(l, spec.learn) : 0;
    const int32_t grad_start = hidden ? cfg_.gradient_start_potential(l) : 0;
    std::fill(ws.fwd_potential_[u].begin(), ws.fwd_potential_[u].end(), fwd_start);
    std::fill(ws.grad_charge_[u].begin(), ws.grad_charge_[u].end(), 0);
    std::fill(ws.grad_pos_[u].begin(), ws.grad_pos_[u].end(), grad_start);
    std::fill(ws.grad_neg_[u].begin(), ws.grad_neg_[u].end(), grad_start);
    // Output error neurons are not gated; hidden gradient neurons wait for their forward neuron.
    std::fill(ws.gate_[u].begin(), ws.gate_[u].end(), l == L ? 1 : 0);
    std::fill(ws.fwd_flag_[u].begin(), ws.fwd_flag_[u].end(), 0);
    std::fill(ws.gate_open_[u].begin(), ws.gate_open_[u].end(), 0);
    std::fill(ws.pos_flag_[u].begin(), ws.pos_flag_[u].end(), 0);
    std::fill(ws.neg_flag_[u].begin(), ws.neg_flag_[u].end(), 0);
    std::fill(ws.count_fwd_[u].begin(), ws.count_fwd_[u].end(), 0);
    std::fill(ws.count_pos_[u].begin(), ws.count_pos_[u].end(), 0);
    std::fill(ws.count_neg_[u].begin(), ws.count_neg_[u].end(), 0);
    ws.list_fwd_[u].clear();
    ws.list_pos_[u].clear();
    ws.list_neg_[u].clear();
    const double drop = !spec.learn || l == L ? 0.0 : (l == 0 ? cfg_.dropout_input : cfg_.dropout_hidden);
    dropout_mask(key, l, drop, cfg_.layer_size(l), ws.keep_[u].data());
  }
  // Only pixels that can spike need their encoder; the others' streams are never observed.
  ws.active_pixels_.clear();
  for (int i = 0; i < cfg_.inputs; ++i) {
    if (pixels[i] != 0 && ws.keep_[0][static_cast<size_t>(i)]) {
      const size_t k = ws.active_pixels_.size();
      ws.active_pixels_.push_back(i);
      ws.active_lfsr_[k].load(stream_seed(key, stream::kInputBase + static_cast<uint64_t>(i)));
      ws.active_value_[k] = pixels[i];
    }
  }
  ws.counters.reset(L);
  if (cfg_.update_mode == UpdateMode::kStochasticSample && ws.pending_.size() != weights_.size()) {
    ws.pending_.clear();
    for (const WeightMatrix& w : weights_) ws.pending_.emplace_back(w.rows, w.cols);
  }
}

namespace {

// The slice of a layer's neurons one thread owns: contiguous, 16-aligned (vector width, no false sharing).
struct Range {
  int begin;
  int end;
};

Range thread_range(int n, int tid, int threads) {
  const int chunk = ((n + threads - 1) / threads + 15) / 16 * 16;
  const int begin = std::min(n, tid * chunk);
  return Range{begin, std::min(n, begin + chunk)};
}

// The step's coincidence pulses (eq. 10, no pulse noise) of every spiking row into the columns of
// range r, each row in vector lanes over the whole range (kernels::pulse_row_dense), for when the
// columns with a gradient spike are dense enough for that to pay.  step and hit are scratch of the
// layer's width; only their range r is written, so threads owning other ranges may share them.
// Returns false, changing no weight, when a column has both an up and a down pulse this step: the
// row-by-row rule applies those in turn.
template <class W>
bool dense_pulses(W* weights, int cols, const SynapseParams& syn, Range r, const SpikeList& up, const SpikeList& down,
                  const SpikeList& rows, int32_t* step, uint8_t* hit) {
  const int width = r.end - r.begin;
  std::fill(step + r.begin, step + r.end, 0);
  std::fill(hit + r.begin, hit + r.end, uint8_t{0});
  for (int j : up) {
    step[j] = syn.pulse_up;
    hit[j] = 1;
  }
  for (int j : down) {
    if (hit[j]) return false;
    step[j] = -syn.pulse_down;
    hit[j] = 1;
  }
  for (int i : rows)
    kernels::pulse_row_dense(weights + static_cast<size_t>(i) * static_cast<size_t>(cols) + r.begin, step + r.begin,
                             hit + r.begin, width, syn.w_min, syn.w_max);
  return true;
}

// The forward read of `rows` from a layer's 32-bit weights, or from its 16-bit copy, whose weights
// are at most max_abs in magnitude (kernels::sum_rows).
void read_rows(int32_t* out, const int32_t* base, size_t stride, const SpikeList& rows, int width, int32_t) {
  kernels::sum_rows(out, base, stride, rows.data(), rows.size(), width);
}
void read_rows(int32_t* out, const int16_t* base, size_t stride, const SpikeList& rows, int width, int32_t max_abs) {
  kernels::sum_rows(out, base, stride, rows.data(), rows.size(), width, max_abs);
}

// The indices in [begin, end) whose flag is set, ascending.
void collect_range(const uint8_t* flag, Range r, SpikeList& list) {
  list.resize(static_cast<size_t>(r.end - r.begin) + kernels::kCollectSlack);  // no-init: nothing is written
  list.resize(kernels::collect_flags(flag, r.begin, r.end, list.data()));
}

void barrier(int threads) {
#ifdef _OPENMP
  if (threads > 1) {
#pragma omp barrier
  }
#else
  (void)threads;
#endif
}

}  // namespace

int GoldenModel::sample_threads() const {
#ifdef _OPENMP
  if (omp_in_parallel()) return 1;  // already one of several samples in flight (evaluation)
#endif
  return std::max(1, std::min(threads_, kMaxSampleThreads));
}

SampleResult GoldenModel::run_sample(Workspace& ws, const uint8_t* pixels, int label, const SampleSpec& spec,
                                     StepObserver* observer) {
  const int L = cfg_.layers();
  const int C = cfg_.classes;
  if (spec.learn && (label < 0 || label >= C)) throw std::invalid_argument("run_sample: a learning sample needs a label");
  reset_sample(ws, pixels, spec);
  prepare_narrow();
  const int threads = sample_threads();
  for (auto& c : ws.thread_counters_) c.reset(L);
  if (threads == 1) {
    run_steps(ws, label, spec, observer, 0, 1);
  } else {
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
    run_steps(ws, label, spec, observer, omp_get_thread_num(), omp_get_num_threads());
#endif
  }
  for (const auto& c : ws.thread_counters_) ws.counters.add(c);
  if (spec.learn && cfg_.update_mode != UpdateMode::kStochastic) end_of_sample_updates(ws, spec);
  // Per-step pulses went into the 16-bit copy; the other modes updated the 32-bit weights.
  if (spec.learn && narrow_state_.load(std::memory_order_relaxed) == kNarrowInUse)
    sync_narrow_rows(ws, cfg_.update_mode == UpdateMode::kStochastic);

  SampleResult result;
  const auto u = static_cast<size_t>(L);
  result.output_counts.assign(ws.count_fwd_[u].begin(), ws.count_fwd_[u].end());
  result.prediction = predict_class(ws.count_fwd_[u].data(), ws.fwd_potential_[u].data(), C);
  return result;
}

// One sample's T steps, executed by thread `tid` of `threads`.  Hidden layers are split into
// contiguous neuron ranges; thread t owns the neurons of its ranges, the columns of the weights that
// feed them, and (for the output weights) the rows that leave them, so no two threads write the same
// word and every read of a weight sees the value from the start of the step.  The small output layer
// runs on thread 0.  Spike lists are kept per thread ("parts") and read in thread order, which is
// ascending neuron order, so results do not depend on the thread count.
void GoldenModel::run_steps(Workspace& ws, int label, const SampleSpec& spec,
                            StepObserver* observer, int tid, int threads) {
  const int L = cfg_.layers();
  const int T = cfg_.timesteps;
  const int C = cfg_.classes;
  const bool learn = spec.learn;
  const uint64_t key = sample_key(cfg_.seed, spec.phase, spec.epoch, spec.index);
  std::vector<SynapseParams> syn_of_layer;
  for (int l = 0; l < L; ++l) syn_of_layer.push_back(cfg_.synapse_params(static_cast<int>(spec.epoch), l));
  const int32_t inhibition = cfg_.inhibition_for(learn);
  const bool narrow = narrow_state_.load(std::memory_order_relaxed) == kNarrowInUse;
  // A bound on the magnitude of the 16-bit copy's weights at step t: the bound at the start of the
  // sample, plus one pulse per step when per-step pulses go into the copy (the largest a noise-free
  // pulse moves a weight; with pulse noise, no bound tighter than the register).
  std::vector<int32_t> pulse_growth(static_cast<size_t>(L), 0);
  if (narrow && learn && cfg_.update_mode == UpdateMode::kStochastic)
    for (size_t u = 0; u < pulse_growth.size(); ++u) {
      const SynapseParams& syn = syn_of_layer[u];
      pulse_growth[u] = syn.pulse_noise != 0 ? kNarrowLimit
                                             : std::max(std::abs(syn.pulse_up), std::abs(syn.pulse_down));
    }
  auto copy_bound = [&](size_t layer, int t) {
    if (!narrow) return kNarrowLimit;
    const int64_t b = int64_t{narrow_max_[layer]} + int64_t{t} * pulse_growth[layer];
    return static_cast<int32_t>(std::min<int64_t>(b, kNarrowLimit));
  };
  const auto utid = static_cast<size_t>(tid);
  SampleCounters& ctr = ws.thread_counters_[utid];
  auto& my_fwd = ws.part_fwd_[utid];
  auto& my_pos = ws.part_pos_[utid];
  auto& my_neg = ws.part_neg_[utid];
  // The spikes of layer l in ascending order: every thread's part, in thread order.
  auto for_each_spike = [&](const SpikeParts& parts, int l, auto&& fn) {
    for (int p = 0; p < threads; ++p)
      for (int i : parts[static_cast<size_t>(p)][static_cast<size_t>(l)]) fn(i);
  };
  auto spikes_in = [&](const SpikeParts& parts, int l) {
    size_t n = 0;
    for (int p = 0; p < threads; ++p) n += parts[static_cast<size_t>(p)][static_cast<size_t>(l)].size();
    return n;
  };
  // The same spikes as one ascending list (this thread's scratch copy when several threads share them).
  SpikeList& merged = ws.merged_[utid];
  auto spikes_of = [&](const SpikeParts& parts, int l) -> const SpikeList& {
    if (threads == 1) return parts[0][static_cast<size_t>(l)];
    merged.clear();
    for_each_spike(parts, l, [&](int i) { merged.push_back(i); });
    return merged;
  };
  Lfsr label_lfsr(stream_seed(key, stream::kLabel));
  const uint32_t label_q16 = prob_to_q16(cfg_.label_rate);
  for (int l = 0; l <= L; ++l) {
    my_fwd[static_cast<size_t>(l)].clear();
    my_pos[static_cast<size_t>(l)].clear();
    my_neg[static_cast<size_t>(l)].clear();
  }

  for (int t = 0; t < T; ++t) {
    // Encoders (thread 0; its part of layer 0 is the whole input spike list).
    if (tid == 0) {
      SpikeList& inputs = my_fwd[0];
      const int active = static_cast<int>(ws.active_pixels_.size());
      kernels::encode_pixels(ws.active_lfsr_.data(), ws.active_value_.data(), active, ws.ramp_[static_cast<size_t>(t)],
                             ws.active_fire_.data());
      collect_range(ws.active_fire_.data(), Range{0, active}, ws.fired_);
      inputs.clear();
      for (int k : ws.fired_) {
        const int i = ws.active_pixels_[static_cast<size_t>(k)];
        inputs.push_back(i);
        ++ws.count_fwd_[0][static_cast<size_t>(i)];
      }
      ctr.forward_spikes[0] += inputs.size();
      ws.label_spike_ = learn && bernoulli(label_lfsr, label_q16) ? label : -1;
    }
    barrier(threads);

    // Forward pass through the hidden layers within the step (weights as at the start of the step).
    for (int l = 1; l < L; ++l) {
      const auto u = static_cast<size_t>(l);
      const Range r = thread_range(cfg_.layer_size(l), tid, threads);
      const int width = r.end - r.begin;
      int32_t* acc = ws.acc_[u].data() + r.begin;
      const WeightMatrix& w = weights_[u - 1];
      const SpikeList& rows = spikes_of(ws.part_fwd_, l - 1);
      with_layer(u - 1, narrow, [&](const auto* base) {
        read_rows(acc, base + r.begin, static_cast<size_t>(w.cols), rows, width, copy_bound(u - 1, t));
      });
      ctr.synaptic_reads += rows.size() * static_cast<uint64_t>(width);
      if (device_.reads && !rows.empty())
        add_read_noise(device_, device_read_key(key, l - 1, false, static_cast<uint32_t>(t)), r.begin, width, acc);
      kernels::forward_layer(neuron_, width, acc, ws.keep_[u].data() + r.begin, cfg_.forward_threshold(l, learn),
                    cfg_.gate_threshold(l, learn), ws.fwd_charge_[u].data() + r.begin,
                    ws.fwd_potential_[u].data() + r.begin, ws.fwd_flag_[u].data() + r.begin,
                    ws.gate_open_[u].data() + r.begin, ws.count_fwd_[u].data() + r.begin);
      collect_range(ws.fwd_flag_[u].data(), r, my_fwd[u]);
      ctr.forward_spikes[u] += my_fwd[u].size();
      barrier(threads);
    }

    // Output layer with WTA, then the output error neurons (eq. 6-7): thread 0.
    const auto uL = static_cast<size_t>(L);
    if (tid == 0) {
      const int n = C;
      int32_t* acc = ws.acc_[uL].data();
      const WeightMatrix& w = weights_[uL - 1];
      const SpikeList& rows = spikes_of(ws.part_fwd_, L - 1);
      with_layer(uL - 1, narrow, [&](const auto* base) {
        read_rows(acc, base, static_cast<size_t>(w.cols), rows, n, copy_bound(uL - 1, t));
      });
      ctr.synaptic_reads += rows.size() * static_cast<uint64_t>(n);
      if (device_.reads && !rows.empty())
        add_read_noise(device_, device_read_key(key, L - 1, false, static_cast<uint32_t>(t)), 0, n, acc);
      int32_t* charge = ws.fwd_charge_[uL].data();
      int32_t* potential = ws.fwd_potential_[uL].data();
      for (int k = 0; k < n; ++k) {
        const ForwardState s = forward_integrate(neuron_, ForwardState{charge[k], potential[k]}, acc[k]);
        charge[k] = s.charge;
        potential[k] = s.potential;
      }
      const uint64_t fired = wta_fire(potential, n, cfg_.forward_threshold(L, learn), inhibition, cfg_.potential_bits);
      for (int k = 0; k < n; ++k) {
        ws.fwd_flag_[uL][static_cast<size_t>(k)] = (fired >> k) & 1u;
        ws.count_fwd_[uL][static_cast<size_t>(k)] += static_cast<int32_t>((fired >> k) & 1u);
      }
      collect_range(ws.fwd_flag_[uL].data(), Range{0, n}, my_fwd[uL]);
      ctr.forward_spikes[uL] += my_fwd[uL].size();
      if (learn) {
        int32_t* in = ws.acc_[uL].data();
        for (int k = 0; k < C; ++k)
          in[k] = output_error_input(k == ws.label_spike_, ws.fwd_flag_[uL][static_cast<size_t>(k)], cfg_.err_unit);
        kernels::gradient_layer(neuron_, C, in, ws.fwd_flag_[uL].data(), cfg_.gradient_threshold(L), ws.grad_charge_[uL].data(),
                       ws.grad_pos_[uL].data(), ws.grad_neg_[uL].data(), ws.gate_[uL].data(), ws.pos_flag_[uL].data(),
                       ws.neg_flag_[uL].data(), ws.count_pos_[uL].data(), ws.count_neg_[uL].data());
        collect_range(ws.pos_flag_[uL].data(), Range{0, C}, my_pos[uL]);
        collect_range(ws.neg_flag_[uL].data(), Range{0, C}, my_neg[uL]);
        ctr.pos_spikes[uL] += my_pos[uL].size();
        ctr.neg_spikes[uL] += my_neg[uL].size();
      }
    }
    barrier(threads);

    if (learn) {
      // Hidden gradient neurons (eq. 4-5), top down: input W^T (d_pos - d_neg) of the layer above.
      for (int l = L - 1; l >= 1; --l) {
        const auto u = static_cast<size_t>(l);
        const Range r = thread_range(cfg_.layer_size(l), tid, threads);
        const int width = r.end - r.begin;
        int32_t* in = ws.acc_[u].data() + r.begin;
        const WeightMatrix& w = weights_[u];
        std::fill(in, in + width, 0);
        with_layer(u, narrow, [&](const auto* base) {
          const auto* origin = base + static_cast<size_t>(r.begin) * static_cast<size_t>(w.cols);
          for_each_spike(ws.part_pos_, l + 1, [&](int k) { kernels::add_column(in, origin + k, w.cols, width, 1); });
          for_each_spike(ws.part_neg_, l + 1, [&](int k) { kernels::add_column(in, origin + k, w.cols, width, -1); });
        });
        const size_t gradient_spikes = spikes_in(ws.part_pos_, l + 1) + spikes_in(ws.part_neg_, l + 1);
        ctr.gradient_reads += gradient_spikes * static_cast<uint64_t>(width);
        if (device_.reads && gradient_spikes != 0)
          add_read_noise(device_, device_read_key(key, l, true, static_cast<uint32_t>(t)), r.begin, width, in);
        kernels::gradient_layer(neuron_, width, in, ws.gate_open_[u].data() + r.begin, cfg_.gradient_threshold(l),
                       ws.grad_charge_[u].data() + r.begin, ws.grad_pos_[u].data() + r.begin,
                       ws.grad_neg_[u].data() + r.begin, ws.gate_[u].data() + r.begin,
                       ws.pos_flag_[u].data() + r.begin, ws.neg_flag_[u].data() + r.begin,
                       ws.count_pos_[u].data() + r.begin, ws.count_neg_[u].data() + r.begin);
        collect_range(ws.pos_flag_[u].data(), r, my_pos[u]);
        collect_range(ws.neg_flag_[u].data(), r, my_neg[u]);
        ctr.pos_spikes[u] += my_pos[u].size();
        ctr.neg_spikes[u] += my_neg[u].size();
        // The layer below reads these spikes; with one hidden layer nothing below reads them this step.
        if (l > 1 || L > 2) barrier(threads);
      }
      // Stochastic coincidence updates (eq. 10) land at the end of the step.  Thread t writes the
      // columns it owns (hidden weights) or the rows it owns (output weights).
      if (cfg_.update_mode == UpdateMode::kStochastic || cfg_.update_mode == UpdateMode::kStochasticSample) {
        const bool deferred = cfg_.update_mode == UpdateMode::kStochasticSample;
        for (int l = 0; l < L; ++l) {
          const auto u = static_cast<size_t>(l);
          WeightMatrix& w = deferred ? ws.pending_[u] : weights_[u];
          const bool to_narrow = narrow && !deferred && !narrow_[u].empty();  // pulses go into the 16-bit copy
          const SynapseParams& syn_layer = syn_of_layer[u];
          const uint64_t device_key = key ^ (stream::kDeviceBase + u);
          const DeviceCell* cells = device_.pulses ? cells_[u].data() : nullptr;
          const uint64_t pulse_key = device_pulse_key(key, l, static_cast<uint32_t>(t));
          // Pulses of row i (starting at `row`) into the columns `cols`, up or down.
          auto pulse_into = [&](auto* row, int i, const SpikeList& cols, bool up) {
            using W = std::remove_pointer_t<decltype(row)>;
            const SynapseParams syn = syn_layer;  // a local copy: the weight stores cannot alias it
            if (deferred) {
              const int32_t step = up ? syn.pulse_up : -syn.pulse_down;
              for (int j : cols) row[j] = static_cast<W>(row[j] + step);
            } else if (cells) {  // the device model decides how far each pulse moves the weight
              const DeviceCell* cell = cells + static_cast<size_t>(i) * static_cast<size_t>(w.cols);
              const int32_t dw = up ? syn.pulse_up : syn.pulse_down;
              // The constants of a row's pulsed devices are scattered over the layer's array: fetch
              // them a few pulses ahead, so the misses overlap.
              constexpr size_t kAhead = 8;
              const size_t n = cols.size();
              for (size_t k = 0; k < n; ++k) {
                if (k + kAhead < n) __builtin_prefetch(cell + cols[k + kAhead]);
                const int j = cols[k];
                row[j] = static_cast<W>(device_pulse(device_, cell[j], pulse_key, i, j, row[j], dw, up, per_state_));
              }
            } else if (syn.pulse_noise == 0 && std::is_same_v<W, int16_t> && syn.pulse_up >= 0 && syn.pulse_down >= 0) {
              // The 16-bit copy holds its weights within their bounds (prepare_narrow), so a pulse can only
              // cross the bound it moves toward: one compare per weight.
              if (up) {
                for (int j : cols) {
                  const int32_t v = row[j] + syn.pulse_up;
                  row[j] = static_cast<W>(v > syn.w_max ? syn.w_max : v);
                }
              } else {
                for (int j : cols) {
                  const int32_t v = row[j] - syn.pulse_down;
                  row[j] = static_cast<W>(v < syn.w_min ? syn.w_min : v);
                }
              }
            } else if (syn.pulse_noise == 0) {
              for (int j : cols) row[j] = static_cast<W>(coincidence_update(syn, row[j], true, up, !up, 0u));
            } else {
              for (int j : cols) {
                const uint32_t word = device_noise_word(device_key, static_cast<uint32_t>(t), static_cast<uint32_t>(i),
                                                        static_cast<uint32_t>(j));
                row[j] = static_cast<W>(coincidence_update(syn, row[j], true, up, !up, word));
              }
            }
          };
          auto pulse_row = [&](int i, const SpikeList& cols, bool up) {
            if (to_narrow)
              pulse_into(narrow_[u].data() + static_cast<size_t>(i) * static_cast<size_t>(w.cols), i, cols, up);
            else
              pulse_into(w.row(i), i, cols, up);
          };
          if (l + 1 < L) {  // columns j of my range in layer l+1, every row spike i
            const SpikeList& up = my_pos[u + 1];
            const SpikeList& down = my_neg[u + 1];
            if (up.empty() && down.empty()) continue;
            const Range r = thread_range(cfg_.layer_size(l + 1), tid, threads);
            auto dense = [&](auto* weights) {
              return dense_pulses(weights, w.cols, syn_layer, r, up, down, spikes_of(ws.part_fwd_, l),
                                  ws.rate_drive_.data(), ws.rate_active_.data());
            };
            if (!deferred && !cells && syn_layer.pulse_noise == 0 &&
                (up.size() + down.size()) * 8 > static_cast<size_t>(r.end - r.begin) &&
                (to_narrow ? dense(narrow_[u].data()) : dense(w.values.data()))) {
              // done: every row at once over the columns of the range
            } else {
              for_each_spike(ws.part_fwd_, l, [&](int i) {
                pulse_row(i, up, true);
                pulse_row(i, down, false);
              });
            }
            const uint64_t rows = spikes_in(ws.part_fwd_, l);
            ctr.pulses_up += rows * up.size();
            ctr.pulses_down += rows * down.size();
          } else {  // output weights: rows i of my range in layer l, every output error spike
            const SpikeList& up = ws.part_pos_[0][uL];
            const SpikeList& down = ws.part_neg_[0][uL];
            if (up.empty() && down.empty()) continue;
            const SpikeList& rows = my_fwd[u];
            for (int i : rows) {
              pulse_row(i, up, true);
              pulse_row(i, down, false);
            }
            ctr.pulses_up += rows.size() * up.size();
            ctr.pulses_down += rows.size() * down.size();
          }
        }
      }
    }
    barrier(threads);

    if (tid == 0 && observer) {
      for (int l = 0; l <= L; ++l) {
        const auto u = static_cast<size_t>(l);
        auto merge = [&](const SpikeParts& parts, std::vector<int>& out) {
          out.clear();
          for_each_spike(parts, l, [&](int i) { out.push_back(i); });
        };
        merge(ws.part_fwd_, ws.list_fwd_[u]);
        merge(ws.part_pos_, ws.list_pos_[u]);
        merge(ws.part_neg_, ws.list_neg_[u]);
      }
      StepSpikes s;
      s.t = t;
      s.forward = &ws.list_fwd_;
      s.grad_pos = &ws.list_pos_;
      s.grad_neg = &ws.list_neg_;
      s.label_spike = ws.label_spike_;
      observer->on_step(s);
    }
  }
}

void GoldenModel::end_of_sample_updates(Workspace& ws, const SampleSpec& spec) {
  const int L = cfg_.layers();
  const int T = cfg_.timesteps;
  const RoundingDivider per_timestep(T);
  const uint64_t key = sample_key(cfg_.seed, spec.phase, spec.epoch, spec.index);
  const bool noisy = cfg_.update_mode == UpdateMode::kNoise;
  // Noise mode: the update of a row with rate r_x and a column with rates r_p, r_n is the rate
  // update plus the spread the coincidence count would have over noise_timesteps steps, rescaled.
  const double Tn = cfg_.noise_timesteps;
  if (cfg_.update_mode == UpdateMode::kStochasticSample) {
    for (int l = 0; l < L; ++l) {
      const auto u = static_cast<size_t>(l);
      WeightMatrix& w = weights_[u];
      WeightMatrix& pending = ws.pending_[u];
      const SynapseParams syn = cfg_.synapse_params(static_cast<int>(spec.epoch), l);
      for (int i = 0; i < w.rows; ++i) {
        if (ws.count_fwd_[u][static_cast<size_t>(i)] == 0) continue;  // only rows that spiked got pulses
        int32_t* row = w.row(i);
        int32_t* add = pending.row(i);
        for (int j = 0; j < w.cols; ++j) {
          row[j] = clamp_to(int64_t{row[j]} + add[j], syn.w_min, syn.w_max);
          add[j] = 0;
        }
      }
    }
    return;
  }
  for (int l = 0; l < L; ++l) {
    const auto u = static_cast<size_t>(l);
    const int cols = cfg_.layer_size(l + 1);
    std::vector<int>& columns = ws.grad_columns_;
    columns.clear();
    for (int j = 0; j < cols; ++j)
      if (ws.count_pos_[u + 1][static_cast<size_t>(j)] != 0 || ws.count_neg_[u + 1][static_cast<size_t>(j)] != 0)
        columns.push_back(j);
    if (columns.empty()) continue;
    WeightMatrix& w = weights_[u];
    const SynapseParams syn = cfg_.synapse_params(static_cast<int>(spec.epoch), l);
    uint64_t active_rows = 0;
    for (int i = 0; i < cfg_.layer_size(l); ++i) active_rows += ws.count_fwd_[u][static_cast<size_t>(i)] != 0;
    ws.counters.rate_updates += static_cast<uint64_t>(columns.size()) * active_rows;
    if (!noisy && rate_update_vectorised(ws, w, syn, u, cols, columns.size())) continue;
    Lfsr noise(stream_seed(key, stream::kNoiseBase + u));
    for (int i = 0; i < cfg_.layer_size(l); ++i) {
      const int32_t nx = ws.count_fwd_[u][static_cast<size_t>(i)];
      if (nx == 0) continue;
      int32_t* row = w.row(i);
      for (int j : columns) {
        const int32_t np = ws.count_pos_[u + 1][static_cast<size_t>(j)];
        const int32_t nn = ws.count_neg_[u + 1][static_cast<size_t>(j)];
        if (!noisy) {
          row[j] = rate_update(syn, row[j], nx, np, nn, per_timestep);
          continue;
        }
        const double rx = static_cast<double>(nx) / T;
        const double pp = rx * np / T;
        const double pn = rx * nn / T;
        const double spread = std::sqrt(Tn * (pp * (1 - pp) + pn * (1 - pn)));
        const double coincidences = Tn * (syn.pulse_up * pp - syn.pulse_down * pn) / 1.0 +
                                    spread * 0.5 * (syn.pulse_up + syn.pulse_down) * gaussian(noise);
        const double delta = coincidences * T / Tn;
        row[j] = clamp_to(static_cast<int64_t>(std::llround(delta)) + row[j], syn.w_min, syn.w_max);
      }
    }
  }
}

// Rate updates (eq. 9) of weight layer u in vector lanes: every row that spiked, every column at
// once, the columns without a gradient spike left as they are.  Returns false, changing nothing,
// when the scalar loop is the better choice (few columns) or the only exact one (numerators beyond
// 31 bits); the results are the scalar rule's bit for bit.
bool GoldenModel::rate_update_vectorised(Workspace& ws, WeightMatrix& w, const SynapseParams& syn, size_t u, int cols,
                                         size_t active_columns) const {
  if (active_columns * 16 < static_cast<size_t>(cols)) return false;
  const int32_t* np = ws.count_pos_[u + 1].data();
  const int32_t* nn = ws.count_neg_[u + 1].data();
  int32_t* drive = ws.rate_drive_.data();
  uint8_t* active = ws.rate_active_.data();
  int64_t max_drive = 0;
  for (int j = 0; j < cols; ++j) {
    const int64_t d = int64_t{syn.pulse_up} * np[j] - int64_t{syn.pulse_down} * nn[j];
    const int64_t m = d < 0 ? -d : d;
    max_drive = m > max_drive ? m : max_drive;
    drive[j] = static_cast<int32_t>(d);  // used only when every |d| fits (checked below)
    active[j] = static_cast<uint8_t>(np[j] != 0 || nn[j] != 0);
  }
  const std::vector<int32_t>& nx = ws.count_fwd_[u];
  const int32_t max_nx = *std::max_element(nx.begin(), nx.end());
  const kernels::RateLanes lanes = kernels::rate_update_lanes(max_nx, max_drive, cfg_.timesteps);
  if (lanes == kernels::RateLanes::kNone) return false;
  for (int i = 0; i < w.rows; ++i) {
    if (nx[static_cast<size_t>(i)] == 0) continue;
    kernels::rate_update_row(lanes, w.row(i), drive, active, cols, nx[static_cast<size_t>(i)], cfg_.timesteps,
                             syn.w_min, syn.w_max);
  }
  return true;
}

}  // namespace ssnn
