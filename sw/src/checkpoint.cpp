// Checkpoint serialisation with atomic writes and full validation on load.
#include "ssnn/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include <fmt/format.h>

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
  Reader(const std::string& path, const std::string& data) : path_(path), data_(data) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string bytes(uint64_t n) {
    need(n);
    std::string s = data_.substr(pos_, static_cast<size_t>(n));
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
  const std::string& data_;
  size_t pos_ = 0;
};

// JSON inside a checkpoint is at most a few levels deep; deeper nesting is refused while parsing,
// because nlohmann's dump() and comparisons recurse once per level (a checkpoint whose history nests
// 100,000 arrays overflowed the stack of `ssnn_golden info`).
constexpr int kMaxJsonDepth = 64;

nlohmann::json parse_json(const std::string& path, const std::string& text, const char* what) {
  const nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth)
      throw CheckpointError(fmt::format("{}: {} in checkpoint nests deeper than {} levels", path, what, kMaxJsonDepth));
    return true;
  };
  return nlohmann::json::parse(text, limit);
}

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw CheckpointError(fmt::format("{}: cannot write ({})", tmp, std::strerror(errno)));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string err = std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        throw CheckpointError(fmt::format("{}: write failed ({})", tmp, err));
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      ::unlink(tmp.c_str());
      throw CheckpointError(fmt::format("{}: fsync failed", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw CheckpointError(fmt::format("{}: rename failed ({})", path, err));
  }
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

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
  const std::string history = ckpt.history.dump();
  put<uint64_t>(out, history.size());
  out += history;
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
  put<uint32_t>(out, static_cast<uint32_t>(crc));
  write_file_atomically(path, out);
}

Checkpoint load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CheckpointError(fmt::format("{}: cannot open checkpoint", path));
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() < sizeof(kMagic) + 4 || std::memcmp(data.data(), kMagic, sizeof(kMagic)) != 0)
    throw CheckpointError(fmt::format("{}: not an ssnn checkpoint (bad magic)", path));
  const uint32_t stored_crc = [&] {
    uint32_t c;
    std::memcpy(&c, data.data() + data.size() - 4, 4);
    return c;
  }();
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size() - 4));
  if (static_cast<uint32_t>(crc) != stored_crc)
    throw CheckpointError(fmt::format("{}: corrupted checkpoint (CRC mismatch)", path));
  const std::string body = data.substr(0, data.size() - 4);
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
    throw CheckpointError(fmt::format("{}: invalid configuration in checkpoint ({})", path, e.what()));
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
    const std::string raw = r.bytes(uint64_t{rows} * cols * sizeof(int32_t));
    std::memcpy(w.values.data(), raw.data(), raw.size());
    const SynapseParams sp = ckpt.config.synapse_params(0, static_cast<int>(l));
    for (int32_t v : w.values)
      if (v < sp.w_min || v > sp.w_max)
        throw CheckpointError(fmt::format("{}: weight {} in layer {} is outside the {}-bit range", path, v, l,
                                          ckpt.config.weight_bits));
    ckpt.weights.push_back(std::move(w));
  }
  try {
    ckpt.history = parse_json(path, r.bytes(r.get<uint64_t>()), "history");
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    throw CheckpointError(fmt::format("{}: invalid history in checkpoint ({})", path, e.what()));
  }
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
