// The golden model's per-sample loop: encode, forward, error, backward, update, step after step.
#include "ssnn/network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ssnn/encoder.hpp"
#include "ssnn/neuron.hpp"
#include "ssnn/synapse.hpp"

// The hot loops get an AVX2 clone picked at load time; the default clone keeps the binary portable.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SSNN_HOT __attribute__((target_clones("avx2", "default")))
#else
#define SSNN_HOT
#endif

namespace ssnn {

void SampleCounters::reset(int layers) {
  forward_spikes.assign(static_cast<size_t>(layers) + 1, 0);
  pos_spikes.assign(static_cast<size_t>(layers) + 1, 0);
  neg_spikes.assign(static_cast<size_t>(layers) + 1, 0);
  synaptic_reads = gradient_reads = pulses_up = pulses_down = rate_updates = 0;
}

void SampleCounters::add(const SampleCounters& o) {
  if (forward_spikes.size() < o.forward_spikes.size()) reset(static_cast<int>(o.forward_spikes.size()) - 1);
  for (size_t l = 0; l < o.forward_spikes.size(); ++l) {
    forward_spikes[l] += o.forward_spikes[l];
    pos_spikes[l] += o.pos_spikes[l];
    neg_spikes[l] += o.neg_spikes[l];
  }
  synaptic_reads += o.synaptic_reads;
  gradient_reads += o.gradient_reads;
  pulses_up += o.pulses_up;
  pulses_down += o.pulses_down;
  rate_updates += o.rate_updates;
}

std::vector<WeightMatrix> initial_weights(const ModelConfig& cfg) {
  std::vector<WeightMatrix> w;
  const uint64_t key = sample_key(cfg.seed, Phase::kInit, 0, 0);
  for (int l = 0; l < cfg.layers(); ++l) {
    WeightMatrix m(cfg.layer_size(l), cfg.layer_size(l + 1));
    const int32_t theta_post = l + 1 == cfg.layers() ? cfg.theta_out : cfg.theta;
    const double bound = cfg.init_gain * std::sqrt(6.0 / m.rows) * theta_post;
    const SynapseParams sp = cfg.synapse_params(0);
    const auto b = static_cast<uint32_t>(std::min<double>(std::lround(bound), sp.w_max));
    const int32_t level = cfg.device_states > 1 ? sp.w_max / ((cfg.device_states - 1) / 2 > 0 ? (cfg.device_states - 1) / 2 : 1) : 1;
    Lfsr lfsr(stream_seed(key, stream::kInitBase + static_cast<uint64_t>(l)));
    for (int32_t& v : m.values) {
      int32_t x = static_cast<int32_t>(lfsr.next() % (2 * b + 1)) - static_cast<int32_t>(b);
      if (level > 1) x = static_cast<int32_t>(std::lround(static_cast<double>(x) / level)) * level;
      v = clamp_to(x, sp.w_min, sp.w_max);
    }
    w.push_back(std::move(m));
  }
  return w;
}

void dropout_mask(uint64_t key, int layer, double p, int n, uint8_t* keep) {
  if (p <= 0) {
    std::fill(keep, keep + n, uint8_t{1});
    return;
  }
  Lfsr lfsr(stream_seed(key, stream::kDropoutBase + static_cast<uint64_t>(layer)));
  const uint32_t p_q16 = prob_to_q16(p);
  for (int i = 0; i < n; ++i) keep[i] = bernoulli(lfsr, p_q16) ? 0 : 1;
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
  sized(pos_flag_);
  sized(neg_flag_);
  sized(keep_);
  sized(acc_);
  sized(count_fwd_);
  sized(count_pos_);
  sized(count_neg_);
  auto lists = [&](auto& v) {
    v.resize(static_cast<size_t>(L) + 1);
    for (int l = 0; l <= L; ++l) v[static_cast<size_t>(l)].reserve(static_cast<size_t>(cfg.layer_size(l)));
  };
  lists(list_fwd_);
  lists(list_pos_);
  lists(list_neg_);
  pixel_lfsr_.resize(static_cast<size_t>(cfg.inputs));
  active_pixels_.reserve(static_cast<size_t>(cfg.inputs));
  int widest = 0;
  for (int l = 0; l <= L; ++l) widest = std::max(widest, cfg.layer_size(l));
  grad_columns_.reserve(static_cast<size_t>(widest));
  const uint32_t rate_q16 = prob_to_q16(cfg.input_rate);
  ramp_.resize(static_cast<size_t>(cfg.timesteps));
  for (int t = 0; t < cfg.timesteps; ++t) ramp_[static_cast<size_t>(t)] = input_ramp_q16(rate_q16, t, cfg.timesteps, cfg.input_profile);
  counters.reset(L);
}

GoldenModel::GoldenModel(const ModelConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  neuron_ = cfg_.neuron_params();
  weights_ = initial_weights(cfg_);
}

int GoldenModel::predict(const int32_t* counts, const int32_t* potentials, int classes) {
  int best = 0;
  for (int k = 1; k < classes; ++k) {
    if (counts[k] > counts[best] || (counts[k] == counts[best] && potentials[k] > potentials[best])) best = k;
  }
  return best;
}

namespace {

SSNN_HOT void add_row(int32_t* __restrict acc, const int32_t* __restrict row, int n) {
  for (int j = 0; j < n; ++j) acc[j] += row[j];
}

// Forward neurons of a hidden layer; dropped neurons get no input and so never fire.
SSNN_HOT void forward_layer(const NeuronParams& p, int n, const int32_t* __restrict acc,
                            const uint8_t* __restrict keep, int32_t theta, int32_t* __restrict charge,
                            int32_t* __restrict potential, uint8_t* __restrict flag) {
  for (int j = 0; j < n; ++j) {
    const ForwardStep r = forward_step(p, ForwardState{charge[j], potential[j]}, keep[j] ? acc[j] : 0, theta);
    charge[j] = r.next.charge;
    potential[j] = r.next.potential;
    flag[j] = r.spike;
  }
}

SSNN_HOT void gradient_layer(const NeuronParams& p, int n, const int32_t* __restrict input,
                             const uint8_t* __restrict fwd_flag, int32_t theta, int32_t* __restrict charge,
                             int32_t* __restrict pos, int32_t* __restrict neg, uint8_t* __restrict gate,
                             uint8_t* __restrict pos_flag, uint8_t* __restrict neg_flag) {
  for (int j = 0; j < n; ++j) {
    const GradientStep r =
        gradient_step(p, GradientState{charge[j], pos[j], neg[j], gate[j] != 0}, input[j], fwd_flag[j] != 0, theta);
    charge[j] = r.next.charge;
    pos[j] = r.next.pos;
    neg[j] = r.next.neg;
    gate[j] = r.next.gate;
    pos_flag[j] = r.spike_pos;
    neg_flag[j] = r.spike_neg;
  }
}

void collect(const uint8_t* flag, int n, std::vector<int>& list, int32_t* count) {
  list.clear();
  for (int j = 0; j < n; ++j) {
    if (flag[j]) {
      list.push_back(j);
      ++count[j];
    }
  }
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
    std::fill(ws.fwd_potential_[u].begin(), ws.fwd_potential_[u].end(), 0);
    std::fill(ws.grad_charge_[u].begin(), ws.grad_charge_[u].end(), 0);
    std::fill(ws.grad_pos_[u].begin(), ws.grad_pos_[u].end(), 0);
    std::fill(ws.grad_neg_[u].begin(), ws.grad_neg_[u].end(), 0);
    // Output error neurons are not gated; hidden gradient neurons wait for their forward neuron.
    std::fill(ws.gate_[u].begin(), ws.gate_[u].end(), l == L ? 1 : 0);
    std::fill(ws.fwd_flag_[u].begin(), ws.fwd_flag_[u].end(), 0);
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
      ws.active_pixels_.push_back(i);
      ws.pixel_lfsr_[static_cast<size_t>(i)].load(stream_seed(key, stream::kInputBase + static_cast<uint64_t>(i)));
    }
  }
  ws.counters.reset(L);
}

