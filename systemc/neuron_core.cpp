#include "neuron_core.hpp"

#include <algorithm>

#include "ssnn/contract/dropout.hpp"
#include "ssnn/contract/neuron.hpp"

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
  for (auto* v : {&fwd_charge_, &fwd_potential_, &grad_charge_, &grad_pos_, &grad_neg_, &count_fwd_})
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
    for (int j = 0; j < n_; ++j) {
      const auto u = static_cast<size_t>(j);
      const ForwardStep r = forward_step(np_, ForwardState{fwd_charge_[u], fwd_potential_[u]}, dropout_gate(acc_[u], keep_[u]), theta);
      fwd_charge_[u] = r.next.charge;
      fwd_potential_[u] = r.next.potential;
      fwd_flag_[u] = r.spike;
      gate_open_[u] = static_cast<uint8_t>(gate_event(r, theta_gate));
    }
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
    for (int k = 0; k < n_; ++k) fwd_flag_[static_cast<size_t>(k)] = (fired >> k) & 1u;
    if (cosim_) cosim_->core_forward(*this, acc_.data(), theta, theta, cosim_scratch_.data(), inhibition, winners);
  }
  cnt_.forward_updates += static_cast<uint64_t>(n_);
  list_fwd_.clear();
  out_.clear();
  for (int j = 0; j < n_; ++j) {
    if (!fwd_flag_[static_cast<size_t>(j)]) continue;
    list_fwd_.push_back(j);
    ++count_fwd_[static_cast<size_t>(j)];
    if (!is_output()) {
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

void neuron_core::queue_gradient_events(int t) {
  list_pos_.clear();
  list_neg_.clear();
  out_.clear();
  for (int j = 0; j < n_; ++j) {
    const auto u = static_cast<size_t>(j);
    if (!pos_flag_[u] && !neg_flag_[u]) continue;
    AerEvent ev;
    const int ch = j / grad_band_;
    ev.block = static_cast<uint8_t>(first_block_ + ch);
    ev.neuron = static_cast<uint16_t>(j);
    ev.tag = static_cast<uint32_t>(t);
    const int ready = j / chip_.lanes + ChipConfig::kNeuronPipeline;
    if (pos_flag_[u]) {
      list_pos_.push_back(j);
      ev.kind = SpikeKind::kGradPos;
      out_.push_back(Outgoing{ev, ch, ready});
    }
    if (neg_flag_[u]) {
      list_neg_.push_back(j);
      ev.kind = SpikeKind::kGradNeg;
      out_.push_back(Outgoing{ev, ch, ready});
    }
  }
  cnt_.pos_spikes += list_pos_.size();
  cnt_.neg_spikes += list_neg_.size();
  cnt_.gradient_updates += static_cast<uint64_t>(n_);
}

void neuron_core::gradient_neuron(size_t u, int32_t in, bool gate_open, int32_t theta) {
  const GradientStep r =
      gradient_step(np_, GradientState{grad_charge_[u], grad_pos_[u], grad_neg_[u], gate_[u] != 0}, in, gate_open, theta);
  grad_charge_[u] = r.next.charge;
  grad_pos_[u] = r.next.pos;
  grad_neg_[u] = r.next.neg;
  gate_[u] = r.next.gate;
  pos_flag_[u] = r.spike_pos;
  neg_flag_[u] = r.spike_neg;
}

int neuron_core::error() {
  const int32_t theta_err = cfg_.gradient_threshold(layer_);  // the output layer: theta_err
  const int label = label_valid_i.read() ? static_cast<int>(label_class_i.read()) : -1;
  for (int k = 0; k < n_; ++k) {
    const auto u = static_cast<size_t>(k);
    gradient_neuron(u, output_error_input(k == label, fwd_flag_[u], cfg_.err_unit), fwd_flag_[u] != 0, theta_err);
  }
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
  for (int j = 0; j < n_; ++j) {
    const auto u = static_cast<size_t>(j);
    gradient_neuron(u, acc_[u], gate_open_[u] != 0, theta_grad);
  }
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
