// Module tests: the crossbar tile's reads and pulse updates, the neuron core against the golden
// step functions, and an asynchronous reset in the middle of a run.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "equivalence.hpp"
#include "ssnn/contract/seeding.hpp"

namespace ssnn::sc {
namespace {

const sc_core::sc_time kPeriod(10, sc_core::SC_NS);

// Runs n clock cycles; the first call moves to the middle of a cycle, so every later call
// covers exactly n rising edges.
void cycles(int n) {
  if (sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME) sc_core::sc_start(kPeriod / 2);
  sc_core::sc_start(static_cast<double>(n) * kPeriod);
}

// Issues controller command `o` (start high for one cycle) and runs until the block drops busy;
// returns the cycles it took, the start cycle included.
int run_command(sc_core::sc_signal<uint32_t>& op, sc_core::sc_signal<bool>& start, const sc_core::sc_signal<bool>& busy,
                Op o) {
  op.write(static_cast<uint32_t>(o));
  start.write(true);
  cycles(1);
  start.write(false);
  int n = 1;
  cycles(1);
  while (busy.read()) {
    cycles(1);
    ++n;
  }
  return n;
}

struct TileBench {
  sc_core::sc_clock clk{"clk", kPeriod};
  sc_core::sc_signal<bool> rst_n{"rst_n"}, start{"start"}, learn{"learn"}, busy{"busy"}, valid{"valid"}, ready{"ready"};
  sc_core::sc_signal<uint32_t> op{"op"}, step{"step"}, epoch{"epoch"};
  sc_core::sc_signal<uint64_t> key{"key"}, rx{"rx"};
  sc_core::sc_signal<AerEvent> ev{"ev"};
  crossbar_tile tile;

  TileBench(const ModelConfig& cfg, const TileGeometry& g) : tile("tile", cfg, g) {
    tile.clk_i(clk);
    tile.rst_ni(rst_n);
    tile.start_i(start);
    tile.op_i(op);
    tile.step_i(step);
    tile.learn_i(learn);
    tile.epoch_i(epoch);
    tile.sample_key_i(key);
    tile.busy_o(busy);
    tile.valid_i(valid);
    tile.event_i(ev);
    tile.ready_o(ready);
    tile.rx_count_o(rx);
  }
  void send(uint16_t neuron, SpikeKind kind) {
    AerEvent e;
    e.neuron = neuron;
    e.kind = kind;
    ev.write(e);
    valid.write(true);
    cycles(1);
    valid.write(false);
  }
  int command(Op o) { return run_command(op, start, busy, o); }
};

TEST(CrossbarTile, ReadsAndPulseUpdatesAreExact) {
  ModelConfig cfg;
  cfg.inputs = 40;
  cfg.hidden = {32};
  cfg.classes = 30;
  cfg.weight_bits = 8;  // saturation at +-127 / -128 is reachable
  cfg.pulse = {3};
  TileGeometry g;
  g.layer = 1;  // rows are hidden neurons 10..14, columns outputs 20..26
  g.row0 = 10;
  g.rows = 5;
  g.col0 = 20;
  g.cols = 7;
  TileBench b(cfg, g);
  std::vector<int32_t> w(35);
  uint64_t s = 99;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) {
      s = splitmix64(s);
      w[static_cast<size_t>(r * 7 + c)] = static_cast<int32_t>(s % 200) - 100;
      b.tile.set_weight(r, c, w[static_cast<size_t>(r * 7 + c)]);
    }
  b.tile.set_weight(0, 1, 126);  // saturates up
  w[1] = 126;
  b.tile.set_weight(2, 5, -127);  // saturates down
  w[2 * 7 + 5] = -127;
  b.rst_n.write(false);
  cycles(2);
  b.rst_n.write(true);
  cycles(1);
  b.learn.write(true);
  b.command(Op::kSampleBegin);