SampleResult GoldenModel::run_sample(Workspace& ws, const uint8_t* pixels, int label, const SampleSpec& spec,
                                     StepObserver* observer) {
  const int L = cfg_.layers();
  const int T = cfg_.timesteps;
  const int C = cfg_.classes;
  const bool learn = spec.learn;
  if (learn && (label < 0 || label >= C)) throw std::invalid_argument("run_sample: a learning sample needs a label");
  const uint64_t key = sample_key(cfg_.seed, spec.phase, spec.epoch, spec.index);
  reset_sample(ws, pixels, spec);

  Lfsr label_lfsr(stream_seed(key, stream::kLabel));
  const uint32_t label_q16 = prob_to_q16(cfg_.label_rate);
  const int epoch = static_cast<int>(spec.epoch);
  const SynapseParams syn = cfg_.synapse_params(epoch);
  const int32_t inhibition = cfg_.inhibition_for(learn);
  SampleCounters& ctr = ws.counters;

  for (int t = 0; t < T; ++t) {
    // Encoders.
    std::vector<int>& inputs = ws.list_fwd_[0];
    inputs.clear();
    const uint32_t ramp = ws.ramp_[static_cast<size_t>(t)];
    for (int i : ws.active_pixels_) {
      if (bernoulli(ws.pixel_lfsr_[static_cast<size_t>(i)], pixel_prob_q16(pixels[i], ramp))) {
        inputs.push_back(i);
        ++ws.count_fwd_[0][static_cast<size_t>(i)];
      }
    }
    ctr.forward_spikes[0] += inputs.size();
    const int label_spike = learn && bernoulli(label_lfsr, label_q16) ? label : -1;

    // Forward pass through all layers within the step (weights as at the start of the step).
    for (int l = 1; l <= L; ++l) {
      const auto u = static_cast<size_t>(l);
      const int n = cfg_.layer_size(l);
      int32_t* acc = ws.acc_[u].data();
      std::fill(acc, acc + n, 0);
      const WeightMatrix& w = weights_[u - 1];
      for (int i : ws.list_fwd_[u - 1]) add_row(acc, w.row(i), n);
      ctr.synaptic_reads += ws.list_fwd_[u - 1].size() * static_cast<uint64_t>(n);
      if (l < L) {
        forward_layer(neuron_, n, acc, ws.keep_[u].data(), cfg_.forward_threshold(l, learn), ws.fwd_charge_[u].data(),
                      ws.fwd_potential_[u].data(), ws.fwd_flag_[u].data());
      } else {
        int32_t* charge = ws.fwd_charge_[u].data();
        int32_t* potential = ws.fwd_potential_[u].data();
        for (int k = 0; k < n; ++k) {
          const ForwardState s = forward_integrate(neuron_, ForwardState{charge[k], potential[k]}, acc[k]);
          charge[k] = s.charge;
          potential[k] = s.potential;
        }
        const uint64_t fired =
            wta_fire(potential, n, cfg_.forward_threshold(l, learn), inhibition, cfg_.potential_bits);
        for (int k = 0; k < n; ++k) ws.fwd_flag_[u][static_cast<size_t>(k)] = (fired >> k) & 1u;
      }
      collect(ws.fwd_flag_[u].data(), n, ws.list_fwd_[u], ws.count_fwd_[u].data());
      ctr.forward_spikes[u] += ws.list_fwd_[u].size();
    }

    if (learn) {
      // Output error neurons (eq. 6-7): input (label - output) in err_unit charges.
      {
        const auto u = static_cast<size_t>(L);
        int32_t* in = ws.acc_[u].data();
        for (int k = 0; k < C; ++k)
          in[k] = ((k == label_spike ? 1 : 0) - static_cast<int32_t>(ws.fwd_flag_[u][static_cast<size_t>(k)])) *
                  cfg_.err_unit;
        gradient_layer(neuron_, C, in, ws.fwd_flag_[u].data(), cfg_.theta_err, ws.grad_charge_[u].data(),
                       ws.grad_pos_[u].data(), ws.grad_neg_[u].data(), ws.gate_[u].data(), ws.pos_flag_[u].data(),
                       ws.neg_flag_[u].data());
        collect(ws.pos_flag_[u].data(), C, ws.list_pos_[u], ws.count_pos_[u].data());
        collect(ws.neg_flag_[u].data(), C, ws.list_neg_[u], ws.count_neg_[u].data());
      }
      // Hidden gradient neurons (eq. 4-5), top down: input W^T (d_pos - d_neg) of the layer above.
      for (int l = L - 1; l >= 1; --l) {
        const auto u = static_cast<size_t>(l);
        const int n = cfg_.layer_size(l);
        int32_t* in = ws.acc_[u].data();
        const WeightMatrix& w = weights_[u];
        const std::vector<int>& up = ws.list_pos_[u + 1];
        const std::vector<int>& down = ws.list_neg_[u + 1];
        if (up.empty() && down.empty()) {
          std::fill(in, in + n, 0);
        } else {
          for (int j = 0; j < n; ++j) {
            const int32_t* row = w.row(j);
            int32_t g = 0;
            for (int k : up) g += row[k];
            for (int k : down) g -= row[k];
            in[j] = g;
          }
          ctr.gradient_reads += (up.size() + down.size()) * static_cast<uint64_t>(n);
        }
        gradient_layer(neuron_, n, in, ws.fwd_flag_[u].data(), cfg_.theta_grad, ws.grad_charge_[u].data(),
                       ws.grad_pos_[u].data(), ws.grad_neg_[u].data(), ws.gate_[u].data(), ws.pos_flag_[u].data(),
                       ws.neg_flag_[u].data());
        collect(ws.pos_flag_[u].data(), n, ws.list_pos_[u], ws.count_pos_[u].data());
        collect(ws.neg_flag_[u].data(), n, ws.list_neg_[u], ws.count_neg_[u].data());
      }
      for (int l = 1; l <= L; ++l) {
        ctr.pos_spikes[static_cast<size_t>(l)] += ws.list_pos_[static_cast<size_t>(l)].size();
        ctr.neg_spikes[static_cast<size_t>(l)] += ws.list_neg_[static_cast<size_t>(l)].size();
      }
      // Stochastic coincidence updates (eq. 10) land at the end of the step.
      if (cfg_.update_mode == UpdateMode::kStochastic) {
        for (int l = 0; l < L; ++l) {
          const auto u = static_cast<size_t>(l);
          const std::vector<int>& up = ws.list_pos_[u + 1];
          const std::vector<int>& down = ws.list_neg_[u + 1];
          if (up.empty() && down.empty()) continue;
          WeightMatrix& w = weights_[u];
          const uint64_t device_key = key ^ (stream::kDeviceBase + u);
          for (int i : ws.list_fwd_[u]) {
            int32_t* row = w.row(i);
            for (int j : up) {
              const uint32_t word = syn.pulse_noise ? device_noise_word(device_key, static_cast<uint32_t>(t),
                                                                        static_cast<uint32_t>(i), static_cast<uint32_t>(j))
                                                    : 0u;
              row[j] = coincidence_update(syn, row[j], true, true, false, word);
            }
            for (int j : down) {
              const uint32_t word = syn.pulse_noise ? device_noise_word(device_key, static_cast<uint32_t>(t),
                                                                        static_cast<uint32_t>(i), static_cast<uint32_t>(j))
                                                    : 0u;
              row[j] = coincidence_update(syn, row[j], true, false, true, word);
            }
          }
          ctr.pulses_up += ws.list_fwd_[u].size() * up.size();
          ctr.pulses_down += ws.list_fwd_[u].size() * down.size();
        }
      }
    }

    if (observer) {
      StepSpikes s;
      s.t = t;
      s.forward = &ws.list_fwd_;
      s.grad_pos = &ws.list_pos_;
      s.grad_neg = &ws.list_neg_;
      s.label_spike = label_spike;
      observer->on_step(s);
    }
  }

  if (learn && cfg_.update_mode != UpdateMode::kStochastic) end_of_sample_updates(ws, spec);

  SampleResult result;
  const auto u = static_cast<size_t>(L);
  result.output_counts.assign(ws.count_fwd_[u].begin(), ws.count_fwd_[u].end());
  result.prediction = predict(ws.count_fwd_[u].data(), ws.fwd_potential_[u].data(), C);
  return result;
}

