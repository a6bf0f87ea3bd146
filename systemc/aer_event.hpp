// Address event (AER) travelling between the chip's blocks: who spiked and which stream it is.
#pragma once

#include <cstdint>
#include <ostream>
#include <stdexcept>
#include <string>

#include <systemc>

namespace ssnn::sc {

// The three spike streams of SSNN-BP: forward spikes x and the two gradient streams.
enum class SpikeKind : uint8_t { kForward = 0, kGradPos = 1, kGradNeg = 2 };

inline const char* to_string(SpikeKind kind) {
  switch (kind) {
    case SpikeKind::kForward: return "x";
    case SpikeKind::kGradPos: return "dp";
    case SpikeKind::kGradNeg: return "dn";
  }
  return "?";
}

inline std::ostream& operator<<(std::ostream& os, SpikeKind kind) { return os << to_string(kind); }

// One spike as it crosses the AER fabric.
//
// Serialized packet (the 26-bit word a physical link carries; pack()/unpack()):
//
//   bit  31 ......... 26 | 25 .. 24 | 23 ...... 16 | 15 ............. 0
//        reserved (0)    |   kind   | source block |   neuron index
//
//   kind: 0 = forward x, 1 = gradient delta_p, 2 = gradient delta_n, 3 = reserved (invalid).
//
// `tag` is simulation-only bookkeeping (a sequence number or timestep, used by checkers to prove
// ordering and conservation); it is not part of the packet, so pack() drops it and unpack()
// returns tag 0.
struct AerEvent {
  uint8_t block = 0;
  uint16_t neuron = 0;
  SpikeKind kind = SpikeKind::kForward;
  uint32_t tag = 0;  // sequence/timestep tag for checking

  static constexpr int kNeuronLsb = 0;
  static constexpr int kBlockLsb = 16;
  static constexpr int kKindLsb = 24;
  static constexpr int kPacketBits = 26;

  constexpr uint32_t pack() const {
    return (static_cast<uint32_t>(neuron) << kNeuronLsb) | (static_cast<uint32_t>(block) << kBlockLsb) |
           (static_cast<uint32_t>(kind) << kKindLsb);
  }

  // Rejects words with reserved bits set or the reserved kind, which only corruption produces.
  static AerEvent unpack(uint32_t word) {
    if ((word >> kPacketBits) != 0) throw std::invalid_argument("AER packet has reserved bits set");
    const uint32_t kind = (word >> kKindLsb) & 0x3u;
    if (kind > static_cast<uint32_t>(SpikeKind::kGradNeg)) throw std::invalid_argument("AER packet has kind 3");
    AerEvent ev;
    ev.neuron = static_cast<uint16_t>(word >> kNeuronLsb);
    ev.block = static_cast<uint8_t>(word >> kBlockLsb);
    ev.kind = static_cast<SpikeKind>(kind);
    return ev;
  }

  friend constexpr bool operator==(const AerEvent& a, const AerEvent& b) {
    return a.block == b.block && a.neuron == b.neuron && a.kind == b.kind && a.tag == b.tag;
  }
  friend constexpr bool operator!=(const AerEvent& a, const AerEvent& b) { return !(a == b); }
};

inline std::ostream& operator<<(std::ostream& os, const AerEvent& ev) {
  return os << "{b" << static_cast<unsigned>(ev.block) << " n" << ev.neuron << ' ' << ev.kind << " #" << ev.tag
            << '}';
}

// Lets AerEvent travel on sc_signal<AerEvent> and appear in waveforms as four named fields.
// `ev` must outlive the trace file (it does when it is a signal's value).
inline void sc_trace(sc_core::sc_trace_file* tf, const AerEvent& ev, const std::string& name) {
  sc_core::sc_trace(tf, ev.block, name + ".block");
  sc_core::sc_trace(tf, ev.neuron, name + ".neuron");
  // The enum's underlying type is uint8_t; a char-typed view of its storage is well defined.
  sc_core::sc_trace(tf, reinterpret_cast<const unsigned char&>(ev.kind), name + ".kind");
  sc_core::sc_trace(tf, ev.tag, name + ".tag");
}

}  // namespace ssnn::sc
