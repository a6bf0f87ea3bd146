// AerLinks: the handshake signals of a group of AER channels, one valid / event / ready triple per
// channel (docs/router.md): the senders' side of the router or the tiles' side.  aer_router binds
// a group to its inputs or outputs in one call.
#pragma once

#include <cstddef>
#include <string>

#include <systemc>

#include "aer_event.hpp"

namespace ssnn::sc {

struct AerLinks {
  sc_core::sc_vector<sc_core::sc_signal<bool>> valid;
  sc_core::sc_vector<sc_core::sc_signal<AerEvent>> event;
  sc_core::sc_vector<sc_core::sc_signal<bool>> ready;

  // Signals <prefix>valid, <prefix>event and <prefix>ready, of `channels` channels (0: init later).
  explicit AerLinks(const std::string& prefix, size_t channels = 0)
      : valid((prefix + "valid").c_str()), event((prefix + "event").c_str()), ready((prefix + "ready").c_str()) {
    if (channels > 0) init(channels);
  }
  void init(size_t channels) {
    valid.init(channels);
    event.init(channels);
    ready.init(channels);
  }
  size_t size() const { return valid.size(); }
};

}  // namespace ssnn::sc