void GoldenModel::end_of_sample_updates(Workspace& ws, const SampleSpec& spec) {
  const int L = cfg_.layers();
  const int T = cfg_.timesteps;
  const SynapseParams syn = cfg_.synapse_params(static_cast<int>(spec.epoch));
  const uint64_t key = sample_key(cfg_.seed, spec.phase, spec.epoch, spec.index);
  const bool noisy = cfg_.update_mode == UpdateMode::kNoise;
  // Noise mode: the update of a row with rate r_x and a column with rates r_p, r_n is the rate
  // update plus the spread the coincidence count would have over noise_timesteps steps, rescaled.
  const double Tn = cfg_.noise_timesteps;
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
    Lfsr noise(stream_seed(key, stream::kNoiseBase + u));
    for (int i = 0; i < cfg_.layer_size(l); ++i) {
      const int32_t nx = ws.count_fwd_[u][static_cast<size_t>(i)];
      if (nx == 0) continue;
      int32_t* row = w.row(i);
      for (int j : columns) {
        const int32_t np = ws.count_pos_[u + 1][static_cast<size_t>(j)];
        const int32_t nn = ws.count_neg_[u + 1][static_cast<size_t>(j)];
        if (!noisy) {
          row[j] = rate_update(syn, row[j], nx, np, nn, T);
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
    ws.counters.rate_updates += static_cast<uint64_t>(columns.size()) * static_cast<uint64_t>(cfg_.layer_size(l));
  }
}

}  // namespace ssnn
