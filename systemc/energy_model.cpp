#include "energy_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "energy_table_default.hpp"  // kDefaultEnergyTable: data/energy/default.json, generated

namespace ssnn::sc {

namespace {

// The entries each section must hold, no more and no fewer.
const std::map<std::string, std::vector<std::string>>& schema() {
  static const std::map<std::string, std::vector<std::string>> s{
      {"shared", {"neuron_update_pj", "spike_hop_pj", "lfsr_draw_pj", "bus_word_pj", "rate_update_pj"}},
      {"digital", {"synaptic_op_pj", "pulse_pj"}},
      {"analog",
       {"read_voltage_v", "read_pulse_ns", "device_g_mean_us", "devices_per_crosspoint", "line_cap_ff_per_cell",
        "line_driver_pj", "conversion_pj", "write_voltage_v", "write_pulse_ns", "half_select_current_ratio",
        "adc_static_mw", "lines_per_adc"}}};
  return s;
}

constexpr size_t kMaxTableBytes = 1 << 20;  // a table is a few kB; refuse anything huge unread

double parse_value(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument("trailing characters");
    return v;
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("{}: '{}' is not a number", what, text));
  }
}

void check_value(double v, const std::string& what) {
  if (!std::isfinite(v) || v < 0 || v > 1e9) throw ConfigError(fmt::format("{}: {} must be a finite value in 0..1e9", what, v));
}

}  // namespace

EnergyTable EnergyTable::builtin() {
  return from_json(nlohmann::json::parse(kDefaultEnergyTable), "built-in table (data/energy/default.json)");
}

EnergyTable EnergyTable::load(const std::string& path) {
  const std::string where = fmt::format("--energy-table: {}", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot be opened", where));
  std::string text(kMaxTableBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ConfigError(fmt::format("{}: cannot be read", where));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTableBytes) throw ConfigError(fmt::format("{}: larger than {} bytes", where, kMaxTableBytes));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(fmt::format("{}: not JSON (byte {})", where, e.byte));
  }
  EnergyTable t = from_json(j, path);
  return t;
}

EnergyTable EnergyTable::from_json(const nlohmann::json& j, const std::string& origin) {
  const std::string where = fmt::format("--energy-table: {}", origin);
  auto fail = [&](const std::string& what) { throw ConfigError(fmt::format("{}: {}", where, what)); };
  if (!j.is_object()) fail("not a JSON object");
  if (!j.contains("format") || j["format"] != "ssnn-energy-table") fail("\"format\" is not \"ssnn-energy-table\"");
  if (!j.contains("version") || j["version"] != 1) fail("\"version\" is not 1");
  EnergyTable t;
  t.origin_ = origin;
  if (j.contains("description")) {
    if (!j["description"].is_string()) fail("\"description\" is not a string");
    t.description_ = j["description"].get<std::string>();
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "format" && key != "version" && key != "description" && schema().count(key) == 0)
      fail(fmt::format("unknown section \"{}\" (shared, digital, analog)", key));
  }
  for (const auto& [section, names] : schema()) {
    if (!j.contains(section) || !j[section].is_object()) fail(fmt::format("section \"{}\" missing", section));
    const nlohmann::json& s = j[section];
    for (const auto& [name, e] : s.items()) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        fail(fmt::format("{}.{}: unknown entry", section, name));
    }
    for (const std::string& name : names) {
      const std::string id = section + "." + name;
      if (!s.contains(name)) fail(fmt::format("{}: missing", id));
      const nlohmann::json& e = s[name];
      if (!e.is_object() || !e.contains("value") || !e["value"].is_number())
        fail(fmt::format("{}: needs a numeric \"value\"", id));
      for (const char* field : {"unit", "source"})
        if (!e.contains(field) || !e[field].is_string() || e[field].get<std::string>().empty())
          fail(fmt::format("{}: needs a non-empty \"{}\"", id, field));
      for (const auto& [field, v] : e.items())
        if (field != "value" && field != "unit" && field != "source") fail(fmt::format("{}: unknown field \"{}\"", id, field));
      const double v = e["value"].get<double>();
      check_value(v, fmt::format("{}: {}", where, id));
      t.sections_[section][name] = EnergyEntry{v, e["unit"].get<std::string>(), e["source"].get<std::string>()};
    }
  }
  if (t.at("analog", "lines_per_adc") < 1) fail("analog.lines_per_adc: must be at least 1");
  if (t.at("analog", "half_select_current_ratio") < 1) fail("analog.half_select_current_ratio: must be at least 1");
  return t;
}

nlohmann::json EnergyTable::to_json() const {
  nlohmann::json j{{"format", "ssnn-energy-table"}, {"version", 1}, {"description", description_}};
  for (const auto& [section, entries] : sections_) {
    nlohmann::json s = nlohmann::json::object();
    for (const auto& [name, e] : entries) s[name] = {{"value", e.value}, {"unit", e.unit}, {"source", e.source}};
    j[section] = s;
  }
  return j;
}

