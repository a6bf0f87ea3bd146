// RTL co-simulation of the SystemC chip (see rtl_cosim.hpp and docs/rtl.md).
//
// Timing.  The behavioural blocks take a command at a rising edge of the chip clock and call the
// observer there.  The driver below runs at the falling edge: it lowers the gated clocks, checks the
// results of the RTL commands of the previous cycle and writes the next commands' inputs, which the
// RTL units take at the next rising edge of their gated clock.  So an RTL command issued for the
// cycle after a behavioural command lands one edge later and is checked half a cycle after that;
// no process ever depends on the order of processes within one delta cycle.
//
// The banks, one file each on the shared base cosim_bank.hpp: hidden_neuron_bank.hpp,
// output_bank.hpp, encoder_bank.hpp, crosspoint_pool.hpp and crosspoint_probe.hpp.
#include "rtl_cosim.hpp"

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <systemc>
#include <verilated.h>
#include <verilated_fst_sc.h>

#include "cosim_bank.hpp"
#include "crosspoint_pool.hpp"
#include "crosspoint_probe.hpp"
#include "encoder_bank.hpp"
#include "hidden_neuron_bank.hpp"
#include "output_bank.hpp"

namespace ssnn::sc {

using namespace cosim;

namespace {

// The clocked process of the co-simulation: rising and falling edges of the chip clock and reset.
class CosimDriver : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk_i{"clk_i"};
  sc_core::sc_in<bool> rst_ni{"rst_ni"};

  SC_HAS_PROCESS(CosimDriver);
  CosimDriver(const sc_core::sc_module_name& name, CosimContext& ctx, std::vector<Bank*>& banks)
      : sc_core::sc_module(name), ctx_(ctx), banks_(banks) {
    SC_METHOD(on_edge);
    sensitive << clk_i << rst_ni;
    dont_initialize();
  }

 private:
  void on_edge() {
    if (!rst_ni.read()) {
      for (Bank* b : banks_) b->reset();
      ctx_.reset_counts();
      return;
    }
    if (!clk_i.event()) return;
    if (clk_i.read()) {
      for (Bank* b : banks_) b->rise();
    } else {
      for (Bank* b : banks_) b->negedge();
    }
  }

  CosimContext& ctx_;
  std::vector<Bank*>& banks_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
// The observer: dispatches the behavioural commands to the banks.
// ---------------------------------------------------------------------------------------------------
class RtlCosim::Impl : public CosimObserver {
 public:
  Impl(ChipHarness& h, const CosimOptions& opt)
      : harness_(h), chip_(h.chip()), opt_(opt), ctx_(chip_.config(), chip_.chip_config(), opt_, h.period()) {
    validate();
    Verilated::threadContextp()->threads(1);
    if (opt_.trace) Verilated::traceEverOn(true);
    sc_core::sc_signal_in_if<bool>& rst = h.reset_n();
    const ModelConfig& cfg = chip_.config();
    const int L = cfg.layers();
    if (opt_.encoder) {
      encoder_ = std::make_unique<EncoderBank>(ctx_, chip_.encoder(), rst);
      banks_.push_back(encoder_.get());
    }
    if (opt_.neuron) {
      for (int l = 1; l < L; ++l) {
        const int probe = opt_.trace && opt_.probe_layer == l ? std::clamp(opt_.probe_neuron, 0, cfg.layer_size(l) - 1) : -1;
        hidden_.push_back(std::make_unique<HiddenNeuronBank>(ctx_, chip_.core(l), probe, rst));
        banks_.push_back(hidden_.back().get());
        if (probe >= 0) probe_neuron_ = &hidden_.back()->model(probe);
      }
      output_ = std::make_unique<OutputBank>(ctx_, chip_.core(L), rst);
      banks_.push_back(output_.get());
    }
    if (opt_.coincidence) {
      for (int k = 0; k < chip_.num_tiles(); ++k) {
        tile_index_[&chip_.tile(k)] = k;
        const int units = opt_.xpoint_units > 0 ? opt_.xpoint_units : chip_.tile(k).geometry().cols;
        pools_.push_back(std::make_unique<CrosspointPool>(ctx_, chip_.tile(k), k, units, rst));
        banks_.push_back(pools_.back().get());
      }
      if (opt_.trace && opt_.probe_tile >= 0 && opt_.probe_tile < chip_.num_tiles()) {
        const crossbar_tile& t = chip_.tile(opt_.probe_tile);
        const int r = std::clamp(opt_.probe_row, 0, t.geometry().rows - 1);
        const int c = std::clamp(opt_.probe_col, 0, t.geometry().cols - 1);
        probe_ = std::make_unique<CrosspointProbe>(ctx_, t, r, c, rst);
        banks_.push_back(probe_.get());
      }
    }
    driver_ = std::make_unique<CosimDriver>("rtl_cosim", ctx_, banks_);
    driver_->clk_i(h.clock());
    driver_->rst_ni(h.reset_n());
    chip_.set_cosim_observer(this);
    harness_.set_after_run([this] { check(); });
  }

