// ssnn_chip: the top level.  Assembles an inputs-H1-...-C network from the spike encoder, one
// neuron core per layer, the crossbar tiles of every weight layer and the chip controller, all
// event traffic going through one aer_router.
//
// AER addressing: the router routes on (source block, kind).  A block is a segment of a source:
// the encoder has one block per row band of the first weight layer; core l has one block per row
// band of weight layer l (its forward events) and per column band of weight layer l-1 (its
// gradient events).  Routing table: (encoder band r, x) -> every tile in row band r of layer 0;
// (core l band r, x) -> every tile in row band r of layer l; (core l band c, dp / dn) -> every
// tile in column band c of layer l-1.  So an input spike reaches every tile of its row, and a
// gradient spike every tile of its column.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "aer_router.hpp"
#include "chip_config.hpp"
#include "chip_controller.hpp"
#include "chip_floorplan.hpp"
#include "controller_bus.hpp"
#include "chip_state.hpp"
#include "crossbar_tile.hpp"
#include "host_interface.hpp"
#include "neuron_core.hpp"
#include "spike_encoder.hpp"
#include "ssnn/contract/sample.hpp"
#include "ssnn/contract/weights.hpp"
#include "tile_bank.hpp"

namespace ssnn::sc {

// Every counter of the chip, cumulative since reset.
struct ChipCounters {
  ControllerCounters controller;
  EncoderCounters encoder;
  std::vector<CoreCounters> cores;       // layers 1..L
  std::vector<SourceCounters> sources;   // router inputs: encoder, cores 1..L
  std::vector<TileCounters> layer_tiles; // per weight layer, summed over its tiles
  std::vector<uint64_t> synaptic_reads;  // per weight layer: cross-points read by forward reads
  std::vector<uint64_t> gradient_reads;  // per weight layer: cross-points read by transposed reads
  AerRouterCounters router;

  // The golden model's per-sample counters, from the difference of two snapshots.
  static SampleCounters sample_delta(const ChipCounters& before, const ChipCounters& after);
  // The counters of a chip state (every level's chip keeps its counters as a ChipState): the tiles'
  // (s.tiles[k] of floorplan tile k) summed per weight layer.
  static ChipCounters of_state(const ChipState& s, const ChipFloorplan& plan);
};

// Which blocks a waveform shows and which neuron / cross-point it probes.
struct TraceSpec {
  bool ctrl = true;
  bool enc = false;
  bool router = false;
  std::vector<int> cores;  // layers
  std::vector<int> tiles;  // tile indices
  int neuron = 0;          // probed neuron of each traced core (clamped to the layer)
  int row = 0, col = 0;    // probed cross-point of each traced tile (tile-local, clamped)
};

// The host interface (host_interface.hpp, passed through to the controller) and the prediction.
class ssnn_chip : public host_interface {
 public:
  sc_core::sc_out<uint32_t> prediction_o;

  SC_HAS_PROCESS(ssnn_chip);
  // Validates both configurations (ConfigError naming the option).
  ssnn_chip(const sc_core::sc_module_name& name, const ModelConfig& cfg, const ChipConfig& chip);

  const ModelConfig& config() const { return cfg_; }
  const ChipConfig& chip_config() const { return chip_; }

  // Host: pixels and label of the next sample (the host DMA writes the encoder's pixel memory).
  void load_sample(const uint8_t* pixels, int label) { encoder_->load_sample(pixels, label); }
  // Array programming and read-back through the tiles' test ports.
  void load_weights(const std::vector<WeightMatrix>& w);
  std::vector<WeightMatrix> read_weights() const;

  ChipCounters counters() const;
  // Checkpoints: what outlives a sample besides the weights (chip_state.hpp), read and set between
  // samples. restore_state checks that the state fits this chip (block, tile and router channel
  // counts, an idle chip) before it changes anything; std::invalid_argument names what does not fit.
  ChipState state() const;
  void restore_state(const ChipState& s);
  int num_tiles() const { return static_cast<int>(tiles_.size()); }
  int num_blocks() const { return plan_.num_blocks; }
  // First AER block (router input) of the core of `layer` (0: the encoder).
  int first_block(int layer) const { return plan_.core_block[static_cast<size_t>(layer)]; }
  const crossbar_tile& tile(int k) const { return *tiles_[static_cast<size_t>(k)]; }
  const neuron_core& core(int layer) const { return *cores_[static_cast<size_t>(layer - 1)]; }
  const spike_encoder& encoder() const { return *encoder_; }
  const aer_router& router() const { return *router_; }
  const chip_controller& controller() const { return *controller_; }
  const AerRoutingTable& routes() const { return plan_.routes; }
  const ChipFloorplan& floorplan() const { return plan_; }
  // Output spike counts of the last sample.
  std::vector<int32_t> output_counts() const { return cores_.back()->forward_counts(); }