  // Forward reads: rows 10 and 12; transposed reads: dp on column 21, dn on column 25.
  b.send(10, SpikeKind::kForward);
  b.send(12, SpikeKind::kForward);
  b.send(21, SpikeKind::kGradPos);
  b.send(25, SpikeKind::kGradNeg);
  cycles(1);
  EXPECT_EQ(b.rx.read(), 4u);
  std::vector<int32_t> fwd(27, 0), bwd(15, 0);
  b.tile.take_forward_sums(fwd.data());
  b.tile.take_backward_sums(bwd.data());
  for (int c = 0; c < 7; ++c) EXPECT_EQ(fwd[static_cast<size_t>(20 + c)], w[static_cast<size_t>(c)] + w[static_cast<size_t>(14 + c)]) << c;
  for (int r = 0; r < 5; ++r) EXPECT_EQ(bwd[static_cast<size_t>(10 + r)], w[static_cast<size_t>(r * 7 + 1)] - w[static_cast<size_t>(r * 7 + 5)]) << r;
  std::vector<int32_t> again(27, 0);
  b.tile.take_forward_sums(again.data());  // read-and-clear
  for (int32_t x : again) EXPECT_EQ(x, 0);

  // End of step: pulses exactly at (row 10 | 12) x (column 21 up | 25 down), saturating.
  const int busy_cycles = b.command(Op::kStepEnd);
  EXPECT_GE(busy_cycles, 2);  // a coincidence: at least one row read and written back
  const SynapseParams sp = cfg.synapse_params(0, 1);
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) {
      const bool row = r == 0 || r == 2;
      const int32_t expect = coincidence_update(sp, w[static_cast<size_t>(r * 7 + c)], row, c == 1, c == 5);
      EXPECT_EQ(b.tile.weight(r, c), expect) << r << "," << c;
    }
  EXPECT_EQ(b.tile.weight(0, 1), 127);
  EXPECT_EQ(b.tile.weight(2, 5), -128);
  EXPECT_EQ(b.tile.counters().pulses_up, 2u);
  EXPECT_EQ(b.tile.counters().pulses_down, 2u);
  EXPECT_EQ(b.tile.counters().row_reads, 2u);
  EXPECT_EQ(b.tile.counters().col_reads, 2u);
  // Latches are cleared: a second step end changes nothing.
  std::vector<int32_t> before;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) before.push_back(b.tile.weight(r, c));
  b.command(Op::kStepEnd);
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 7; ++c) EXPECT_EQ(b.tile.weight(r, c), before[static_cast<size_t>(r * 7 + c)]);
}

// Column-sum source with preset sums (stands in for the tiles around a core).
class FakeSums : public sc_core::sc_module, public tile_sum_if {
 public:
  FakeSums(const sc_core::sc_module_name& n, int rows, int cols) : sc_core::sc_module(n), rows_(rows), cols_(cols) {}
  int row_offset() const override { return 0; }
  int col_offset() const override { return 0; }
  int num_rows() const override { return rows_; }
  int num_cols() const override { return cols_; }
  bool take_forward_sums(int32_t* dst) override {
    for (int j = 0; j < cols_; ++j) dst[j] += sums[static_cast<size_t>(j)];
    return true;
  }
  bool take_backward_sums(int32_t* dst) override {
    for (int i = 0; i < rows_; ++i) dst[i] += sums[static_cast<size_t>(i)];
    return true;
  }
  std::vector<int32_t> sums;

 private:
  int rows_, cols_;
};

// Always-ready sink recording the events a core sends.
SC_MODULE(EventSink) {
  sc_core::sc_in<bool> clk_i;
  sc_core::sc_in<bool> valid_i;
  sc_core::sc_in<AerEvent> event_i;
  std::vector<AerEvent> got;
  SC_CTOR(EventSink) {
    SC_METHOD(on_clk);
    sensitive << clk_i.pos();
    dont_initialize();
  }
  void on_clk() {
    if (valid_i.read()) got.push_back(event_i.read());
  }
};

