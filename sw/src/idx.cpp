// IDX reader: raw and gzip, validated headers, bounded allocation. See idx.hpp.
#include "ssnn/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sys/stat.h>

#ifndef SSNN_REPO_DIR
#define SSNN_REPO_DIR "."
#endif

namespace ssnn {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  std::string msg = path + ": " + what;
  for (char& ch : msg) {
    if (ch == '\n' || ch == '\r') ch = ' ';  // one line, always
  }
  throw DataError(msg);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Sequential byte source over a raw or gzip file. Gzip is recognised by its
// magic (1f 8b) and inflated by zlib in bounded chunks: the caller decides how
// many bytes it wants, so output never exceeds what the caller asked for.
// Concatenated gzip members are decoded as one stream (as gzip(1) does).
class ByteSource {
 public:
  explicit ByteSource(const std::string& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
    file_size_ = static_cast<uint64_t>(st.st_size);
    fp_ = std::fopen(path.c_str(), "rb");
    if (!fp_) fail(path, std::string("cannot open: ") + std::strerror(errno));
    // Peek at the first two bytes.
    in_len_ = std::fread(in_.data(), 1, 2, fp_);
    in_pos_ = 0;
    gzip_ = in_len_ == 2 && in_[0] == 0x1f && in_[1] == 0x8b;
    if (gzip_) {
      std::memset(&zs_, 0, sizeof zs_);
      if (inflateInit2(&zs_, 15 + 16) != Z_OK) fail(path, "zlib initialisation failed");
      zinit_ = true;
    }
  }
  ~ByteSource() {
    if (zinit_) inflateEnd(&zs_);
    if (fp_) std::fclose(fp_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  bool is_gzip() const { return gzip_; }
  uint64_t file_size() const { return file_size_; }

  // Reads up to n bytes into dst; returns fewer only at the end of the data.
  size_t read(uint8_t* dst, size_t n) {
    return gzip_ ? read_gzip(dst, n) : read_raw(dst, n);
  }

 private:
  bool fill() {  // refill the input buffer; false at end of file
    if (in_pos_ < in_len_) return true;
    in_len_ = std::fread(in_.data(), 1, in_.size(), fp_);
    in_pos_ = 0;
    if (in_len_ == 0 && std::ferror(fp_)) fail(path_, std::string("read error: ") + std::strerror(errno));
    return in_len_ > 0;
  }

  size_t read_raw(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n && fill()) {
      size_t k = std::min(n - got, in_len_ - in_pos_);
      std::memcpy(dst + got, in_.data() + in_pos_, k);
      in_pos_ += k;
      got += k;
    }
    return got;
  }

  size_t read_gzip(uint8_t* dst, size_t n) {
    size_t got = 0;
    while (got < n && !z_done_) {
      if (!fill()) {
        if (z_member_started_) fail(path_, "corrupt gzip: stream ends before its end marker (truncated file)");
        z_done_ = true;  // clean end after the last member
        break;
      }
      // zlib counts in uInt: feed and drain at most 1 GiB per call.
      constexpr size_t kStep = size_t{1} << 30;
      zs_.next_in = in_.data() + in_pos_;
      zs_.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      zs_.next_out = dst + got;
      zs_.avail_out = static_cast<uInt>(std::min(n - got, kStep));
      const uInt out_before = zs_.avail_out;
      z_member_started_ = true;
      int rc = inflate(&zs_, Z_NO_FLUSH);
      in_pos_ = in_len_ - zs_.avail_in;
      got += out_before - zs_.avail_out;
      if (rc == Z_STREAM_END) {
        z_member_started_ = false;
        // Another member follows only if the next bytes are a gzip header;
        // anything else after a complete member is ignored (like gzip -d).
        if (!fill()) { z_done_ = true; break; }
        if (in_len_ - in_pos_ < 2) {  // make sure two bytes are visible
          uint8_t b0 = in_[in_pos_];
          in_len_ = 1 + std::fread(in_.data() + 1, 1, in_.size() - 1, fp_);
          in_[0] = b0;
          in_pos_ = 0;
        }
        if (in_len_ - in_pos_ >= 2 && in_[in_pos_] == 0x1f && in_[in_pos_ + 1] == 0x8b) {
          if (inflateReset(&zs_) != Z_OK) fail(path_, "corrupt gzip: cannot reset stream");
        } else {
          z_done_ = true;
        }
      } else if (rc == Z_BUF_ERROR) {
        // No progress possible: needs more input, loop refills (or reports truncation).
        if (zs_.avail_in != 0) fail(path_, "corrupt gzip: inflate made no progress");
      } else if (rc != Z_OK) {
        fail(path_, std::string("corrupt gzip: ") + (zs_.msg ? zs_.msg : zError(rc)));
      }
    }
    return got;
  }

  std::string path_;
  std::FILE* fp_ = nullptr;
  uint64_t file_size_ = 0;
  bool gzip_ = false;
  bool zinit_ = false;
  bool z_done_ = false;
  bool z_member_started_ = false;
  z_stream zs_{};
  std::vector<uint8_t> in_ = std::vector<uint8_t>(size_t{1} << 16);
  size_t in_len_ = 0, in_pos_ = 0;
};

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Reads exactly `want` bytes (already validated by the caller against the
// limits), growing the buffer only as data arrives. `what` describes the
// payload for the truncation message.
std::vector<uint8_t> read_payload(ByteSource& src, const std::string& path, uint64_t want,
                                  uint64_t header_bytes, const std::string& what) {
  auto truncated = [&](uint64_t have) {
    fail(path, "truncated: header announces " + what + " = " + std::to_string(want) + " data bytes after the " +
                   std::to_string(header_bytes) + "-byte header, but the " + (src.is_gzip() ? "decompressed " : "") +
                   "file has only " + std::to_string(have));
  };
  // Deflate expands at most 1032:1, so a gzip file cannot hold more than that: a header announcing
  // more is refused before anything is allocated, and the payload is then allocated once, at its
  // validated size (no growth, so memory peaks at the documented limit, gzip bomb or not).
  const uint64_t can_hold = src.is_gzip() ? src.file_size() * 1032 + 1024 : src.file_size();
  if (want > can_hold)
    fail(path, "truncated: header announces " + what + " = " + std::to_string(want) + " data bytes, more than a " +
                   std::to_string(src.file_size()) + "-byte " + (src.is_gzip() ? "gzip " : "") + "file can hold");
  std::vector<uint8_t> out(static_cast<size_t>(want));
  constexpr size_t kChunk = size_t{1} << 22;  // 4 MiB
  size_t have = 0;
  while (have < want) {
    const size_t step = static_cast<size_t>(std::min<uint64_t>(kChunk, want - have));
    const size_t got = src.read(out.data() + have, step);
    have += got;
    if (got < step) truncated(have);
  }
  return out;
}

void read_header(ByteSource& src, const std::string& path, uint8_t* buf, size_t n,
                 const char* kind) {
  size_t got = src.read(buf, n);
  if (got < 4) fail(path, std::string("truncated: too short for an IDX ") + kind + " header (" + std::to_string(got) + " bytes)");
  uint32_t magic = be32(buf);
  uint32_t expected = n == 16 ? kIdxImagesMagic : kIdxLabelsMagic;
  if (magic != expected) {
    std::string hint;
    if (magic == kIdxImagesMagic) hint = " (this is an IDX image file)";
    else if (magic == kIdxLabelsMagic) hint = " (this is an IDX label file)";
    else if ((magic >> 16) == 0x1f8b) hint = " (gzip inside gzip?)";
    fail(path, "wrong magic " + hex32(magic) + ", expected " + hex32(expected) + " (IDX " + kind +
                   " of unsigned bytes)" + hint);
  }
  if (got < n) fail(path, std::string("truncated: IDX ") + kind + " header is " + std::to_string(n) + " bytes, file has " + std::to_string(got));
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

bool is_gzip_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!fp) return false;
  uint8_t b[2];
  return std::fread(b, 1, 2, fp.get()) == 2 && b[0] == 0x1f && b[1] == 0x8b;
}

std::vector<uint8_t> read_file_bytes(const std::string& path, size_t max_bytes) {
  ByteSource src(path);
  std::vector<uint8_t> out;
  size_t have = 0;
  for (;;) {
    size_t chunk = std::max<size_t>(size_t{1} << 16, std::min<size_t>(have, size_t{1} << 26));
    if (have >= max_bytes) {
      uint8_t probe;
      if (src.read(&probe, 1) == 1) {
        fail(path, "larger than the limit of " + std::to_string(max_bytes) + " bytes" +
                       (src.is_gzip() ? " after decompression" : ""));
      }
      break;
    }
    chunk = std::min(chunk, max_bytes - have);
    out.resize(have + chunk);
    size_t got = src.read(out.data() + have, chunk);
    have += got;
    if (got < chunk) break;
  }
  out.resize(have);
  out.shrink_to_fit();
  return out;
}

namespace {

// labels_path/label_count: when non-null, the image count must equal
// label_count; checked right after the header, before the payload is read.
IdxImages read_images_impl(const std::string& path, bool transpose, size_t max_samples,
                           const std::string* labels_path, uint32_t label_count) {
  ByteSource src(path);
  uint8_t hdr[16];
  read_header(src, path, hdr, 16, "images");
  const uint32_t count = be32(hdr + 4), rows = be32(hdr + 8), cols = be32(hdr + 12);
  if (rows < 1 || rows > IdxLimits::kMaxSide || cols < 1 || cols > IdxLimits::kMaxSide) {
    fail(path, "absurd dimensions: images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                   " (rows and cols must be in 1.." + std::to_string(IdxLimits::kMaxSide) + ")");
  }
  if (count < 1 || count > IdxLimits::kMaxCount) {
    fail(path, "absurd dimensions: " + std::to_string(count) + " images (must be in 1.." +
                   std::to_string(IdxLimits::kMaxCount) + ")");
  }
  const uint64_t per_image = uint64_t{rows} * cols;
  const uint64_t total = uint64_t{count} * per_image;
  if (total > IdxLimits::kMaxPixels) {
    fail(path, "absurd dimensions: " + std::to_string(count) + " images of " + std::to_string(rows) +
                   "x" + std::to_string(cols) + " = " + std::to_string(total) + " bytes (limit 2^30)");
  }
  if (labels_path && count != label_count) {
    fail(path, "has " + std::to_string(count) + " images but " + *labels_path + " has " +
                   std::to_string(label_count) + " labels");
  }
  // A raw file's size is known up front: reject truncation before reading.
  if (!src.is_gzip() && src.file_size() < 16 + total) {
    fail(path, "truncated: header announces " + std::to_string(count) + " images of " +
                   std::to_string(rows) + "x" + std::to_string(cols) + " = " + std::to_string(16 + total) +
                   " bytes, file has " + std::to_string(src.file_size()));
  }
  const uint32_t n = (max_samples > 0 && max_samples < count) ? static_cast<uint32_t>(max_samples) : count;
  IdxImages out;
  out.header_count = count;
  out.count = n;
  out.pixels = read_payload(src, path, uint64_t{n} * per_image, 16,
                            std::to_string(n) + " images of " + std::to_string(rows) + "x" + std::to_string(cols));
  if (n == count) {
    uint8_t extra;
    if (src.read(&extra, 1) != 0) {
      fail(path, "longer than its header says (" + std::to_string(count) + " images of " +
                     std::to_string(rows) + "x" + std::to_string(cols) + "): trailing data");
    }
  }
  if (transpose) {
    std::vector<uint8_t> t(out.pixels.size());
    for (uint64_t i = 0; i < n; ++i) {
      const uint8_t* s = out.pixels.data() + i * per_image;
      uint8_t* d = t.data() + i * per_image;
      for (uint32_t r = 0; r < rows; ++r)
        for (uint32_t c = 0; c < cols; ++c) d[size_t{c} * rows + r] = s[size_t{r} * cols + c];
    }
    out.pixels.swap(t);
    out.rows = cols;
    out.cols = rows;
  } else {
    out.rows = rows;
    out.cols = cols;
  }
  return out;
}

}  // namespace

IdxImages read_idx_images(const std::string& path, bool transpose, size_t max_samples) {
  return read_images_impl(path, transpose, max_samples, nullptr, 0);
}

IdxLabels read_idx_labels(const std::string& path, size_t max_samples) {
  ByteSource src(path);
  uint8_t hdr[8];
  read_header(src, path, hdr, 8, "labels");
  const uint32_t count = be32(hdr + 4);
  if (count < 1 || count > IdxLimits::kMaxCount) {
    fail(path, "absurd dimensions: " + std::to_string(count) + " labels (must be in 1.." +
                   std::to_string(IdxLimits::kMaxCount) + ")");
  }
  if (!src.is_gzip() && src.file_size() < 8 + uint64_t{count}) {
    fail(path, "truncated: header announces " + std::to_string(count) + " labels = " +
                   std::to_string(8 + uint64_t{count}) + " bytes, file has " + std::to_string(src.file_size()));
  }
  const uint32_t n = (max_samples > 0 && max_samples < count) ? static_cast<uint32_t>(max_samples) : count;
  IdxLabels out;
  out.header_count = count;
  out.labels = read_payload(src, path, n, 8, std::to_string(n) + " labels");
  if (n == count) {
    uint8_t extra;
    if (src.read(&extra, 1) != 0) {
      fail(path, "longer than its header says (" + std::to_string(count) + " labels): trailing data");
    }
  }
  return out;
}

Dataset load_idx_pair(const std::string& images, const std::string& labels, const LoadOptions& opt) {
  // Labels first: they are small, and a count mismatch is then caught from the
  // image header, before the image payload is read.
  IdxLabels lab = read_idx_labels(labels, opt.max_samples);
  IdxImages img = read_images_impl(images, opt.transpose, opt.max_samples, &labels, lab.header_count);
  uint32_t num_classes = opt.num_classes;
  if (num_classes == 0) {
    uint8_t mx = 0;
    for (uint8_t l : lab.labels) mx = std::max(mx, l);
    num_classes = uint32_t{mx} + 1;
  } else {
    for (size_t i = 0; i < lab.labels.size(); ++i) {
      if (lab.labels[i] >= num_classes) {
        fail(labels, "label " + std::to_string(lab.labels[i]) + " at index " + std::to_string(i) +
                         " is out of range for " + std::to_string(num_classes) + " classes");
      }
    }
  }
  Dataset d;
  d.name = images;
  d.images_file = images;
  d.labels_file = labels;
  d.rows = img.rows;
  d.cols = img.cols;
  d.num_classes = num_classes;
  d.pixels = std::move(img.pixels);
  d.labels = std::move(lab.labels);
  return d;
}

void check_test_split(const Dataset& train, const Dataset& test) {
  if (train.pixels_per_image() > kMaxInputs)
    fail(train.images_file, "images of " + std::to_string(train.rows) + "x" + std::to_string(train.cols) + " = " +
                                std::to_string(train.pixels_per_image()) + " pixels, more than a network's " +
                                std::to_string(kMaxInputs) + " inputs");
  if (test.rows != train.rows || test.cols != train.cols)
    fail(test.images_file, "images of " + std::to_string(test.rows) + "x" + std::to_string(test.cols) +
                               ", the training images (" + train.images_file + ") are " + std::to_string(train.rows) +
                               "x" + std::to_string(train.cols));
  for (size_t i = 0; i < test.labels.size(); ++i)
    if (test.labels[i] >= train.num_classes)
      fail(test.labels_file, "label " + std::to_string(test.labels[i]) + " at index " + std::to_string(i) +
                                 " is not among the " + std::to_string(train.num_classes) +
                                 " classes of the training labels (" + train.labels_file + ")");
}

namespace {

struct EmnistSplit {
  const char* name;
  uint32_t classes;
};
constexpr EmnistSplit kEmnistSplits[] = {
    {"balanced", 47}, {"bymerge", 47}, {"byclass", 62}, {"letters", 27}, {"digits", 10}, {"mnist", 10},
};

// "<dir>/<base>.gz" if it exists, else "<dir>/<base>" if it exists, else fail
// naming what was looked for.
std::string find_file(const std::string& dir, const std::string& base, const std::string& hint) {
  const std::string gz = dir + "/" + base + ".gz", raw = dir + "/" + base;
  if (file_exists(gz)) return gz;
  if (file_exists(raw)) return raw;
  for (const std::string& p : {gz, raw}) {  // there, but not a file: say what it is
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0)
      fail(p, std::string("is ") + (S_ISDIR(st.st_mode) ? "a folder" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or special file") +
                  ", not a data file");
  }
  fail(gz, "missing (neither it nor the uncompressed " + base + " exists)" + hint);
}

std::string getenv_str(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

std::vector<std::string> dataset_names() {
  std::vector<std::string> v = {"subset", "mnist", "fashion"};
  for (const auto& s : kEmnistSplits) v.push_back(std::string("emnist-") + s.name);
  v.push_back("path:<dir>");
  return v;
}

std::string default_data_dir() {
  std::string d = getenv_str("SSNN_DATA_DIR");
  if (!d.empty()) return d;
  std::string home = getenv_str("HOME");
  if (home.empty()) home = ".";
  return home + "/.cache/ssnn-hw/data";
}

std::string repo_dir() {
  std::string d = getenv_str("SSNN_REPO_DIR");
  return d.empty() ? std::string(SSNN_REPO_DIR) : d;
}

std::string repo_data_dir() { return repo_dir() + "/data"; }

Dataset load_named_dataset(const std::string& name, const std::string& split, const std::string& data_dir,
                           size_t max_samples) {
  if (split != "train" && split != "test") {
    throw DataError(name + ": unknown split '" + split + "' (valid: train, test)");
  }
  const std::string cache = data_dir.empty() ? default_data_dir() : data_dir;
  const std::string fetch_hint = "; run scripts/fetch_data.sh (cache folder: " + cache + ")";
  const char* std_prefix = split == "train" ? "train" : "t10k";

  std::string dir, img_base, lab_base, hint;
  LoadOptions opt;
  opt.max_samples = max_samples;
  img_base = std::string(std_prefix) + "-images-idx3-ubyte";
  lab_base = std::string(std_prefix) + "-labels-idx1-ubyte";

  if (name == "subset") {
    dir = repo_data_dir() + "/mnist-subset";
    opt.num_classes = 10;
    hint = "; the subset ships with the repository (set SSNN_REPO_DIR to the repository root)";
  } else if (name == "mnist") {
    dir = cache + "/mnist";
    opt.num_classes = 10;
    hint = fetch_hint;
  } else if (name == "fashion" || name == "fashion-mnist") {
    dir = cache + "/fashion-mnist";
    opt.num_classes = 10;
    hint = fetch_hint;
  } else if (name.rfind("emnist-", 0) == 0) {
    const std::string sp = name.substr(7);
    const EmnistSplit* found = nullptr;
    for (const auto& s : kEmnistSplits)
      if (sp == s.name) found = &s;
    if (!found) {
      std::vector<std::string> names;
      for (const auto& s : kEmnistSplits) names.push_back(std::string("emnist-") + s.name);
      throw DataError(name + ": unknown EMNIST split (valid: " + join(names, ", ") + ")");
    }
    dir = cache + "/emnist";
    img_base = "emnist-" + sp + "-" + split + "-images-idx3-ubyte";
    lab_base = "emnist-" + sp + "-" + split + "-labels-idx1-ubyte";
    // The official archive unpacks into gzip/; accept that layout too.
    if (!file_exists(dir + "/" + img_base + ".gz") && !file_exists(dir + "/" + img_base) &&
        (file_exists(dir + "/gzip/" + img_base + ".gz") || file_exists(dir + "/gzip/" + img_base))) {
      dir += "/gzip";
    }
    opt.transpose = true;
    opt.num_classes = found->classes;
    hint = "; EMNIST is not fetched automatically, see docs/data.md (run scripts/fetch_data.sh for instructions)";
  } else if (name.rfind("path:", 0) == 0 && name.size() > 5) {
    dir = name.substr(5);
    hint = "; path:<dir> needs the four standard IDX file names in <dir>";
  } else {
    throw DataError(name + ": unknown data set (valid: " + join(dataset_names(), ", ") + ")");
  }

  const std::string images = find_file(dir, img_base, hint);
  const std::string labels = find_file(dir, lab_base, hint);
  Dataset d = load_idx_pair(images, labels, opt);
  d.name = name + "/" + split;
  return d;
}

}  // namespace ssnn