  // Called at every barrier (after the step's updates) with the step's spikes, as the golden
  // model's StepObserver is; nullptr to stop.
  void set_step_observer(StepObserver* observer) { observer_ = observer; }
  // RTL co-simulation: `observer` sees every command of the encoder, the cores and the tiles
  // (systemc/cosim, docs/rtl.md); nullptr detaches it.
  void set_cosim_observer(CosimObserver* observer);

  // Waveforms: registers the probes of `spec` in tf (call before sc_start); they only change while
  // tracing is enabled, so the file holds just the chosen window.
  void trace(sc_core::sc_trace_file* tf, const TraceSpec& spec);
  void set_trace_enabled(bool on) { trace_on_ = on; }

 private:
  void on_step(int t);
  void trace_sample();

  ModelConfig cfg_;
  ChipConfig chip_;
  ChipFloorplan plan_;  // tiling, AER block numbers, routing table

  // Signals.
  ControllerBus bus_;  // the controller's command bus and the blocks' status
  sc_core::sc_signal<bool> label_valid_s_{"label_valid"};
  sc_core::sc_signal<uint32_t> label_class_s_{"label_class"};
  sc_core::sc_vector<sc_core::sc_signal<uint32_t>> prediction_s_;
  AerLinks router_in_{"router_in_"};    // one channel per AER block (the sources' channels)
  AerLinks router_out_{"router_out_"};  // one channel per tile

  std::unique_ptr<spike_encoder> encoder_;
  std::vector<std::unique_ptr<neuron_core>> cores_;
  std::vector<std::unique_ptr<crossbar_tile>> tiles_;
  std::unique_ptr<tile_bank> tile_bank_;  // clocks the tiles
  std::unique_ptr<aer_router> router_;
  std::unique_ptr<chip_controller> controller_;

  StepObserver* observer_ = nullptr;
  std::vector<std::vector<int>> obs_fwd_, obs_pos_, obs_neg_;

  // Trace probes (shadow copies, updated on both clock edges while tracing is enabled).
  struct CoreProbe {
    int layer = 0, neuron = 0;
    int32_t charge = 0, potential = 0, grad_charge = 0, grad_pos = 0, grad_neg = 0;
    bool spike = false, spike_pos = false, spike_neg = false, gate = false;
    uint32_t spikes_in_step = 0, pos_in_step = 0, neg_in_step = 0;
    bool valid = false, ready = false;
    AerEvent event;
  };
  struct TileProbe {
    int tile = 0, row = 0, col = 0;
    bool row_latch = false, col_pos = false, col_neg = false, valid = false;
    int32_t weight = 0;
    uint64_t rx = 0;
    AerEvent event;
  };
  struct RouterProbe {
    std::vector<uint32_t> fifo;
    std::vector<uint8_t> in_valid, in_ready, out_valid;
    uint32_t grants = 0;
    uint64_t stall_cycles = 0;
  };
  bool trace_on_ = false;
  bool tracing_ = false;
  bool trace_armed_ = false;  // trace_sample is on the clock
  TraceSpec trace_spec_;
  bool t_clk_ = false, t_rst_ = false, t_busy_ = false, t_enc_valid_ = false, t_enc_ready_ = false, t_label_ = false;
  uint32_t t_phase_ = 0, t_layer_ = 0, t_step_ = 0, t_enc_spikes_ = 0, t_label_class_ = 0;
  uint64_t t_cycle_ = 0;
  AerEvent t_enc_event_;
  std::vector<CoreProbe> core_probes_;
  std::vector<TileProbe> tile_probes_;
  RouterProbe router_probe_;
};

}  // namespace ssnn::sc