  ~Impl() override {
    chip_.set_cosim_observer(nullptr);
    harness_.set_after_run(nullptr);
    close_traces();
    for (Bank* b : banks_) b->final_models();
  }

  // ---- CosimObserver --------------------------------------------------------------------------
  void encoder_sample_begin(const spike_encoder&, uint64_t key) override {
    ctx_.sample_begin();
    if (encoder_) encoder_->post_load(key);
  }
  void encoder_forward(const spike_encoder&, int t, uint32_t ramp, bool label_drawn) override {
    if (encoder_) encoder_->post_forward(t, ramp, label_drawn);
  }
  void core_sample_begin(const neuron_core& core) override {
    ctx_.sample_begin();
    if (!opt_.neuron) return;
    if (core.is_output())
      output_->post_clear();
    else
      hidden_[static_cast<size_t>(core.layer() - 1)]->post_clear();
  }
  void core_forward(const neuron_core& core, const int32_t* input, int32_t theta, int32_t theta_gate, const int32_t* pre_wta, int32_t inhibition,
                    int winners) override {
    if (!opt_.neuron) return;
    const int t = static_cast<int>(core.step_i.read());
    if (core.is_output())
      output_->post_forward(t, input, theta, pre_wta, inhibition, winners);
    else
      hidden_[static_cast<size_t>(core.layer() - 1)]->post_forward(t, input, theta, theta_gate);
  }
  void core_error(const neuron_core& core, int label, int32_t theta_err) override {
    if (opt_.neuron) output_->post_error(static_cast<int>(core.step_i.read()), label, theta_err);
  }
  void core_backward(const neuron_core& core, const int32_t* input, int32_t theta_grad) override {
    if (opt_.neuron) hidden_[static_cast<size_t>(core.layer() - 1)]->post_backward(static_cast<int>(core.step_i.read()), input, theta_grad);
  }
  void tile_sample_begin(const crossbar_tile& tile) override {
    ctx_.sample_begin();
    if (probe_ && &tile == &chip_.tile(opt_.probe_tile)) probe_->post_sample_begin();
  }
  void tile_pulse(const crossbar_tile& tile, int t, int row, int col, bool up, int32_t before, int32_t after, uint32_t word) override {
    if (!opt_.coincidence) return;
    pools_[static_cast<size_t>(tile_index_.at(&tile))]->post(t, row, col, up, before, after, word);
  }
  void tile_step_end(const crossbar_tile& tile, int t, bool) override {
    if (probe_ && &tile == &chip_.tile(opt_.probe_tile)) probe_->post_step_end(t);
  }

  // ---- Control ----------------------------------------------------------------------------------
  std::vector<std::string> open_traces(const std::string& stem) {
    std::vector<std::string> paths;
    if (!opt_.trace) return paths;
    if (probe_neuron_) {
      neuron_fst_ = std::make_unique<VerilatedFstSc>();
      probe_neuron_->trace(neuron_fst_.get(), 99);
      neuron_path_ = stem + "_rtl_neuron.fst";
      paths.push_back(neuron_path_);
    }
    if (probe_) {
      xpoint_fst_ = std::make_unique<VerilatedFstSc>();
      probe_->model().trace(xpoint_fst_.get(), 99);
      xpoint_path_ = stem + "_rtl_crosspoint.fst";
      paths.push_back(xpoint_path_);
    }
    return paths;
  }
  void set_trace_enabled(bool on) {
    if (on && !trace_opened_) {
      trace_opened_ = true;
      if (neuron_fst_) neuron_fst_->open(neuron_path_.c_str());
      if (xpoint_fst_) xpoint_fst_->open(xpoint_path_.c_str());
    } else if (!on && trace_opened_) {
      close_traces();
    }
  }
  void close_traces() {
    if (neuron_fst_ && neuron_fst_->isOpen()) neuron_fst_->close();
    if (xpoint_fst_ && xpoint_fst_->isOpen()) xpoint_fst_->close();
  }

  bool idle() const {
    for (const Bank* b : banks_)
      if (!b->idle()) return false;
    return true;
  }

  void drain() {
    const sc_core::sc_time p = harness_.period();
    // The pools take 2 cycles per pulse: far less than this bound unless a unit hangs.
    const uint64_t limit = 1000 + 4 * ctx_.stats.xpoint_max_backlog;
    uint64_t n = 0;
    while (!idle()) {
      if (n++ > limit) throw std::runtime_error("rtl co-simulation: RTL command queues not empty after " + std::to_string(limit) + " idle cycles");
      sc_core::sc_start(p);
      check();
    }
    ctx_.stats.drain_cycles += n;
  }

  void check() const {
    if (ctx_.first) throw LockstepError(*ctx_.first);
  }

