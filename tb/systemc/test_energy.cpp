// Energy model: both models computed from counters exactly as the table says (a case worked by
// hand), the table file round-trips, bad tables are refused with one line naming the file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "energy_model.hpp"
#include "ssnn/idx.hpp"

namespace ssnn::sc {
namespace {

// Counters of one weight layer and one core, every operation kind non-zero.
ChipCounters hand_counters() {
  ChipCounters c;
  c.synaptic_reads = {100};
  c.gradient_reads = {40};
  TileCounters t;
  t.row_reads = 10;
  t.col_reads = 4;
  t.pulses_up = 3;
  t.pulses_down = 2;
  t.update_row_drives = 6;
  t.update_col_drives = 5;
  t.update_row_cells = 60;
  t.update_col_cells = 50;
  c.layer_tiles = {t};
  CoreCounters k;
  k.forward_updates = 20;
  k.gradient_updates = 10;
  k.column_sum_words = 30;
  c.cores = {k};
  c.router.events_out = {3, 4};
  c.encoder.lfsr_draws = 9;
  c.controller.cycles = 1000;
  c.controller.phase_cycles[static_cast<size_t>(CtrlPhase::kIdle)] = 200;
  return c;
}

ChipCounters zero_like(const ChipCounters& c) {
  ChipCounters z;
  z.synaptic_reads = {0};
  z.gradient_reads = {0};
  z.layer_tiles = {TileCounters{}};
  z.cores = {CoreCounters{}};
  z.router.events_out = {0, 0};
  (void)c;
  return z;
}

// Round analog constants, so every term below is worked out by hand.
EnergyTable hand_table() {
  EnergyTable t = EnergyTable::builtin();
  for (const char* a : {"analog.read_voltage_v=1", "read_pulse_ns=1", "device_g_mean_us=1", "devices_per_crosspoint=2",
                        "line_cap_ff_per_cell=1", "line_driver_pj=0.5", "conversion_pj=0.25", "write_voltage_v=2",
                        "write_pulse_ns=1", "half_select_current_ratio=4", "adc_static_mw=1", "lines_per_adc=8"})
    t.set(a);
  return t;
}

void expect_j(const EnergyEstimate& e, const char* block, const char* op, double joules) {
  ASSERT_TRUE(e.blocks.count(block)) << block;
  ASSERT_TRUE(e.blocks.at(block).count(op)) << block << "." << op;
  EXPECT_NEAR(e.blocks.at(block).at(op), joules, 1e-9 * joules + 1e-30) << block << "." << op;
}

TEST(EnergyModel, HandComputedCase) {
  const ChipCounters b = hand_counters();
  const EnergyEstimates m = estimate_energy(hand_table(), ArrayPeriphery{3}, 100.0, zero_like(b), b);
  // Busy time: (1000 - 200) cycles at 100 MHz = 8 us.
  EXPECT_DOUBLE_EQ(m.analog.seconds, 8e-6);
  // Shared blocks (built-in values): 30 neuron updates x 81 pJ, 30 words x 0.1 pJ, 7 hops x 3.5 pJ, 9 draws x 0.1 pJ.
  for (const EnergyEstimate* e : {&m.digital, &m.analog}) {
    expect_j(*e, "neuron_cores", "neuron_updates", 2430e-12);
    expect_j(*e, "neuron_cores", "column_sum_words", 3e-12);
    expect_j(*e, "router", "aer_deliveries", 24.5e-12);
    expect_j(*e, "encoder", "lfsr_draws", 0.9e-12);
  }
  // Digital: 100 + 40 cross-points x 23.6 pJ, 5 pulses x 1 pJ.
  expect_j(m.digital, "crossbar", "forward_reads", 2360e-12);
  expect_j(m.digital, "crossbar", "transposed_reads", 944e-12);
  expect_j(m.digital, "crossbar", "update_pulses", 5e-12);
  EXPECT_NEAR(m.digital.total_j, (2430 + 3 + 24.5 + 0.9 + 2360 + 944 + 5) * 1e-12, 1e-21);
  EXPECT_DOUBLE_EQ(m.digital.pj_per_synaptic_op, 23.6);
  // Analog. A cross-point: 2 devices x 1 uS = 2 uS. Read: 1 V^2 x 2 uS x 1 ns = 2 fJ per cross-point.
  expect_j(m.analog, "crossbar", "forward_device_reads", 100 * 2e-15);
  expect_j(m.analog, "crossbar", "transposed_device_reads", 40 * 2e-15);
  // Line charging: 1 fF x 1 V^2 per cell on a read line; drivers 0.5 pJ per line.
  expect_j(m.analog, "array_periphery", "forward_line_charging", 100e-15);
  expect_j(m.analog, "array_periphery", "transposed_line_charging", 40e-15);
  expect_j(m.analog, "array_periphery", "forward_row_drivers", 10 * 0.5e-12);
  expect_j(m.analog, "array_periphery", "transposed_column_drivers", 4 * 0.5e-12);
  expect_j(m.analog, "array_periphery", "conversions", 30 * 0.25e-12);
  // Update: V_w = 2 V. Programming: 4 V^2 x 2 uS x 1 ns = 8 fJ per pulse, 5 pulses.
  expect_j(m.analog, "crossbar", "update_programming", 40e-15);
  // Half-selected: 60 + 50 cells on driven lines, minus the 5 coincident cells counted on both = 100;
  // each at 1 V drawing I(2 V)/4 = 2 V x 2 uS / 4 = 1 uA for 1 ns: 1 fJ.
  expect_j(m.analog, "crossbar", "update_half_selected", 100e-15);
  expect_j(m.analog, "array_periphery", "update_drivers", 11 * 0.5e-12);
  expect_j(m.analog, "array_periphery", "update_line_charging", 110 * 1e-15 * 1.0);
  // Leakage: 3 ADCs x 1 mW x 8 us.
  expect_j(m.analog, "array_periphery", "adc_leakage", 24e-9);
  const double reads = 200e-15 + 80e-15 + 100e-15 + 40e-15 + 5e-12 + 2e-12 + 7.5e-12;
  EXPECT_NEAR(m.analog.pj_per_synaptic_op, reads / 140 * 1e12, 1e-9);
  const double update = 40e-15 + 100e-15 + 5.5e-12 + 110e-15;
  EXPECT_NEAR(m.analog.pj_per_update_pulse, update / 5 * 1e12, 1e-9);
  const double shared = (2430 + 3 + 24.5 + 0.9) * 1e-12;
  EXPECT_NEAR(m.analog.total_j, shared + reads + update + 24e-9, 1e-20);
}

TEST(EnergyModel, NoWorkNoEnergy) {
  const ChipCounters b = hand_counters();
  const EnergyEstimates m = estimate_energy(EnergyTable::builtin(), ArrayPeriphery{100}, 200.0, b, b);
  EXPECT_EQ(m.digital.total_j, 0.0);
  EXPECT_EQ(m.analog.total_j, 0.0);
  EXPECT_EQ(m.analog.pj_per_synaptic_op, 0.0);
}

std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("ssnn_energy_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

TEST(EnergyTable, ShippedFileIsTheBuiltInTableAndRoundTrips) {
  const EnergyTable shipped = EnergyTable::load(repo_dir() + "/data/energy/default.json");
  const EnergyTable builtin = EnergyTable::builtin();
  EXPECT_TRUE(shipped == builtin);
  // Written out and read back: the same values, units and sources.
  const auto p = temp_file("roundtrip.json", builtin.to_json().dump(2));
  const EnergyTable back = EnergyTable::load(p.string());
  EXPECT_TRUE(back == builtin);
  EXPECT_EQ(back.to_json(), builtin.to_json());
  std::filesystem::remove(p);
  // An edited copy is read as edited.
  nlohmann::json j = builtin.to_json();
  j["analog"]["conversion_pj"]["value"] = 1.5;
  const auto q = temp_file("edited.json", j.dump());
  EXPECT_EQ(EnergyTable::load(q.string()).at("analog", "conversion_pj"), 1.5);
  std::filesystem::remove(q);
}

// One line, naming the file and what is wrong.
void expect_refused(const std::string& name, const std::string& text, const std::string& what) {
  const auto p = temp_file(name, text);
  try {
    EnergyTable::load(p.string());
    ADD_FAILURE() << name << " was accepted";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("--energy-table: " + p.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  std::filesystem::remove(p);
}

TEST(EnergyTable, BadTablesAreRefused) {
  const nlohmann::json good = EnergyTable::builtin().to_json();
  expect_refused("notjson.json", "{ \"format\": ", "not JSON");
  expect_refused("array.json", "[1, 2]", "not a JSON object");
  nlohmann::json j = good;
  j["format"] = "other";
  expect_refused("format.json", j.dump(), "format");
  j = good;
  j["analog"].erase("conversion_pj");
  expect_refused("missing.json", j.dump(), "analog.conversion_pj: missing");
  j = good;
  j["digital"]["typo_pj"] = good["digital"]["pulse_pj"];
  expect_refused("unknown.json", j.dump(), "digital.typo_pj: unknown entry");
  j = good;
  j["analog"]["read_voltage_v"]["value"] = -0.5;
  expect_refused("negative.json", j.dump(), "analog.read_voltage_v");
  j = good;
  j["shared"]["spike_hop_pj"]["value"] = "3.5";
  expect_refused("string.json", j.dump(), "shared.spike_hop_pj: needs a numeric \"value\"");
  j = good;
  j["shared"]["spike_hop_pj"]["source"] = "";
  expect_refused("nosource.json", j.dump(), "shared.spike_hop_pj: needs a non-empty \"source\"");
  j = good;
  j["analog"]["lines_per_adc"]["value"] = 0;
  expect_refused("zeroadc.json", j.dump(), "lines_per_adc");
  j = good;
  j["extra"] = nlohmann::json::object();
  expect_refused("section.json", j.dump(), "unknown section \"extra\"");
  EXPECT_THROW(EnergyTable::load("/nonexistent/table.json"), ConfigError);
}

TEST(EnergyTable, CommandLineOverrides) {
  EnergyTable t = EnergyTable::builtin();
  t.set("synaptic_op_pj=20");
  EXPECT_EQ(t.at("digital", "synaptic_op_pj"), 20);
  t.set("analog.conversion_pj=2");
  EXPECT_EQ(t.at("analog", "conversion_pj"), 2);
  EXPECT_THROW(t.set("nope=1"), ConfigError);
  EXPECT_THROW(t.set("pulse_pj=x"), ConfigError);
  EXPECT_THROW(t.set("pulse_pj=-1"), ConfigError);
  EXPECT_THROW(t.set("pulse_pj"), ConfigError);
}

}  // namespace
}  // namespace ssnn::sc