TEST(NeuronCore, MatchesGoldenStepFunctions) {
  ModelConfig cfg;
  cfg.inputs = 16;
  cfg.hidden = {37};
  cfg.classes = 4;
  cfg.timesteps = 20;
  cfg.theta = 300;
  cfg.theta_grad = 50;
  ChipConfig chip;
  chip.lanes = 8;
  AerRoutingTable routes;
  routes.add(0, SpikeKind::kForward, {0});
  routes.add(0, SpikeKind::kGradPos, {0});
  routes.add(0, SpikeKind::kGradNeg, {0});
  sc_core::sc_clock clk("clk", kPeriod);
  sc_core::sc_signal<bool> rst_n{"rst_n"}, start{"start"}, learn{"learn"}, busy{"busy"}, label_valid{"lv"}, valid{"valid"}, ready{"ready"};
  sc_core::sc_signal<uint32_t> op{"op"}, step{"step"}, label_class{"lc"}, pred{"pred"};
  sc_core::sc_signal<uint64_t> key{"key"}, tx{"tx"};
  sc_core::sc_signal<AerEvent> ev{"ev"};
  FakeSums below("below", 16, 37), above("above", 37, 4);
  neuron_core core("core", cfg, chip, routes, 1, 0, 37, 37);
  ASSERT_EQ(core.num_channels(), 1);
  core.clk_i(clk);
  core.rst_ni(rst_n);
  core.start_i(start);
  core.op_i(op);
  core.step_i(step);
  core.learn_i(learn);
  core.sample_key_i(key);
  core.busy_o(busy);
  core.label_valid_i(label_valid);
  core.label_class_i(label_class);
  core.prediction_o(pred);
  core.below_i(below);
  core.above_i(above);
  core.valid_o[0](valid);
  core.event_o[0](ev);
  core.ready_i[0](ready);
  core.tx_expected_o(tx);
  EventSink sink("sink");
  sink.clk_i(clk);
  sink.valid_i(valid);
  sink.event_i(ev);
  ready.write(true);
  auto command = [&](Op o) { return run_command(op, start, busy, o); };
  rst_n.write(false);
  cycles(2);
  rst_n.write(true);
  cycles(1);
  learn.write(true);
  key.write(12345);
  command(Op::kSampleBegin);

  const NeuronParams np = cfg.neuron_params();
  std::vector<ForwardState> f(37);
  std::vector<GradientState> gs(37);
  uint64_t s = 5;
  size_t events = 0;
  for (int t = 0; t < 12; ++t) {
    step.write(static_cast<uint32_t>(t));
    below.sums.assign(37, 0);
    for (auto& x : below.sums) x = static_cast<int32_t>((s = splitmix64(s)) % 400) - 100;
    sink.got.clear();
    const int fwd_cycles = command(Op::kForward);
    std::vector<int> expect_spikes;
    std::vector<uint8_t> fired(37);
    for (int j = 0; j < 37; ++j) {
      const ForwardStep r = forward_step(np, f[static_cast<size_t>(j)], below.sums[static_cast<size_t>(j)], cfg.forward_threshold(1, true));
      f[static_cast<size_t>(j)] = r.next;
      fired[static_cast<size_t>(j)] = r.spike;
      if (r.spike) expect_spikes.push_back(j);
      ASSERT_EQ(core.potential(j), r.next.potential) << "step " << t << " neuron " << j;
      ASSERT_EQ(core.charge(j), r.next.charge) << "step " << t << " neuron " << j;
    }
    ASSERT_EQ(core.forward_spikes(), expect_spikes) << "step " << t;
    ASSERT_EQ(sink.got.size(), expect_spikes.size());
    for (size_t k = 0; k < expect_spikes.size(); ++k) EXPECT_EQ(sink.got[k].neuron, expect_spikes[k]);
    // ceil(37 / 8) + pipeline cycles at least, plus the start/busy handshake.
    EXPECT_GE(fwd_cycles, ChipConfig::ceil_div(37, 8) + ChipConfig::kNeuronPipeline);
    events += expect_spikes.size();

    above.sums.assign(37, 0);
    for (auto& x : above.sums) x = static_cast<int32_t>((s = splitmix64(s)) % 300) - 150;
    command(Op::kBackward);
    for (int j = 0; j < 37; ++j) {
      const auto u = static_cast<size_t>(j);
      const GradientStep r = gradient_step(np, gs[u], above.sums[u], fired[u] != 0, cfg.theta_grad);
      gs[u] = r.next;
      ASSERT_EQ(core.grad_pos(j), r.next.pos) << "step " << t << " neuron " << j;
      ASSERT_EQ(core.grad_neg(j), r.next.neg) << "step " << t << " neuron " << j;
      ASSERT_EQ(core.gate(j), r.next.gate);
      ASSERT_EQ(core.fired_pos(j), r.spike_pos);
      ASSERT_EQ(core.fired_neg(j), r.spike_neg);
    }
    events += core.pos_spikes().size() + core.neg_spikes().size();
  }
  EXPECT_GT(core.counters().forward_spikes, 0u);
  EXPECT_GT(core.counters().pos_spikes + core.counters().neg_spikes, 0u);
  EXPECT_EQ(core.source_counters().events, events);
  EXPECT_EQ(tx.read(), events);  // every event has one destination in this routing table
}