  std::string coverage_error() const {
    const ChipCounters c = chip_.counters();
    const CosimStats& s = ctx_.stats;
    auto differ = [](const char* what, uint64_t rtl, uint64_t chip) {
      return rtl == chip ? std::string() : fmt::format("{}: RTL {}, chip {}", what, rtl, chip);
    };
    std::vector<std::string> errs;
    if (opt_.neuron) {
      uint64_t fwd = 0, grad = 0;
      for (const CoreCounters& k : c.cores) {
        fwd += k.forward_updates;
        grad += k.gradient_updates;
      }
      errs.push_back(differ("forward-neuron updates", s.neuron_forward, fwd));
      errs.push_back(differ("gradient-pair updates", s.neuron_gradient, grad));
      errs.push_back(differ("WTA cycles", s.wta_cycles, c.cores.back().wta_iterations));
    }
    if (opt_.coincidence) {
      uint64_t pulses = 0;
      for (const TileCounters& t : c.layer_tiles) pulses += t.pulses_up + t.pulses_down;
      errs.push_back(differ("cross-point pulses", s.xpoint_pulses, pulses));
    }
    if (opt_.encoder) {
      errs.push_back(differ("LFSR draws", s.lfsr_draws, c.encoder.lfsr_draws));
      errs.push_back(differ("LFSR seed loads", s.lfsr_loads, c.encoder.seed_loads));
    }
    std::string out;
    for (const std::string& e : errs)
      if (!e.empty()) out += (out.empty() ? "" : "; ") + e;
    return out;
  }

  const CosimStats& stats() const { return ctx_.stats; }
  const CosimOptions& options() const { return opt_; }
  bool failed() const { return ctx_.failed(); }

 private:
  void validate() const {
    const ModelConfig& cfg = chip_.config();
    if (opt_.neuron) {
      if (cfg.charge_bits != kChargeBits || cfg.potential_bits != kPotentialBits)
        throw ConfigError(fmt::format("--rtl neuron: the RTL neurons are verilated with {}-bit charge and {}-bit potential registers; "
                                      "this run has --charge-bits {} --potential-bits {}",
                                      kChargeBits, kPotentialBits, cfg.charge_bits, cfg.potential_bits));
      if (cfg.classes != kNumOutputs)
        throw ConfigError(fmt::format("--rtl neuron: the RTL output layer is verilated with {} outputs; this run has --classes {}",
                                      kNumOutputs, cfg.classes));
    }
    if (opt_.coincidence) {
      if (cfg.update_mode != UpdateMode::kStochastic)
        throw ConfigError(fmt::format("--rtl coincidence: --mode {} has no RTL unit (the coincidence unit is the chip's "
                                      "stochastic update, --mode stochastic)",
                                      to_string(cfg.update_mode)));
      if (cfg.weight_bits != kWeightBits)
        throw ConfigError(fmt::format("--rtl coincidence: the RTL coincidence unit is verilated with {}-bit weights; this run has "
                                      "--weight-bits {}",
                                      kWeightBits, cfg.weight_bits));
      if (cfg.pulse_noise >= (1 << kNoiseBits))
        throw ConfigError(fmt::format("--rtl coincidence: the RTL coincidence unit takes pulse noise below {} ({} noise bits); "
                                      "this run has --pulse-noise {}",
                                      1 << kNoiseBits, kNoiseBits, cfg.pulse_noise));
    }
  }

  ChipHarness& harness_;
  ssnn_chip& chip_;
  const CosimOptions opt_;
  CosimContext ctx_;
  std::vector<Bank*> banks_;
  std::unique_ptr<EncoderBank> encoder_;
  std::vector<std::unique_ptr<HiddenNeuronBank>> hidden_;
  std::unique_ptr<OutputBank> output_;
  std::vector<std::unique_ptr<CrosspointPool>> pools_;
  std::unique_ptr<CrosspointProbe> probe_;
  std::unordered_map<const crossbar_tile*, int> tile_index_;
  std::unique_ptr<CosimDriver> driver_;
  Vsc_neuron_hidden* probe_neuron_ = nullptr;
  std::unique_ptr<VerilatedFstSc> neuron_fst_, xpoint_fst_;
  std::string neuron_path_, xpoint_path_;
  bool trace_opened_ = false;
};

// ---------------------------------------------------------------------------------------------------
// Public interface.
// ---------------------------------------------------------------------------------------------------
bool RtlCosim::available() { return true; }

RtlCosim::RtlCosim(ChipHarness& h, const CosimOptions& options) : impl_(std::make_unique<Impl>(h, options)) {}
RtlCosim::~RtlCosim() = default;
std::vector<std::string> RtlCosim::open_traces(const std::string& stem) { return impl_->open_traces(stem); }
void RtlCosim::set_trace_enabled(bool on) { impl_->set_trace_enabled(on); }
void RtlCosim::close_traces() { impl_->close_traces(); }
void RtlCosim::drain() { impl_->drain(); }
void RtlCosim::check() const { impl_->check(); }
bool RtlCosim::failed() const { return impl_->failed(); }
std::string RtlCosim::coverage_error() const { return impl_->coverage_error(); }
const CosimStats& RtlCosim::stats() const { return impl_->stats(); }
const CosimOptions& RtlCosim::options() const { return impl_->options(); }

}  // namespace ssnn::sc