void EnergyTable::set(const std::string& a) {
  const size_t eq = a.find('=');
  if (eq == std::string::npos) throw ConfigError(fmt::format("--energy: '{}' is not NAME=VALUE", a));
  const std::string key = a.substr(0, eq);
  const double v = parse_value(a.substr(eq + 1), "--energy");
  check_value(v, fmt::format("--energy: {}", key));
  const size_t dot = key.find('.');
  std::vector<std::pair<std::string, std::string>> hits;
  for (auto& [section, entries] : sections_) {
    for (auto& [name, e] : entries) {
      if (dot == std::string::npos ? name == key : section + "." + name == key) hits.emplace_back(section, name);
    }
  }
  if (hits.size() != 1) {
    std::string known;
    for (const auto& [section, entries] : sections_)
      for (const auto& [name, e] : entries) known += (known.empty() ? "" : ", ") + section + "." + name;
    throw ConfigError(fmt::format("--energy: unknown entry '{}' ({})", key, known));
  }
  const std::string& name = hits[0].second;
  if ((name == "lines_per_adc" || name == "half_select_current_ratio") && v < 1)
    throw ConfigError(fmt::format("--energy: {} must be at least 1", key));
  EnergyEntry& e = sections_[hits[0].first][name];
  e.value = v;
  e.source = "set on the command line (--energy)";
}

double EnergyTable::at(const std::string& section, const std::string& name) const {
  return sections_.at(section).at(name).value;
}

nlohmann::json EnergyTable::digital_flat() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto* section : {"shared", "digital"})
    for (const auto& [name, e] : sections_.at(section)) j[name] = e.value;
  return j;
}

ArrayPeriphery array_periphery(const EnergyTable& table, const ssnn_chip& chip) {
  const double per_adc = table.at("analog", "lines_per_adc");
  ArrayPeriphery p;
  for (int k = 0; k < chip.num_tiles(); ++k) {
    const TileGeometry& g = chip.tile(k).geometry();
    p.adcs += std::ceil(g.cols / per_adc) + std::ceil(g.rows / per_adc);
  }
  return p;
}

nlohmann::json EnergyEstimate::to_json(double n) const {
  auto per = [n](double x) { return n > 0 ? x / n : 0.0; };
  nlohmann::json b = nlohmann::json::object();
  for (const auto& [block, ops] : blocks)
    for (const auto& [op, j] : ops) b[block][op] = per(j);
  return nlohmann::json{{"total_j_per_sample", per(total_j)},
                        {"blocks_j_per_sample", b},
                        {"pj_per_synaptic_op", pj_per_synaptic_op},
                        {"pj_per_update_pulse", pj_per_update_pulse}};
}

