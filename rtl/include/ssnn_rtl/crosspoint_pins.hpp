// The pins of one ssnn_coincidence_unit verilated with --sc at the chip's widths (Vsc_coincidence of
// ssnn_rtl_sc_models): named signals, their binding and the device parameters of a sample. Shared by
// the chip's co-simulation (systemc/cosim) and the SystemC smoke test (tb/rtl/sc_smoke.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include <systemc>

#include "Vsc_coincidence.h"
#include "ssnn/contract/synapse.hpp"
#include "ssnn/contract/widths.hpp"
#include "ssnn_rtl/bits.hpp"

namespace ssnn::rtl {

struct CrosspointPins {
  explicit CrosspointPins(const std::string& p)
      : load((p + "load").c_str()),
        update((p + "update").c_str()),
        row((p + "row").c_str()),
        col_pos((p + "col_pos").c_str()),
        col_neg((p + "col_neg").c_str()),
        up((p + "up").c_str()),
        down((p + "down").c_str()),
        load_weight((p + "load_weight").c_str()),
        w_min((p + "w_min").c_str()),
        w_max((p + "w_max").c_str()),
        pulse_up((p + "pulse_up").c_str()),
        pulse_down((p + "pulse_down").c_str()),
        pulse_noise((p + "pulse_noise").c_str()),
        noise_word((p + "noise_word").c_str()),
        weight((p + "weight").c_str()) {}

  void bind(Vsc_coincidence& m, sc_core::sc_signal_in_if<bool>& rst, sc_core::sc_signal_in_if<bool>& clk) {
    m.clk_i(clk);
    m.rst_ni(rst);
    m.load_i(load);
    m.load_weight_i(load_weight);
    m.update_i(update);
    m.row_i(row);
    m.col_pos_i(col_pos);
    m.col_neg_i(col_neg);
    m.w_min_i(w_min);
    m.w_max_i(w_max);
    m.pulse_up_i(pulse_up);
    m.pulse_down_i(pulse_down);
    m.pulse_noise_i(pulse_noise);
    m.noise_word_i(noise_word);
    m.up_o(up);
    m.down_o(down);
    m.weight_o(weight);
  }

  // Drops the command lines (load, update, row and column pulses).
  void release() {
    for (auto* p : {&load, &update, &row, &col_pos, &col_neg}) p->write(false);
  }

  // The device parameters of the sample; pulses above 2^(W+1) - 1 always end at a bound, so the
  // controller clamps them to the port (docs/rtl.md).
  void params(const SynapseParams& p) {
    const int32_t cap = (1 << (ssnn::kWeightBits + 1)) - 1;
    w_min.write(ssnn::rtl::field(p.w_min, ssnn::kWeightBits));
    w_max.write(ssnn::rtl::field(p.w_max, ssnn::kWeightBits));
    pulse_up.write(static_cast<uint32_t>(std::min(p.pulse_up, cap)));
    pulse_down.write(static_cast<uint32_t>(std::min(p.pulse_down, cap)));
    pulse_noise.write(static_cast<uint32_t>(p.pulse_noise));
  }

  sc_core::sc_signal<bool> load, update, row, col_pos, col_neg, up, down;
  sc_core::sc_signal<uint32_t> load_weight, w_min, w_max, pulse_up, pulse_down, pulse_noise, noise_word, weight;
};

}  // namespace ssnn::rtl
