#include "aer_router_core.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace ssnn::sc {

AerRoutingTable& AerRoutingTable::add(uint8_t block, SpikeKind kind, const std::vector<unsigned>& outputs) {
  if (static_cast<unsigned>(kind) >= kNumKinds) throw std::invalid_argument("AerRoutingTable: invalid spike kind");
  auto& set = dest_[key(block, kind)];
  set.insert(set.end(), outputs.begin(), outputs.end());
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  return *this;
}

AerRoutingTable& AerRoutingTable::add_all_kinds(uint8_t block, const std::vector<unsigned>& outputs) {
  add(block, SpikeKind::kForward, outputs);
  add(block, SpikeKind::kGradPos, outputs);
  return add(block, SpikeKind::kGradNeg, outputs);
}

unsigned AerRoutingTable::min_num_outputs() const {
  unsigned n = 0;
  for (const auto& set : dest_)
    if (!set.empty()) n = std::max(n, set.back() + 1);
  return n;
}

namespace {
uint64_t sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); }
}  // namespace

uint64_t AerRouterCounters::total_events_in() const { return sum(events_in); }
uint64_t AerRouterCounters::total_grants() const { return sum(grants); }
uint64_t AerRouterCounters::total_events_out() const { return sum(events_out); }
uint64_t AerRouterCounters::total_drops() const { return sum(drops); }

bool AerRouterCounters::operator==(const AerRouterCounters& o) const {
  return cycles == o.cycles && events_in == o.events_in && grants == o.grants &&
         head_stall_cycles == o.head_stall_cycles && input_stall_cycles == o.input_stall_cycles &&
         drops == o.drops && fifo_high_water == o.fifo_high_water && events_out == o.events_out &&
         multicast_copies == o.multicast_copies && unrouted == o.unrouted && stall_cycles == o.stall_cycles &&
         bandwidth_stall_cycles == o.bandwidth_stall_cycles && output_stall_cycles == o.output_stall_cycles;
}

AerRouterCore::AerRouterCore(AerRouterConfig config) : cfg_(std::move(config)) {
  if (cfg_.num_inputs < 1) throw std::invalid_argument("aer_router: num_inputs must be >= 1");
  if (cfg_.num_outputs < 1) throw std::invalid_argument("aer_router: num_outputs must be >= 1");
  if (cfg_.fifo_depth < 1) throw std::invalid_argument("aer_router: fifo_depth must be >= 1");
  if (cfg_.events_per_cycle < 1) throw std::invalid_argument("aer_router: events_per_cycle must be >= 1");
  if (cfg_.routes.min_num_outputs() > cfg_.num_outputs)
    throw std::invalid_argument("aer_router: routing table names output " +
                                std::to_string(cfg_.routes.min_num_outputs() - 1) + " but the router has " +
                                std::to_string(cfg_.num_outputs) + " outputs");

  routes_.resize(AerRoutingTable::kNumBlocks * AerRoutingTable::kNumKinds);
  for (unsigned b = 0; b < AerRoutingTable::kNumBlocks; ++b) {
    for (unsigned k = 0; k < AerRoutingTable::kNumKinds; ++k) {
      const auto& set = cfg_.routes.destinations(static_cast<uint8_t>(b), static_cast<SpikeKind>(k));
      Route& r = routes_[b * AerRoutingTable::kNumKinds + k];
      r.first = static_cast<uint32_t>(dest_flat_.size());
      r.count = static_cast<uint32_t>(set.size());
      dest_flat_.insert(dest_flat_.end(), set.begin(), set.end());
    }
  }

  const unsigned n_in = cfg_.num_inputs;
  const unsigned n_out = cfg_.num_outputs;
  fifo_.resize(static_cast<size_t>(n_in) * cfg_.fifo_depth);
  head_.resize(n_in);
  count_.resize(n_in);
  ready_.resize(n_in);
  pending_.resize(n_in);
  visit_.resize(n_in);
  pending_ev_.resize(n_in);
  out_valid_.resize(n_out);
  out_ev_.resize(n_out);
  claim_stamp_.resize(n_out);
  out_touch_.resize(n_out);
  busy_out_.reserve(n_out);
  changed_in_.reserve(n_in);
  changed_out_.reserve(n_out);
  fp_in_ = EdgeInputs(n_in, n_out);
  fp_accept_.resize(n_in);
  reset();
}