EnergyEstimates estimate_energy(const EnergyTable& t, const ArrayPeriphery& periphery, double clock_mhz,
                                const ChipCounters& a, const ChipCounters& b) {
  auto d = [](uint64_t x, uint64_t y) { return static_cast<double>(y - x); };
  // Counted operations.
  double row_reads = 0, col_reads = 0, syn = 0, grad = 0, pulses = 0, rate = 0;
  double upd_row_drives = 0, upd_col_drives = 0, upd_row_cells = 0, upd_col_cells = 0;
  for (size_t l = 0; l < b.synaptic_reads.size(); ++l) {
    const TileCounters &ta = a.layer_tiles[l], &tb = b.layer_tiles[l];
    syn += d(a.synaptic_reads[l], b.synaptic_reads[l]);
    grad += d(a.gradient_reads[l], b.gradient_reads[l]);
    row_reads += d(ta.row_reads, tb.row_reads);
    col_reads += d(ta.col_reads, tb.col_reads);
    pulses += d(ta.pulses_up, tb.pulses_up) + d(ta.pulses_down, tb.pulses_down);
    rate += d(ta.rate_updates, tb.rate_updates);
    upd_row_drives += d(ta.update_row_drives, tb.update_row_drives);
    upd_col_drives += d(ta.update_col_drives, tb.update_col_drives);
    upd_row_cells += d(ta.update_row_cells, tb.update_row_cells);
    upd_col_cells += d(ta.update_col_cells, tb.update_col_cells);
  }
  double updates = 0, words = 0;
  for (size_t l = 0; l < b.cores.size(); ++l) {
    updates += d(a.cores[l].forward_updates, b.cores[l].forward_updates) +
               d(a.cores[l].gradient_updates, b.cores[l].gradient_updates);
    words += d(a.cores[l].column_sum_words, b.cores[l].column_sum_words);
  }
  const double hops = d(a.router.total_events_out(), b.router.total_events_out());
  const double draws = d(a.encoder.lfsr_draws, b.encoder.lfsr_draws);
  const auto idle = static_cast<size_t>(CtrlPhase::kIdle);
  const double busy_cycles = d(a.controller.cycles, b.controller.cycles) -
                             d(a.controller.phase_cycles[idle], b.controller.phase_cycles[idle]);
  const double seconds = busy_cycles / (clock_mhz * 1e6);

  constexpr double pj = 1e-12;
  auto s = [&](const char* name) { return t.at("shared", name); };
  auto fill_shared = [&](EnergyEstimate& e) {
    e.blocks["neuron_cores"]["neuron_updates"] = updates * s("neuron_update_pj") * pj;
    e.blocks["neuron_cores"]["column_sum_words"] = words * s("bus_word_pj") * pj;
    e.blocks["router"]["aer_deliveries"] = hops * s("spike_hop_pj") * pj;
    e.blocks["encoder"]["lfsr_draws"] = draws * s("lfsr_draw_pj") * pj;
    e.blocks["crossbar"]["rate_updates"] = rate * s("rate_update_pj") * pj;
    e.seconds = seconds;
  };
  auto total = [](EnergyEstimate& e) {
    for (const auto& [block, ops] : e.blocks)
      for (const auto& [op, j] : ops) e.total_j += j;
  };

  EnergyEstimates r;
  {  // Digital: per cross-point read, per pulse.
    EnergyEstimate& e = r.digital;
    fill_shared(e);
    const double op = t.at("digital", "synaptic_op_pj");
    e.blocks["crossbar"]["forward_reads"] = syn * op * pj;
    e.blocks["crossbar"]["transposed_reads"] = grad * op * pj;
    e.blocks["crossbar"]["update_pulses"] = pulses * t.at("digital", "pulse_pj") * pj;
    e.pj_per_synaptic_op = syn + grad > 0 ? op : 0.0;
    e.pj_per_update_pulse = pulses > 0 ? t.at("digital", "pulse_pj") : 0.0;
    total(e);
  }
  {  // Analog RPU crossbar.
    EnergyEstimate& e = r.analog;
    fill_shared(e);
    auto an = [&](const char* name) { return t.at("analog", name); };
    const double g = an("device_g_mean_us") * 1e-6 * an("devices_per_crosspoint");  // S per cross-point
    const double c_cell = an("line_cap_ff_per_cell") * 1e-15;                       // F per cell on a line
    const double vr = an("read_voltage_v"), tr = an("read_pulse_ns") * 1e-9;
    const double vh = an("write_voltage_v") / 2, tw = an("write_pulse_ns") * 1e-9;
    const double driver = an("line_driver_pj") * pj;
    const double cell_read = vr * vr * g * tr;              // one device for one read pulse
    const double line_read = c_cell * vr * vr;              // one cell's share of a line charged to V_read
    const double program = 4 * vh * vh * g * tw;            // coincident device at V_w
    const double half = vh * (2 * vh * g / an("half_select_current_ratio")) * tw;  // at V_w/2, I(V_w)/ratio
    const double line_write = c_cell * vh * vh;             // one cell's share of a line charged to V_w/2
    const double coincident_cells = 2 * pulses;             // each pulse's cell lies on a driven row and column
    auto& xb = e.blocks["crossbar"];
    auto& pe = e.blocks["array_periphery"];
    xb["forward_device_reads"] = syn * cell_read;
    xb["transposed_device_reads"] = grad * cell_read;
    xb["update_programming"] = pulses * program;
    xb["update_half_selected"] = std::max(0.0, upd_row_cells + upd_col_cells - coincident_cells) * half;
    pe["forward_row_drivers"] = row_reads * driver;
    pe["forward_line_charging"] = syn * line_read;
    pe["transposed_column_drivers"] = col_reads * driver;
    pe["transposed_line_charging"] = grad * line_read;
    pe["conversions"] = words * an("conversion_pj") * pj;
    pe["update_drivers"] = (upd_row_drives + upd_col_drives) * driver;
    pe["update_line_charging"] = (upd_row_cells + upd_col_cells) * line_write;
    pe["adc_leakage"] = periphery.adcs * an("adc_static_mw") * 1e-3 * seconds;
    const double reads = xb["forward_device_reads"] + xb["transposed_device_reads"] + pe["forward_row_drivers"] +
                         pe["forward_line_charging"] + pe["transposed_column_drivers"] +
                         pe["transposed_line_charging"] + pe["conversions"];
    const double update = xb["update_programming"] + xb["update_half_selected"] + pe["update_drivers"] +
                          pe["update_line_charging"];
    e.pj_per_synaptic_op = syn + grad > 0 ? reads / (syn + grad) / pj : 0.0;
    e.pj_per_update_pulse = pulses > 0 ? update / pulses / pj : 0.0;
    total(e);
  }
  return r;
}

}  // namespace ssnn::sc
