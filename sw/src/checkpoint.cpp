// Checkpoint serialisation with atomic writes and full validation on load.
#include "ssnn/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "ssnn/json_checked.hpp"

namespace ssnn {

namespace {

constexpr char kMagic[8] = {'S', 'S', 'N', 'N', 'C', 'K', 'P', 'T'};
constexpr uint32_t kVersion = 1;

template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

class Reader {
 public:
  Reader(const std::string& path, std::string_view data) : path_(path), data_(data) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string_view bytes(uint64_t n) {
    need(n);
    const std::string_view s = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  void need(uint64_t n) const {
    if (n > data_.size() - pos_)
      throw CheckpointError(fmt::format("{}: truncated checkpoint (needs {} more bytes at offset {})", path_, n, pos_));
  }
  size_t pos() const { return pos_; }

 private:
  const std::string& path_;
  std::string_view data_;
  size_t pos_ = 0;
};

// JSON inside a checkpoint is at most a few levels deep; deeper nesting is refused before parsing,
// because nlohmann's dump() and comparisons recurse once per level (a checkpoint whose history nests
// 100,000 arrays overflowed the stack of `ssnn_golden info`).  The scan is one linear pass over the
// text (a parser callback checking the depth made arrays of objects quadratic: 17 MB took minutes).
constexpr int kMaxJsonDepth = 64;

bool nests_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

nlohmann::json parse_json(const std::string& path, std::string_view text, const char* what) {
  if (nests_deeper_than(text, kMaxJsonDepth))
    throw CheckpointError(fmt::format("{}: {} in checkpoint nests deeper than {} levels", path, what, kMaxJsonDepth));
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw CheckpointError(fmt::format("{}: invalid {} in checkpoint ({})", path, what, json_error_text(e)));
  }
}

// The whole file, refused before anything is read if it is not a regular file (a FIFO would block,
// /dev/zero never ends) or larger than kMaxCheckpointBytes; opened without blocking, checked on the
// open descriptor.
std::string read_checkpoint_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw CheckpointError(fmt::format("{}: cannot open checkpoint ({})", path, std::strerror(err)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw CheckpointError(fmt::format("{}: cannot read checkpoint", path));
  if (!S_ISREG(st.st_mode))
    throw CheckpointError(fmt::format("{}: is {}, not a checkpoint file", path,
                                      S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO"
                                                                         : "a device or special file"));
  if (static_cast<uint64_t>(st.st_size) > kMaxCheckpointBytes)
    throw CheckpointError(fmt::format("{}: {} bytes, larger than the checkpoint limit of {} bytes", path, st.st_size,
                                      kMaxCheckpointBytes));
  std::string data(static_cast<size_t>(st.st_size), '\0');
  size_t have = 0;
  while (have < data.size()) {
    const ssize_t n = ::read(fd, data.data() + have, data.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw CheckpointError(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    if (n == 0) break;  // the file shrank: the CRC check refuses what is left
    have += static_cast<size_t>(n);
  }
  data.resize(have);
  return data;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& ckpt) {
  std::string out(kMagic, sizeof(kMagic));
  put<uint32_t>(out, kVersion);
  const std::string config = nlohmann::json(ckpt.config).dump();
  put<uint64_t>(out, config.size());
  out += config;
  put<uint32_t>(out, static_cast<uint32_t>(ckpt.epoch));
  put<uint64_t>(out, ckpt.position);
  put<uint32_t>(out, static_cast<uint32_t>(ckpt.weights.size()));
  for (const WeightMatrix& w : ckpt.weights) {
    put<uint32_t>(out, static_cast<uint32_t>(w.rows));
    put<uint32_t>(out, static_cast<uint32_t>(w.cols));
    out.append(reinterpret_cast<const char*>(w.values.data()), w.values.size() * sizeof(int32_t));
  }
  // Text from the command line (a data-set path) may not be UTF-8: replaced, never an exception.
  const std::string history = ckpt.history.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  put<uint64_t>(out, history.size());
  out += history;
  const uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(out.data()), out.size());
  put<uint32_t>(out, static_cast<uint32_t>(crc));
  write_file_atomically(path, out);
}

Checkpoint load_checkpoint(const std::string& path) {
  const std::string data = read_checkpoint_file(path);
  if (data.size() < sizeof(kMagic) + 4 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
    throw CheckpointError(fmt::format("{}: not an ssnn checkpoint (bad magic)", path));
  const uint32_t stored_crc = [&] {
    uint32_t c;
    std::memcpy(&c, data.data() + data.size() - 4, 4);
    return c;
  }();
  const uLong crc = crc32_z(0L, reinterpret_cast<const Bytef*>(data.data()), data.size() - 4);
  if (static_cast<uint32_t>(crc) != stored_crc)
    throw CheckpointError(fmt::format("{}: corrupted checkpoint (CRC mismatch)", path));
  const std::string_view body(data.data(), data.size() - 4);
  Reader r(path, body);
  r.bytes(sizeof(kMagic));
  const auto version = r.get<uint32_t>();
  if (version != kVersion)
    throw CheckpointError(fmt::format("{}: checkpoint version {} is not supported (expected {})", path, version, kVersion));
  Checkpoint ckpt;
  try {
    parse_json(path, r.bytes(r.get<uint64_t>()), "configuration").get_to(ckpt.config);
    ckpt.config.validate();
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: invalid configuration in checkpoint ({})", path, json_error_text(e)));
  }
  const auto epoch = r.get<uint32_t>();
  if (epoch > static_cast<uint32_t>(std::numeric_limits<int>::max()))
    throw CheckpointError(fmt::format("{}: epoch {} is out of range", path, epoch));
  ckpt.epoch = static_cast<int>(epoch);
  ckpt.position = r.get<uint64_t>();
  const auto layers = r.get<uint32_t>();
  if (static_cast<int>(layers) != ckpt.config.layers())
    throw CheckpointError(fmt::format("{}: {} weight layers but the configuration has {}", path, layers, ckpt.config.layers()));
  for (uint32_t l = 0; l < layers; ++l) {
    const auto rows = r.get<uint32_t>();
    const auto cols = r.get<uint32_t>();
    if (static_cast<int>(rows) != ckpt.config.layer_size(static_cast<int>(l)) ||
        static_cast<int>(cols) != ckpt.config.layer_size(static_cast<int>(l) + 1))
      throw CheckpointError(fmt::format("{}: layer {} is {}x{}, the configuration says {}x{}", path, l, rows, cols,
                                        ckpt.config.layer_size(static_cast<int>(l)),
                                        ckpt.config.layer_size(static_cast<int>(l) + 1)));
    r.need(uint64_t{rows} * cols * sizeof(int32_t));
    WeightMatrix w(static_cast<int>(rows), static_cast<int>(cols));
    const std::string_view raw = r.bytes(uint64_t{rows} * cols * sizeof(int32_t));
    std::memcpy(w.values.data(), raw.data(), raw.size());
    const SynapseParams sp = ckpt.config.synapse_params(0, static_cast<int>(l));
    for (int32_t v : w.values)
      if (v < sp.w_min || v > sp.w_max)
        throw CheckpointError(fmt::format("{}: weight {} in layer {} is outside the {}-bit range", path, v, l,
                                          ckpt.config.weight_bits));
    ckpt.weights.push_back(std::move(w));
  }
  ckpt.history = parse_json(path, r.bytes(r.get<uint64_t>()), "history");
  if (r.pos() != body.size()) throw CheckpointError(fmt::format("{}: trailing bytes after checkpoint", path));
  return ckpt;
}

std::vector<WeightMatrix> initial_weights_from(const std::string& path, const ModelConfig& cfg) {
  auto fail = [&](const std::string& what) { throw CheckpointError(fmt::format("--init-weights: {}: {}", path, what)); };
  Checkpoint c;
  try {
    c = load_checkpoint(path);
  } catch (const CheckpointError& e) {
    throw CheckpointError(fmt::format("--init-weights: {}", e.what()));
  }
  if (static_cast<int>(c.weights.size()) != cfg.layers())
    fail(fmt::format("it holds {} weight layers, this network has {}", c.weights.size(), cfg.layers()));
  for (int l = 0; l < cfg.layers(); ++l) {
    const WeightMatrix& w = c.weights[static_cast<size_t>(l)];
    if (w.rows != cfg.layer_size(l) || w.cols != cfg.layer_size(l + 1))
      fail(fmt::format("weight layer {} is {}x{}, this network needs {}x{}", l, w.rows, w.cols, cfg.layer_size(l),
                       cfg.layer_size(l + 1)));
    const SynapseParams sp = cfg.synapse_params(0, l);
    for (int32_t v : w.values)
      if (v < sp.w_min || v > sp.w_max)
        fail(fmt::format("weight layer {} holds {}, outside this run's weight range {}..{} (--weight-bits)", l, v,
                         sp.w_min, sp.w_max));
  }
  return c.weights;
}

std::vector<WeightMatrix> average_weights(const std::vector<Checkpoint>& ckpts, const std::vector<std::string>& paths) {
  if (ckpts.empty() || ckpts.size() != paths.size()) throw CheckpointError("--weights: needs at least one weights file");
  const Checkpoint& first = ckpts.front();
  for (size_t f = 1; f < ckpts.size(); ++f) {
    auto fail = [&](const std::string& what) {
      throw CheckpointError(fmt::format("--weights: {}: {} ({})", paths[f], what, paths.front()));
    };
    const Checkpoint& c = ckpts[f];
    if (c.weights.size() != first.weights.size())
      fail(fmt::format("it holds {} weight layers, the first file {}", c.weights.size(), first.weights.size()));
    for (size_t l = 0; l < c.weights.size(); ++l) {
      const WeightMatrix& a = first.weights[l];
      const WeightMatrix& b = c.weights[l];
      if (a.rows != b.rows || a.cols != b.cols)
        fail(fmt::format("weight layer {} is {}x{}, the first file's {}x{}", l, b.rows, b.cols, a.rows, a.cols));
      const SynapseParams pa = first.config.synapse_params(0, static_cast<int>(l));
      const SynapseParams pb = c.config.synapse_params(0, static_cast<int>(l));
      if (pa.w_min != pb.w_min || pa.w_max != pb.w_max)
        fail(fmt::format("weight layer {} spans {}..{}, the first file's {}..{} (--weight-bits)", l, pb.w_min, pb.w_max,
                         pa.w_min, pa.w_max));
    }
  }
  const auto n = static_cast<int64_t>(ckpts.size());
  std::vector<WeightMatrix> mean = first.weights;
  std::vector<int64_t> sum;
  for (size_t l = 0; l < mean.size(); ++l) {
    sum.assign(mean[l].values.size(), 0);
    for (const Checkpoint& c : ckpts)
      for (size_t k = 0; k < sum.size(); ++k) sum[k] += c.weights[l].values[k];
    for (size_t k = 0; k < sum.size(); ++k) {
      const int64_t s = sum[k];
      const int64_t magnitude = ((s < 0 ? -s : s) * 2 + n) / (2 * n);  // round half away from zero
      mean[l].values[k] = static_cast<int32_t>(s < 0 ? -magnitude : magnitude);
    }
  }
  return mean;
}

}  // namespace ssnn