void AerRouterCore::reset() {
  const unsigned n_in = cfg_.num_inputs;
  const unsigned n_out = cfg_.num_outputs;
  std::fill(head_.begin(), head_.end(), 0);
  std::fill(count_.begin(), count_.end(), 0);
  // ready_o is a register cleared by reset: an offer made during reset must not look accepted.
  std::fill(ready_.begin(), ready_.end(), 0);
  std::fill(pending_.begin(), pending_.end(), 0);
  std::fill(visit_.begin(), visit_.end(), 1);  // ready_o rises at the first edge
  std::fill(out_valid_.begin(), out_valid_.end(), 0);
  std::fill(out_ev_.begin(), out_ev_.end(), AerEvent{});
  std::fill(claim_stamp_.begin(), claim_stamp_.end(), 0);
  std::fill(out_touch_.begin(), out_touch_.end(), 0);
  stamp_ = 0;
  rr_ = 0;
  occupancy_ = 0;
  last_grants_ = 0;
  busy_out_.clear();
  // Reset sets every register: each port is to be driven.
  changed_in_.resize(n_in);
  std::iota(changed_in_.begin(), changed_in_.end(), 0u);
  changed_out_.resize(n_out);
  std::iota(changed_out_.begin(), changed_out_.end(), 0u);
  cnt_ = AerRouterCounters{};
  cnt_.events_in.assign(n_in, 0);
  cnt_.grants.assign(n_in, 0);
  cnt_.head_stall_cycles.assign(n_in, 0);
  cnt_.input_stall_cycles.assign(n_in, 0);
  cnt_.drops.assign(n_in, 0);
  cnt_.fifo_high_water.assign(n_in, 0);
  cnt_.events_out.assign(n_out, 0);
}

void AerRouterCore::restore(const AerRouterCounters& counters, uint32_t rr_pointer) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("aer_router restore: " + what); };
  if (!idle()) fail("events are in flight");
  const unsigned n_in = cfg_.num_inputs;
  const unsigned n_out = cfg_.num_outputs;
  const AerRouterCounters& c = counters;
  const bool inputs_fit = c.events_in.size() == n_in && c.grants.size() == n_in && c.head_stall_cycles.size() == n_in &&
                          c.input_stall_cycles.size() == n_in && c.drops.size() == n_in &&
                          c.fifo_high_water.size() == n_in;
  if (!inputs_fit || c.events_out.size() != n_out)
    fail("per-channel counters do not fit the router's " + std::to_string(n_in) + " inputs and " +
         std::to_string(n_out) + " outputs");
  for (uint32_t hw : c.fifo_high_water)
    if (hw > cfg_.fifo_depth) fail("a FIFO high-water mark exceeds the FIFO depth");
  if (rr_pointer >= n_in) fail("the round-robin pointer " + std::to_string(rr_pointer) + " names no input");
  cnt_ = c;
  rr_ = rr_pointer;
}

