#include "equivalence.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "ssnn/contract/seeding.hpp"

namespace ssnn::sc {

void RasterRecorder::on_step(const StepSpikes& s) {
  StepRaster r;
  r.forward = *s.forward;
  r.grad_pos = *s.grad_pos;
  r.grad_neg = *s.grad_neg;
  r.label_spike = s.label_spike;
  steps.push_back(std::move(r));
}

namespace {

std::string block_name(size_t layer, size_t layers) {
  if (layer == 0) return "encoder";
  return fmt::format("core{}{}", layer, layer == layers ? " (output)" : "");
}

// First index present in one sorted list and not the other.
std::string compare_list(const std::vector<int>& chip, const std::vector<int>& golden) {
  size_t i = 0, j = 0;
  while (i < chip.size() || j < golden.size()) {
    if (j == golden.size() || (i < chip.size() && chip[i] < golden[j]))
      return fmt::format("neuron {}: chip spiked, golden did not", chip[i]);
    if (i == chip.size() || golden[j] < chip[i]) return fmt::format("neuron {}: golden spiked, chip did not", golden[j]);
    ++i;
    ++j;
  }
  return "";
}

}  // namespace

std::string compare_rasters(const std::vector<StepRaster>& chip, const std::vector<StepRaster>& golden) {
  if (chip.size() != golden.size()) return fmt::format("chip ran {} steps, golden {}", chip.size(), golden.size());
  for (size_t t = 0; t < chip.size(); ++t) {
    const StepRaster& a = chip[t];
    const StepRaster& b = golden[t];
    const size_t L = b.forward.size() - 1;
    if (a.label_spike != b.label_spike)
      return fmt::format("step {}, encoder label spike: chip {}, golden {}", t, a.label_spike, b.label_spike);
    for (size_t l = 0; l <= L; ++l) {
      std::string m = compare_list(a.forward[l], b.forward[l]);
      if (!m.empty()) return fmt::format("step {}, {} x spikes, {}", t, block_name(l, L), m);
    }
    for (size_t l = L; l >= 1; --l) {
      std::string m = compare_list(a.grad_pos[l], b.grad_pos[l]);
      if (!m.empty()) return fmt::format("step {}, {} dp spikes, {}", t, block_name(l, L), m);
      m = compare_list(a.grad_neg[l], b.grad_neg[l]);
      if (!m.empty()) return fmt::format("step {}, {} dn spikes, {}", t, block_name(l, L), m);
    }
  }
  return "";
}

std::string compare_weights(const std::vector<WeightMatrix>& chip, const std::vector<WeightMatrix>& golden) {
  if (chip.size() != golden.size()) return "weight layer count differs";
  for (size_t l = 0; l < chip.size(); ++l) {
    const WeightMatrix& a = chip[l];
    const WeightMatrix& b = golden[l];
    if (a.rows != b.rows || a.cols != b.cols) return fmt::format("weight layer {} shape differs", l);
    for (int i = 0; i < a.rows; ++i)
      for (int j = 0; j < a.cols; ++j)
        if (a.at(i, j) != b.at(i, j))
          return fmt::format("weight layer {}, row {}, column {}: chip {}, golden {}", l, i, j, a.at(i, j), b.at(i, j));
  }
  return "";
}

std::string compare_counters(const SampleCounters& a, const SampleCounters& b) {
  auto vec = [](const char* name, const std::vector<uint64_t>& x, const std::vector<uint64_t>& y) -> std::string {
    for (size_t l = 0; l < std::min(x.size(), y.size()); ++l)
      if (x[l] != y[l]) return fmt::format("counter {}[{}]: chip {}, golden {}", name, l, x[l], y[l]);
    return "";
  };
  for (std::string m : {vec("forward_spikes", a.forward_spikes, b.forward_spikes), vec("pos_spikes", a.pos_spikes, b.pos_spikes),
                        vec("neg_spikes", a.neg_spikes, b.neg_spikes)})
    if (!m.empty()) return m;
  auto one = [](const char* name, uint64_t x, uint64_t y) -> std::string {
    return x == y ? "" : fmt::format("counter {}: chip {}, golden {}", name, x, y);
  };
  for (std::string m : {one("synaptic_reads", a.synaptic_reads, b.synaptic_reads), one("gradient_reads", a.gradient_reads, b.gradient_reads),
                        one("pulses_up", a.pulses_up, b.pulses_up), one("pulses_down", a.pulses_down, b.pulses_down),
                        one("rate_updates", a.rate_updates, b.rate_updates)})
    if (!m.empty()) return m;
  return "";
}

EquivalenceReport run_equivalence(ChipHarness& h, const Dataset& data, const EquivalenceRun& run) {
  EquivalenceReport rep;
  ssnn_chip& chip = h.chip();
  const ModelConfig& cfg = chip.config();
  GoldenModel golden(cfg);
  Workspace ws(cfg);
  h.power_on();
  chip.load_weights(golden.weights());
  if (run.perturb_chip) {
    std::vector<WeightMatrix> w = chip.read_weights();
    run.perturb_chip(w);
    chip.load_weights(w);
  }
  RasterRecorder chip_obs, golden_obs;
  chip.set_step_observer(&chip_obs);
  const size_t total = run.train + run.test;
  for (size_t s = 0; s < total && rep.mismatch.empty(); ++s) {
    const bool learn = s < run.train;
    const size_t idx = learn ? s % data.size() : (s - run.train) % data.size();
    SampleSpec spec;
    spec.phase = learn ? ssnn::Phase::kTrain : ssnn::Phase::kTest;
    spec.epoch = 0;
    spec.index = learn ? s : s - run.train;
    spec.learn = learn;
    const int label = data.label(idx);
    chip_obs.steps.clear();
    golden_obs.steps.clear();
    const ChipCounters before = chip.counters();
    const SampleResult rc = h.run_sample(data.image(idx), learn ? label : -1, spec);
    const SampleResult rg = golden.run_sample(ws, data.image(idx), learn ? label : -1, spec, &golden_obs);
    const ChipCounters after = chip.counters();
    const std::string what = fmt::format("sample {} ({}, data index {})", s, learn ? "train" : "test", idx);
    std::string m = compare_rasters(chip_obs.steps, golden_obs.steps);
    if (m.empty()) m = compare_weights(chip.read_weights(), golden.weights());
    if (m.empty()) m = compare_counters(ChipCounters::sample_delta(before, after), ws.counters);
    if (m.empty() && rc.output_counts != rg.output_counts) m = "output spike counts differ";
    if (m.empty() && rc.prediction != rg.prediction)
      m = fmt::format("prediction: chip {}, golden {}", rc.prediction, rg.prediction);
    if (!m.empty()) rep.mismatch = what + ": " + m;
    ++rep.samples;
    rep.steps += golden_obs.steps.size();
    for (const StepRaster& r : golden_obs.steps)
      for (size_t l = 0; l < r.forward.size(); ++l) rep.spikes_compared += r.forward[l].size() + r.grad_pos[l].size() + r.grad_neg[l].size();
  }
  chip.set_step_observer(nullptr);
  rep.counters = chip.counters();
  return rep;
}

Dataset synthetic_dataset(int pixels, int classes, size_t n, uint64_t seed) {
  Dataset d;
  d.name = "synthetic";
  d.rows = 1;
  d.cols = static_cast<uint32_t>(pixels);
  d.num_classes = static_cast<uint32_t>(classes);
  d.pixels.resize(n * static_cast<size_t>(pixels));
  d.labels.resize(n);
  uint64_t s = seed;
  for (size_t i = 0; i < n; ++i) {
    s = splitmix64(s);
    const int label = static_cast<int>(s % static_cast<uint64_t>(classes));
    d.labels[i] = static_cast<uint8_t>(label);
    for (int p = 0; p < pixels; ++p) {
      s = splitmix64(s);
      // Class-dependent bright region plus sparse noise, so the network has something to learn.
      const bool region = (p * classes / pixels) == label;
      const uint32_t r = static_cast<uint32_t>(s >> 32);
      d.pixels[i * static_cast<size_t>(pixels) + static_cast<size_t>(p)] =
          region ? static_cast<uint8_t>(128 + (r & 127)) : ((r & 7) == 0 ? static_cast<uint8_t>(r >> 24) : 0);
    }
  }
  return d;
}

ModelConfig synthetic_config(std::vector<int> hidden, int timesteps, int32_t theta) {
  ModelConfig cfg;
  cfg.inputs = 64;
  cfg.hidden = std::move(hidden);
  cfg.classes = 4;
  cfg.timesteps = timesteps;
  cfg.theta = theta;
  cfg.theta_out = theta;
  return cfg;
}

ModelConfig mnist_config(std::vector<int> hidden, int timesteps) {
  ModelConfig cfg;
  cfg.inputs = 784;
  cfg.hidden = std::move(hidden);
  cfg.classes = 10;
  cfg.timesteps = timesteps;
  return cfg;
}

ModelConfig deep_nonideal_config(int timesteps, int32_t pulse_noise) {
  ModelConfig cfg = mnist_config({24, 12}, timesteps);
  cfg.theta = 256;
  cfg.theta_out = 256;
  cfg.theta_grad = 16;
  cfg.dropout_input = 0.2;
  cfg.dropout_hidden = 0.3;
  cfg.device_states = 4097;  // level of 15 LSB
  cfg.device_asymmetry = 0.5;
  cfg.pulse_noise = pulse_noise;
  cfg.pulse = {2};
  return cfg;
}

ChipConfig tiled_chip(int tile_rows, int tile_cols) {
  ChipConfig chip;
  chip.tile_rows = tile_rows;
  chip.tile_cols = tile_cols;
  return chip;
}

Dataset subset_images(size_t n) { return load_named_dataset("subset", "train", "", n); }

void start_first_training_sample(ChipHarness& h, const Dataset& data, uint64_t cycles) {
  h.power_on();
  h.chip().load_weights(initial_weights(h.chip().config()));
  SampleSpec spec;
  spec.phase = ssnn::Phase::kTrain;
  spec.learn = true;
  h.start_sample(data.image(0), data.label(0), spec, cycles);
}

}  // namespace ssnn::sc
