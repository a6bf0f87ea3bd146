#include "neuron_core.hpp"

#include <algorithm>

#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/neuron.hpp"
#include "ssnn/golden_kernels.hpp"

namespace ssnn::sc {

neuron_core::neuron_core(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip,
                         const AerRoutingTable& routes, int layer, uint8_t first_block, int fwd_band, int grad_band)
    : aer_source(name, routes, channels_for(cfg, layer, fwd_band, grad_band)),
      label_valid_i("label_valid_i"),
      label_class_i("label_class_i"),
      prediction_o("prediction_o"),
      below_i("below_i"),
      above_i("above_i"),
      cfg_(cfg),
      chip_(chip),
      layer_(layer),
      n_(cfg.layer_size(layer)),
      first_block_(first_block),
      fwd_band_(fwd_band),
      grad_band_(grad_band),
      np_(cfg.neuron_params()),
      device_(cfg.device_rule()) {
  const auto n = static_cast<size_t>(n_);
  for (auto* v : {&fwd_charge_, &fwd_potential_, &grad_charge_, &grad_pos_, &grad_neg_, &acc_, &count_fwd_}) v->assign(n, 0);
  for (auto* v : {&gate_, &fwd_flag_, &gate_open_, &pos_flag_, &neg_flag_, &keep_}) v->assign(n, 0);
  list_fwd_.reserve(n);
  list_pos_.reserve(n);
  list_neg_.reserve(n);
  out_.reserve(2 * n);
  scratch_list_.resize(n + kernels::kCollectSlack);
  count_pos_scratch_.assign(n, 0);
  count_neg_scratch_.assign(n, 0);
}

int neuron_core::channels_for(const ModelConfig& cfg, int layer, int fwd_band, int grad_band) {
  const int n = cfg.layer_size(layer);
  const int fwd = layer < cfg.layers() ? ChipConfig::ceil_div(n, fwd_band) : 0;
  return std::max(fwd, ChipConfig::ceil_div(n, grad_band));
}

void neuron_core::reset_state() {
  reset_source();
  prediction_o.write(0);
  prediction_ = 0;
  for (auto* v : {&fwd_charge_, &fwd_potential_, &grad_charge_, &grad_pos_, &grad_neg_, &acc_, &count_fwd_})
    std::fill(v->begin(), v->end(), 0);
  for (auto* v : {&gate_, &keep_}) std::fill(v->begin(), v->end(), 0);
  clear_spike_flags();
  cnt_ = CoreCounters{};
}

void neuron_core::clear_spike_flags() {
  for (auto* v : {&fwd_flag_, &gate_open_, &pos_flag_, &neg_flag_}) std::fill(v->begin(), v->end(), 0);
  for (auto* v : {&list_fwd_, &list_pos_, &list_neg_}) v->clear();
}

int neuron_core::sample_begin() {
  const bool learn = learn_i.read();
  for (auto* v : {&fwd_charge_, &fwd_potential_, &grad_charge_, &grad_pos_, &grad_neg_, &count_fwd_, &count_pos_scratch_,
                  &count_neg_scratch_})
    std::fill(v->begin(), v->end(), 0);
  // Output error neurons are not gated; hidden gradient neurons wait for their forward neuron.
  std::fill(gate_.begin(), gate_.end(), is_output() ? 1 : 0);
  clear_spike_flags();
  const double drop = learn && !is_output() ? cfg_.dropout_hidden : 0.0;
  dropout_mask(sample_key_i.read(), layer_, drop, n_, keep_.data());
  if (cosim_) cosim_->core_sample_begin(*this);
  return ChipConfig::ceil_div(n_, chip_.lanes);  // state clear and mask draw, lanes per cycle
}

void neuron_core::add_read_noise(int weight_layer, bool transposed, uint32_t t) {
  if (!device_.reads) return;
  const uint64_t key = device_read_key(sample_key_i.read(), weight_layer, transposed, t);
  for (int j = 0; j < n_; ++j) acc_[static_cast<size_t>(j)] += read_noise_lsb(device_, key, j);
}

int neuron_core::forward() {
  const bool learn = learn_i.read();
  const auto t = step_i.read();
  std::fill(acc_.begin(), acc_.end(), 0);
  bool read = false;
  for (int k = 0; k < below_i.size(); ++k) {
    read |= below_i[k]->take_forward_sums(acc_.data());
    cnt_.column_sum_words += static_cast<uint64_t>(below_i[k]->num_cols());
  }
  if (read) add_read_noise(layer_ - 1, false, t);
  const int32_t theta = cfg_.forward_threshold(layer_, learn);
  const int32_t theta_gate = cfg_.gate_threshold(layer_, learn);
  int cost = pass_cycles(n_);
  if (!is_output()) {
    // The golden model's loop (counts the spikes too).
    kernels::forward_layer(np_, n_, acc_.data(), keep_.data(), theta, theta_gate, fwd_charge_.data(),
                           fwd_potential_.data(), fwd_flag_.data(), gate_open_.data(), count_fwd_.data());
    if (cosim_) {
      cosim_scratch_.resize(acc_.size());
      for (int j = 0; j < n_; ++j) cosim_scratch_[static_cast<size_t>(j)] = dropout_gate(acc_[static_cast<size_t>(j)], keep_[static_cast<size_t>(j)]);
      cosim_->core_forward(*this, cosim_scratch_.data(), theta, theta_gate, nullptr, 0, 0);
    }
  } else {
    for (int k = 0; k < n_; ++k) {
      const auto u = static_cast<size_t>(k);
      const ForwardState s = forward_integrate(np_, ForwardState{fwd_charge_[u], fwd_potential_[u]}, acc_[u]);
      fwd_charge_[u] = s.charge;
      fwd_potential_[u] = s.potential;
    }
    if (cosim_) cosim_scratch_ = fwd_potential_;
    const int32_t inhibition = cfg_.inhibition_for(learn);
    const uint64_t fired = wta_fire(fwd_potential_.data(), n_, theta, inhibition, cfg_.potential_bits);
    const int winners = __builtin_popcountll(fired);
    cnt_.wta_iterations += static_cast<uint64_t>(winners) + 1;
    cost += (winners + 1) * ChipConfig::kWtaIteration;
    for (int k = 0; k < n_; ++k) {
      fwd_flag_[static_cast<size_t>(k)] = (fired >> k) & 1u;
      count_fwd_[static_cast<size_t>(k)] += static_cast<int32_t>((fired >> k) & 1u);
    }
    if (cosim_) cosim_->core_forward(*this, acc_.data(), theta, theta, cosim_scratch_.data(), inhibition, winners);
  }
  cnt_.forward_updates += static_cast<uint64_t>(n_);
  collect(fwd_flag_, list_fwd_);
  out_.clear();
  if (!is_output()) {
    for (int j : list_fwd_) {
      AerEvent ev;
      const int ch = j / fwd_band_;
      ev.block = static_cast<uint8_t>(first_block_ + ch);
      ev.neuron = static_cast<uint16_t>(j);
      ev.kind = SpikeKind::kForward;
      ev.tag = t;
      out_.push_back(Outgoing{ev, ch, j / chip_.lanes + ChipConfig::kNeuronPipeline});
    }
  }
  cnt_.forward_spikes += list_fwd_.size();
  return cost;
}

void neuron_core::collect(const std::vector<uint8_t>& flag, std::vector<int>& list) {
  const size_t n = kernels::collect_flags(flag.data(), 0, n_, scratch_list_.data());
  list.assign(scratch_list_.begin(), scratch_list_.begin() + static_cast<std::ptrdiff_t>(n));
}

void neuron_core::queue_gradient_events(int t) {
  collect(pos_flag_, list_pos_);
  collect(neg_flag_, list_neg_);
  out_.clear();
  // Neuron by neuron in ascending order, a neuron's dp before its dn.
  auto queue = [&](int j, SpikeKind kind) {
    AerEvent ev;
    const int ch = j / grad_band_;
    ev.block = static_cast<uint8_t>(first_block_ + ch);
    ev.neuron = static_cast<uint16_t>(j);
    ev.kind = kind;
    ev.tag = static_cast<uint32_t>(t);
    out_.push_back(Outgoing{ev, ch, j / chip_.lanes + ChipConfig::kNeuronPipeline});
  };
  size_t p = 0, q = 0;
  while (p < list_pos_.size() || q < list_neg_.size()) {
    if (q == list_neg_.size() || (p < list_pos_.size() && list_pos_[p] <= list_neg_[q]))
      queue(list_pos_[p++], SpikeKind::kGradPos);
    else
      queue(list_neg_[q++], SpikeKind::kGradNeg);
  }
  cnt_.pos_spikes += list_pos_.size();
  cnt_.neg_spikes += list_neg_.size();
  cnt_.gradient_updates += static_cast<uint64_t>(n_);
}

int neuron_core::error() {
  const int32_t theta_err = cfg_.gradient_threshold(layer_);  // the output layer: theta_err
  const int label = label_valid_i.read() ? static_cast<int>(label_class_i.read()) : -1;
  // Error neurons on (label - output): the gradient pairs' loop, gated by the output's own spikes.
  for (int k = 0; k < n_; ++k)
    acc_[static_cast<size_t>(k)] = output_error_input(k == label, fwd_flag_[static_cast<size_t>(k)], cfg_.err_unit);
  kernels::gradient_layer(np_, n_, acc_.data(), fwd_flag_.data(), theta_err, grad_charge_.data(), grad_pos_.data(),
                          grad_neg_.data(), gate_.data(), pos_flag_.data(), neg_flag_.data(), count_pos_scratch_.data(),
                          count_neg_scratch_.data());
  if (cosim_) cosim_->core_error(*this, label, theta_err);
  queue_gradient_events(static_cast<int>(step_i.read()));
  return pass_cycles(n_);
}

int neuron_core::backward() {
  std::fill(acc_.begin(), acc_.end(), 0);
  bool read = false;
  for (int k = 0; k < above_i.size(); ++k) {
    read |= above_i[k]->take_backward_sums(acc_.data());
    cnt_.column_sum_words += static_cast<uint64_t>(above_i[k]->num_rows());
  }
  if (read) add_read_noise(layer_, true, step_i.read());
  const int32_t theta_grad = cfg_.gradient_threshold(layer_);
  // The golden model's loop; the chip keeps no per-neuron gradient spike counts (scratch).
  kernels::gradient_layer(np_, n_, acc_.data(), gate_open_.data(), theta_grad, grad_charge_.data(), grad_pos_.data(),
                          grad_neg_.data(), gate_.data(), pos_flag_.data(), neg_flag_.data(), count_pos_scratch_.data(),
                          count_neg_scratch_.data());
  if (cosim_) cosim_->core_backward(*this, acc_.data(), theta_grad);
  queue_gradient_events(static_cast<int>(step_i.read()));
  return pass_cycles(n_);
}

void neuron_core::execute(Op op) {
  int cost = 1;
  bool sends = false;
  switch (op) {
    case Op::kSampleBegin: cost = sample_begin(); break;
    case Op::kForward: cost = forward(); sends = !is_output(); break;
    case Op::kError: cost = error(); sends = true; break;
    case Op::kBackward: cost = backward(); sends = true; break;
    case Op::kSampleEnd:
      // Sequential argmax over the spike counts (ties: residual potential, then lower index).
      prediction_ = predict_class(count_fwd_.data(), fwd_potential_.data(), n_);
      prediction_o.write(static_cast<uint32_t>(prediction_));
      cost = n_;
      break;
    default: break;
  }
  if (sends) {
    send(out_, cost);
  } else {
    busy_for(cost);
  }
}

}  // namespace ssnn::sc