// Asynchronous reset in the middle of a sample: the chip aborts, returns to idle, and the next
// samples match the golden model exactly (weights are non-volatile; the harness reloads them).
TEST(Reset, MidSampleThenEquivalent) {
  const ModelConfig cfg = synthetic_config({16}, 16);
  ChipConfig chip = tiled_chip(16, 8);
  chip.events_per_cycle = 1;
  chip.fifo_depth = 2;
  ChipHarness h("tb", cfg, chip);
  const Dataset data = synthetic_dataset(64, 4, 6, 21);
  start_first_training_sample(h, data, 300);
  ASSERT_TRUE(h.busy());
  EXPECT_GT(h.chip().counters().controller.steps, 0u);
  EXPECT_GT(h.chip().counters().router.total_events_in(), 0u);
  h.reset(3);
  EXPECT_FALSE(h.busy());
  const ChipCounters c = h.chip().counters();
  EXPECT_EQ(c.controller.steps, 0u);  // counters and state are cleared by reset
  EXPECT_EQ(c.router.total_events_in(), 0u);
  EXPECT_EQ(h.chip().controller().phase(), CtrlPhase::kIdle);
  const EquivalenceReport r = run_equivalence(h, data, {3, 2, {}});
  EXPECT_EQ(r.mismatch, "");
}

// The floorplan alone (no SystemC): 784-32-10 in 128 x 16 tiles is 7 x 2 tiles for the input
// weights and 1 x 1 for the output weights; the encoder has 7 row bands (blocks 0..6), core 1 its
// gradient column bands and its forward band (max(1, 2) = 2 blocks, 7..8), core 2 one gradient band
// (block 9); forward spikes of a row band reach that band's tiles, gradient spikes a column band's.
TEST(ChipFloorplan, TilesBlocksAndRoutes) {
  ModelConfig cfg = mnist_config({32}, 8);
  const ChipFloorplan p(cfg, tiled_chip(128, 16));
  EXPECT_EQ(p.bands_r, (std::vector<int>{7, 1}));
  EXPECT_EQ(p.bands_c, (std::vector<int>{2, 1}));
  EXPECT_EQ(p.core_block, (std::vector<int>{0, 7, 9}));
  EXPECT_EQ(p.num_blocks, 10);
  ASSERT_EQ(p.tiles.size(), 15u);
  EXPECT_EQ(p.tile_first, (std::vector<int>{0, 14}));
  const TileGeometry& last_input_tile = p.tiles[13];
  EXPECT_EQ(last_input_tile.row0, 768);
  EXPECT_EQ(last_input_tile.rows, 16);
  EXPECT_EQ(last_input_tile.col0, 16);
  EXPECT_EQ(last_input_tile.cols, 16);
  EXPECT_EQ(p.routes.destinations(3, SpikeKind::kForward), (std::vector<unsigned>{6, 7}));
  EXPECT_EQ(p.routes.destinations(8, SpikeKind::kGradNeg), (std::vector<unsigned>{1, 3, 5, 7, 9, 11, 13}));
  EXPECT_EQ(p.routes.destinations(7, SpikeKind::kForward), (std::vector<unsigned>{14}));
  EXPECT_EQ(p.routes.destinations(9, SpikeKind::kGradPos), (std::vector<unsigned>{14}));
  // Tiles of 1 x 1: far more than 256 AER blocks, refused by name.
  EXPECT_THROW(ChipFloorplan(cfg, tiled_chip(1, 1)), ConfigError);
}

}  // namespace
}  // namespace ssnn::sc