void AerRouterCore::clock_edge(const uint8_t* in_valid, const AerEvent* in_event, const uint8_t* out_ready) {
  const unsigned n_in = cfg_.num_inputs;
  const unsigned depth = cfg_.fifo_depth;
  const unsigned bandwidth = cfg_.events_per_cycle;
  ++cnt_.cycles;
  const uint64_t stamp = ++stamp_;
  // The arrays through local pointers: the byte-sized inputs may alias any member, so the
  // compiler would otherwise reload every vector's data pointer after each store.
  uint32_t* const head = head_.data();
  uint32_t* const count = count_.data();
  uint8_t* const ready = ready_.data();
  uint8_t* const pending = pending_.data();
  uint8_t* const visit = visit_.data();
  uint8_t* const out_valid = out_valid_.data();
  uint64_t* const claim = claim_stamp_.data();
  uint64_t* const touched = out_touch_.data();
  AerEvent* const fifo = fifo_.data();
  uint32_t occupancy = occupancy_;
  changed_in_.clear();
  changed_out_.clear();
  auto touch = [&](uint32_t o) {
    if (touched[o] != stamp) {
      touched[o] = stamp;
      changed_out_.push_back(o);
    }
  };

  // 1. Output handshakes: the consumer takes the registered event at this edge, freeing the
  //    register for a new event at the same edge (full throughput, one event per output per edge).
  //    Only outputs holding an event can hand one over.
  for (size_t k = 0; k < busy_out_.size();) {
    const uint32_t o = busy_out_[k];
    if (out_ready[o]) {
      out_valid[o] = 0;
      ++cnt_.events_out[o];
      touch(o);
      busy_out_[k] = busy_out_.back();
      busy_out_.pop_back();
    } else {
      ++k;
    }
  }

  // 2. Arbitration over the FIFO heads as they were before this edge (an event written at this
  //    edge cannot leave at the same edge). Inputs are scanned round-robin from rr_; a head
  //    leaves only when all its destination registers are free (whole multicast at once, so an
  //    event is never half delivered) and bandwidth remains.
  unsigned grants = 0;
  int first_blocked = -1;
  int last_granted = -1;
  bool first_nonempty = true;
  bool bw_stall = false;
  bool out_stall = false;
  if (occupancy != 0) {
    for (unsigned k = 0, i = rr_; k < n_in; ++k, i = (i + 1 == n_in) ? 0 : i + 1) {
      if (count[i] == 0) continue;
      const AerEvent& ev = fifo[static_cast<size_t>(i) * depth + head[i]];
      const Route& r = route_of(ev);
      const uint32_t* dst = dest_flat_.data() + r.first;
      bool go = grants < bandwidth;
      if (!go) {
        bw_stall = true;
      } else {
        for (uint32_t d = 0; d < r.count; ++d) {
          if (out_valid[dst[d]] || claim[dst[d]] == stamp) {
            go = false;
            break;
          }
        }
        if (!go) {
          out_stall = true;
          // The highest-priority waiting input reserves its destinations for this edge, so
          // traffic to a subset of them cannot keep overtaking it: a multicast event leaves as
          // soon as all its outputs have drained, and nobody starves.
          if (first_nonempty)
            for (uint32_t d = 0; d < r.count; ++d) claim[dst[d]] = stamp;
        }
      }
      first_nonempty = false;
      if (!go) {
        ++cnt_.head_stall_cycles[i];
        if (first_blocked < 0) first_blocked = static_cast<int>(i);
        continue;
      }
      for (uint32_t d = 0; d < r.count; ++d) {
        const uint32_t o = dst[d];
        out_valid[o] = 1;
        out_ev_[o] = ev;
        claim[o] = stamp;
        busy_out_.push_back(o);
        touch(o);
      }
      if (r.count == 0)
        ++cnt_.unrouted;
      else
        cnt_.multicast_copies += r.count - 1;
      head[i] = (head[i] + 1 == depth) ? 0 : head[i] + 1;
      --count[i];
      visit[i] = 1;  // ready_o may rise at step 3
      --occupancy;
      ++cnt_.grants[i];
      ++grants;
      last_granted = static_cast<int>(i);
    }
  }
  last_grants_ = grants;
  if (bw_stall || out_stall) ++cnt_.stall_cycles;
  if (bw_stall) ++cnt_.bandwidth_stall_cycles;
  if (out_stall) ++cnt_.output_stall_cycles;
  // Next edge starts at the first input that had to wait, else just past the last one served:
  // every waiting input moves up in priority until it is first, and the first one is served as
  // soon as its outputs allow (bandwidth never stops the first one).
  if (first_blocked >= 0)
    rr_ = static_cast<uint32_t>(first_blocked);
  else if (last_granted >= 0)
    rr_ = (static_cast<uint32_t>(last_granted) + 1 == n_in) ? 0 : static_cast<uint32_t>(last_granted) + 1;

  // 3. Input handshakes against the registered ready_o (no combinational path from the outputs'
  //    ready_i to the inputs' ready_o). ready_o high means the FIFO had room before this edge's
  //    pop, so a write can never overflow. Only inputs offering now, left pending at the last edge
  //    or popped at this one (or all after reset) can change; the others are skipped eight at a time.
  auto handshake = [&](unsigned i) {
    visit[i] = 0;
    const bool valid = in_valid[i] != 0;
    // An offer that was not accepted must stay until it is: withdrawing or changing it means the
    // sender ignored ready and the event is lost.
    if (pending[i] && (!valid || !(in_event[i] == pending_ev_[i]))) ++cnt_.drops[i];
    if (valid && ready[i]) {
      uint32_t tail = head[i] + count[i];
      if (tail >= depth) tail -= depth;
      fifo[static_cast<size_t>(i) * depth + tail] = in_event[i];
      ++count[i];
      ++occupancy;
      ++cnt_.events_in[i];
      pending[i] = 0;
    } else if (valid) {
      ++cnt_.input_stall_cycles[i];
      pending[i] = 1;
      pending_ev_[i] = in_event[i];
    } else {
      pending[i] = 0;
    }
    if (count[i] > cnt_.fifo_high_water[i]) cnt_.fifo_high_water[i] = count[i];
    const auto room = static_cast<uint8_t>(count[i] < depth);
    if (room != ready[i]) {
      ready[i] = room;
      changed_in_.push_back(i);
    }
  };
  unsigned i = 0;
  for (; i + 8 <= n_in; i += 8) {
    uint64_t v, p, q;
    std::memcpy(&v, in_valid + i, 8);
    std::memcpy(&p, pending + i, 8);
    std::memcpy(&q, visit + i, 8);
    if ((v | p | q) == 0) continue;
    for (unsigned k = i; k < i + 8; ++k)
      if (in_valid[k] | pending[k] | visit[k]) handshake(k);
  }
  for (; i < n_in; ++i)
    if (in_valid[i] | pending[i] | visit[i]) handshake(i);
  occupancy_ = occupancy;
}

}  // namespace ssnn::sc
