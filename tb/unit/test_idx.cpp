// IDX reader: the shipped subset, raw vs gzip, EMNIST transpose, and every
// kind of bad file rejected with a one-line DataError naming the file.
#include "ssnn/idx.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace fs = std::filesystem;
using ssnn::DataError;

namespace {

using Bytes = std::vector<uint8_t>;

void put_be32(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 24));
  b.push_back(static_cast<uint8_t>(v >> 16));
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels,
                 uint32_t magic = ssnn::kIdxImagesMagic) {
  Bytes b;
  put_be32(b, magic);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

Bytes idx_labels(uint32_t count, const Bytes& labels, uint32_t magic = ssnn::kIdxLabelsMagic) {
  Bytes b;
  put_be32(b, magic);
  put_be32(b, count);
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

Bytes gzip_bytes(const Bytes& raw) {
  uLongf cap = compressBound(static_cast<uLong>(raw.size())) + 64;
  Bytes out(cap);
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  zs.next_in = const_cast<Bytef*>(raw.data());
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Bytes pattern(size_t n, uint32_t seed = 1) {
  Bytes b(n);
  uint32_t x = seed;
  for (auto& v : b) {
    x = x * 1664525u + 1013904223u;
    v = static_cast<uint8_t>(x >> 24);
  }
  return b;
}

class IdxTest : public ssnn::test_support::TempDir {
 protected:
  std::string write(const std::string& name, const Bytes& b) {
    const std::string p = (dir_ / name).string();
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return p;
  }

  // Runs fn, expects a DataError whose message is one line, names `file` and
  // contains `fragment`.
  static void expect_error(const std::function<void()>& fn, const std::string& file,
                           const std::string& fragment) {
    try {
      fn();
      ADD_FAILURE() << "no DataError thrown; expected one naming " << file;
    } catch (const DataError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(file), std::string::npos) << "message does not name " << file << ": " << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << "message lacks '" << fragment << "': " << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "message is not one line: " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
    }
  }
};

std::string subset_dir() { return ssnn::repo_data_dir() + "/mnist-subset"; }

}  // namespace

// ---------------------------------------------------------------- the subset

TEST(IdxSubset, TrainSplit) {
  ssnn::Dataset d = ssnn::load_named_dataset("subset", "train");
  EXPECT_EQ(d.name, "subset/train");
  ASSERT_EQ(d.size(), 2000u);
  EXPECT_EQ(d.rows, 28u);
  EXPECT_EQ(d.cols, 28u);
  EXPECT_EQ(d.num_classes, 10u);
  EXPECT_EQ(d.pixels.size(), 2000u * 784u);
  // The first MNIST training labels.
  const std::array<uint8_t, 10> first = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(d.label(i), first[i]) << "index " << i;
  std::array<int, 10> per_class{};
  for (uint8_t l : d.labels) per_class.at(l)++;
  for (int c = 0; c < 10; ++c) EXPECT_GE(per_class[c], 150) << "class " << c;
  // Every image has ink.
  for (size_t i = 0; i < d.size(); ++i) {
    const uint8_t* im = d.image(i);
    int ink = 0;
    for (size_t k = 0; k < d.pixels_per_image(); ++k) ink += im[k] > 128;
    EXPECT_GT(ink, 10) << "image " << i;
  }
}

TEST(IdxSubset, TestSplit) {
  ssnn::Dataset d = ssnn::load_named_dataset("subset", "test");
  ASSERT_EQ(d.size(), 1000u);
  EXPECT_EQ(d.rows, 28u);
  EXPECT_EQ(d.cols, 28u);
  EXPECT_EQ(d.num_classes, 10u);
  const std::array<uint8_t, 10> first = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(d.label(i), first[i]) << "index " << i;
  std::array<int, 10> per_class{};
  for (uint8_t l : d.labels) per_class.at(l)++;
  for (int c = 0; c < 10; ++c) EXPECT_GE(per_class[c], 70) << "class " << c;
}

TEST(IdxSubset, MaxSamples) {
  ssnn::Dataset all = ssnn::load_named_dataset("subset", "train");
  ssnn::Dataset d = ssnn::load_named_dataset("subset", "train", "", 100);
  ASSERT_EQ(d.size(), 100u);
  EXPECT_EQ(d.pixels.size(), 100u * 784u);
  EXPECT_TRUE(std::equal(d.pixels.begin(), d.pixels.end(), all.pixels.begin()));
  EXPECT_TRUE(std::equal(d.labels.begin(), d.labels.end(), all.labels.begin()));
}

TEST(IdxSubset, FilesAreGzip) {
  EXPECT_TRUE(ssnn::is_gzip_file(subset_dir() + "/train-images-idx3-ubyte.gz"));
  EXPECT_TRUE(ssnn::is_gzip_file(subset_dir() + "/t10k-labels-idx1-ubyte.gz"));
}

TEST_F(IdxTest, RawAndGzipGiveIdenticalResults) {
  // Write the subset's test split uncompressed into a temp dir and compare.
  for (const char* base : {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    Bytes raw = ssnn::read_file_bytes(subset_dir() + "/" + base + ".gz");
    EXPECT_FALSE(ssnn::is_gzip_file(write(base, raw)));
    EXPECT_EQ(ssnn::read_file_bytes((dir_ / base).string()), raw);
  }
  ssnn::Dataset gz = ssnn::load_named_dataset("subset", "test");
  ssnn::Dataset raw = ssnn::load_named_dataset("path:" + dir_.string(), "test");
  EXPECT_EQ(raw.name, "path:" + dir_.string() + "/test");
  EXPECT_EQ(raw.rows, gz.rows);
  EXPECT_EQ(raw.cols, gz.cols);
  EXPECT_EQ(raw.num_classes, 10u);  // inferred: max label + 1
  EXPECT_EQ(raw.pixels, gz.pixels);
  EXPECT_EQ(raw.labels, gz.labels);
}

TEST_F(IdxTest, MultiMemberGzipIsOneStream) {
  Bytes img = idx_images(3, 2, 2, pattern(12));
  Bytes a(img.begin(), img.begin() + 7), b(img.begin() + 7, img.end());
  Bytes gz = gzip_bytes(a), gz2 = gzip_bytes(b);
  gz.insert(gz.end(), gz2.begin(), gz2.end());
  auto p = write("mm.gz", gz);
  EXPECT_EQ(ssnn::read_file_bytes(p), img);
  auto r = ssnn::read_idx_images(p);
  EXPECT_EQ(r.count, 3u);
  EXPECT_EQ(r.pixels, pattern(12));
}

// ---------------------------------------------------------------- EMNIST orientation

TEST_F(IdxTest, TransposeSwapsRowsAndCols) {
  const uint32_t n = 2, rows = 2, cols = 3;
  Bytes px = pattern(n * rows * cols, 7);
  auto p = write("img", idx_images(n, rows, cols, px));
  auto plain = ssnn::read_idx_images(p, false);
  EXPECT_EQ(plain.rows, rows);
  EXPECT_EQ(plain.cols, cols);
  EXPECT_EQ(plain.pixels, px);
  auto t = ssnn::read_idx_images(p, true);
  ASSERT_EQ(t.rows, cols);
  ASSERT_EQ(t.cols, rows);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t r = 0; r < rows; ++r)
      for (uint32_t c = 0; c < cols; ++c)
        EXPECT_EQ(t.pixels[i * rows * cols + c * t.cols + r], px[i * rows * cols + r * cols + c])
            << "image " << i << " file pixel (" << r << "," << c << ")";
}

TEST_F(IdxTest, EmnistNamesTransposeAndSetClassCount) {
  fs::create_directories(dir_ / "emnist");
  const uint32_t n = 4;
  Bytes px = pattern(n * 28 * 28, 3);
  write("emnist/emnist-balanced-train-images-idx3-ubyte.gz", gzip_bytes(idx_images(n, 28, 28, px)));
  write("emnist/emnist-balanced-train-labels-idx1-ubyte.gz", gzip_bytes(idx_labels(n, {0, 46, 3, 12})));
  ssnn::Dataset d = ssnn::load_named_dataset("emnist-balanced", "train", dir_.string());
  EXPECT_EQ(d.name, "emnist-balanced/train");
  EXPECT_EQ(d.num_classes, 47u);
  ASSERT_EQ(d.size(), n);
  EXPECT_EQ(d.label(1), 46);
  for (uint32_t r = 0; r < 28; ++r)
    for (uint32_t c = 0; c < 28; ++c) ASSERT_EQ(d.image(2)[c * 28 + r], px[2 * 784 + r * 28 + c]);

  // The same label file is out of range for the 10-class digits split.
  write("emnist/emnist-digits-train-images-idx3-ubyte", idx_images(n, 28, 28, px));  // raw works too
  auto lab = write("emnist/emnist-digits-train-labels-idx1-ubyte", idx_labels(n, {0, 46, 3, 12}));
  expect_error([&] { ssnn::load_named_dataset("emnist-digits", "train", dir_.string()); }, lab,
               "out of range");
}

// ---------------------------------------------------------------- bad files

TEST_F(IdxTest, MissingFile) {
  const std::string p = (dir_ / "nope-images").string();
  expect_error([&] { ssnn::read_idx_images(p); }, p, "cannot open");
  expect_error([&] { ssnn::read_file_bytes(p); }, p, "cannot open");
  // Named data set whose cache folder is empty: names the expected file.
  expect_error([&] { ssnn::load_named_dataset("mnist", "train", dir_.string()); },
               (dir_ / "mnist" / "train-images-idx3-ubyte.gz").string(), "missing");
  expect_error([&] { ssnn::load_named_dataset("emnist-letters", "test", dir_.string()); },
               (dir_ / "emnist" / "emnist-letters-test-images-idx3-ubyte.gz").string(), "docs/data.md");
}

TEST_F(IdxTest, WrongMagic) {
  auto img = write("img", idx_images(2, 2, 2, pattern(8), 0x12345678));
  expect_error([&] { ssnn::read_idx_images(img); }, img, "wrong magic 0x12345678");
  // A label file given as images and vice versa.
  auto lab = write("lab", idx_labels(2, {1, 2}));
  expect_error([&] { ssnn::read_idx_images(lab); }, lab, "this is an IDX label file");
  auto img2 = write("img2", idx_images(2, 2, 2, pattern(8)));
  expect_error([&] { ssnn::read_idx_labels(img2); }, img2, "this is an IDX image file");
  // Not ubyte (0x0D = float).
  auto f = write("float", idx_images(2, 2, 2, pattern(8), 0x00000D03));
  expect_error([&] { ssnn::read_idx_images(f); }, f, "wrong magic");
  // Same inside gzip.
  auto gz = write("img.gz", gzip_bytes(idx_images(2, 2, 2, pattern(8), 0xdeadbeef)));
  expect_error([&] { ssnn::read_idx_images(gz); }, gz, "wrong magic 0xdeadbeef");
  // Empty file.
  auto e = write("empty", {});
  expect_error([&] { ssnn::read_idx_labels(e); }, e, "too short");
}

TEST_F(IdxTest, Truncated) {
  // Raw: header says 10 images, file holds 5 (rejected from the file size before reading).
  Bytes full = idx_images(10, 4, 4, pattern(160));
  Bytes cut(full.begin(), full.end() - 80);
  auto raw = write("cut", cut);
  expect_error([&] { ssnn::read_idx_images(raw); }, raw, "truncated");
  // Gzip of a short but well-formed stream.
  auto gz = write("cut.gz", gzip_bytes(cut));
  expect_error([&] { ssnn::read_idx_images(gz); }, gz, "truncated");
  // Short header.
  Bytes hdr(full.begin(), full.begin() + 10);
  auto h = write("hdr", hdr);
  expect_error([&] { ssnn::read_idx_images(h); }, h, "truncated");
  // Labels.
  auto lab = write("lab", idx_labels(5, {1, 2, 3}));
  expect_error([&] { ssnn::read_idx_labels(lab); }, lab, "truncated");
  auto labgz = write("lab.gz", gzip_bytes(idx_labels(5, {1, 2, 3})));
  expect_error([&] { ssnn::read_idx_labels(labgz); }, labgz, "truncated");
  // A gzip file cut in the middle of its deflate stream.
  Bytes z = gzip_bytes(idx_images(10, 4, 4, pattern(160)));
  Bytes zcut(z.begin(), z.begin() + static_cast<long>(z.size() / 2));
  auto zc = write("zcut.gz", zcut);
  expect_error([&] { ssnn::read_idx_images(zc); }, zc, "truncated");
  expect_error([&] { ssnn::read_file_bytes(zc); }, zc, "truncated");
}

TEST_F(IdxTest, TrailingDataRejected) {
  Bytes px = pattern(20);
  auto raw = write("long", idx_images(1, 4, 4, px));  // 4 bytes more than 1x4x4
  expect_error([&] { ssnn::read_idx_images(raw); }, raw, "trailing data");
  auto lab = write("long-lab", idx_labels(2, {1, 2, 3}));
  expect_error([&] { ssnn::read_idx_labels(lab); }, lab, "trailing data");
}

TEST_F(IdxTest, CountMismatch) {
  auto img = write("img", idx_images(3, 2, 2, pattern(12)));
  auto lab = write("lab", idx_labels(4, {0, 1, 2, 3}));
  expect_error([&] { ssnn::load_idx_pair(img, lab); }, img, "3 images but");
  expect_error([&] { ssnn::load_idx_pair(img, lab); }, lab, "4 labels");
}

TEST_F(IdxTest, LabelOutOfRange) {
  auto img = write("img", idx_images(3, 2, 2, pattern(12)));
  auto lab = write("lab", idx_labels(3, {0, 9, 10}));
  ssnn::LoadOptions opt;
  opt.num_classes = 10;
  expect_error([&] { ssnn::load_idx_pair(img, lab, opt); }, lab, "label 10 at index 2");
  opt.num_classes = 0;  // inferred: 11
  EXPECT_EQ(ssnn::load_idx_pair(img, lab, opt).num_classes, 11u);
}

TEST_F(IdxTest, AbsurdDimensions) {
  struct Case { uint32_t count, rows, cols; };
  for (Case c : {Case{1, 0, 28}, Case{1, 28, 0}, Case{1, 1025, 28}, Case{1, 28, 5000}, Case{0, 28, 28},
                 Case{10'000'001, 1, 1}, Case{0xffffffffu, 28, 28}, Case{10'000'000, 1024, 1024},
                 Case{2'800'000, 28, 28}, Case{1'400'000, 28, 28}}) {
    // Only the header: nothing may be allocated from these numbers.
    auto p = write("absurd", idx_images(c.count, c.rows, c.cols, {}));
    expect_error([&] { ssnn::read_idx_images(p); }, p, "absurd dimensions");
    auto g = write("absurd.gz", gzip_bytes(idx_images(c.count, c.rows, c.cols, {})));
    expect_error([&] { ssnn::read_idx_images(g); }, g, "absurd dimensions");
  }
  auto l = write("absurd-lab", idx_labels(20'000'000, {}));
  expect_error([&] { ssnn::read_idx_labels(l); }, l, "absurd dimensions");
  auto l0 = write("zero-lab", idx_labels(0, {}));
  expect_error([&] { ssnn::read_idx_labels(l0); }, l0, "absurd dimensions");
}

TEST_F(IdxTest, LargestValidHeaderWithoutDataIsTruncatedNotAllocated) {
  // 2^30 bytes announced (within limits) by a 16-byte file: rejected as truncated.
  auto p = write("big", idx_images(1024, 1024, 1024, {}));
  expect_error([&] { ssnn::read_idx_images(p); }, p, "truncated");
  auto g = write("big.gz", gzip_bytes(idx_images(1024, 1024, 1024, pattern(1000))));
  expect_error([&] { ssnn::read_idx_images(g); }, g, "truncated");
}

TEST_F(IdxTest, CorruptGzip) {
  Bytes z = gzip_bytes(idx_images(10, 8, 8, pattern(640)));
  for (size_t i = 12; i < z.size() - 8; i += 7) z[i] ^= 0x5a;  // scramble the deflate data
  auto p = write("bad.gz", z);
  expect_error([&] { ssnn::read_idx_images(p); }, p, "gzip");
  expect_error([&] { ssnn::read_file_bytes(p); }, p, "gzip");
  // Bad CRC only (data intact): zlib checks the trailer.
  Bytes z2 = gzip_bytes(idx_labels(4, {1, 2, 3, 4}));
  z2[z2.size() - 6] ^= 0xff;
  auto p2 = write("crc.gz", z2);
  expect_error([&] { ssnn::read_file_bytes(p2); }, p2, "corrupt gzip");
  expect_error([&] { ssnn::read_idx_labels(p2); }, p2, "corrupt gzip");
}

TEST_F(IdxTest, GzipBombIsCapped) {
  // 64 MiB of zeros compresses to ~64 KiB; the header claims one 2x2 image.
  Bytes payload = idx_images(1, 2, 2, Bytes(size_t{64} << 20, 0));
  auto p = write("bomb.gz", gzip_bytes(payload));
  expect_error([&] { ssnn::read_idx_images(p); }, p, "trailing data");
  expect_error([&] { ssnn::read_file_bytes(p, 1 << 20); }, p, "larger than the limit");
}

// ---------------------------------------------------------------- names and folders

TEST_F(IdxTest, UnknownNamesListValidOnes) {
  expect_error([] { ssnn::load_named_dataset("cifar", "train"); }, "cifar", "subset, mnist, fashion");
  expect_error([] { ssnn::load_named_dataset("emnist-foo", "train"); }, "emnist-foo", "emnist-balanced");
  expect_error([] { ssnn::load_named_dataset("subset", "validation"); }, "subset", "train, test");
  auto names = ssnn::dataset_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "emnist-balanced"), names.end());
}

TEST_F(IdxTest, DataDirFromEnvironment) {
  const char* old = std::getenv("SSNN_DATA_DIR");
  std::string saved = old ? old : "";
  ::setenv("SSNN_DATA_DIR", dir_.c_str(), 1);
  EXPECT_EQ(ssnn::default_data_dir(), dir_.string());
  ::unsetenv("SSNN_DATA_DIR");
  const char* home = std::getenv("HOME");
  if (home) {
    EXPECT_EQ(ssnn::default_data_dir(), std::string(home) + "/.cache/ssnn-hw/data");
  }
  if (old) ::setenv("SSNN_DATA_DIR", saved.c_str(), 1);
  EXPECT_EQ(ssnn::repo_data_dir(), ssnn::repo_dir() + "/data");
}

// ---------------------------------------------------------------- full sets, when fetched

TEST(IdxFetched, FullSetsLoadWhenPresent) {
  int loaded = 0;
  for (const char* name : {"mnist", "fashion"}) {
    const std::string dir = ssnn::default_data_dir() + (std::string(name) == "mnist" ? "/mnist" : "/fashion-mnist");
    if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) continue;
    ssnn::Dataset tr = ssnn::load_named_dataset(name, "train");
    ssnn::Dataset te = ssnn::load_named_dataset(name, "test");
    EXPECT_EQ(tr.size(), 60000u) << name;
    EXPECT_EQ(te.size(), 10000u) << name;
    EXPECT_EQ(tr.rows, 28u);
    EXPECT_EQ(te.cols, 28u);
    EXPECT_EQ(tr.num_classes, 10u);
    ++loaded;
  }
  if (loaded == 0) GTEST_SKIP() << "no full data set in " << ssnn::default_data_dir() << " (scripts/fetch_data.sh)";
}

TEST(IdxFetched, SubsetIsThePrefixOfFullMnist) {
  const std::string dir = ssnn::default_data_dir() + "/mnist";
  if (!std::filesystem::exists(dir + "/t10k-images-idx3-ubyte.gz")) GTEST_SKIP() << "MNIST not fetched";
  ssnn::Dataset full = ssnn::load_named_dataset("mnist", "test", "", 1000);
  ssnn::Dataset sub = ssnn::load_named_dataset("subset", "test");
  EXPECT_EQ(full.pixels, sub.pixels);
  EXPECT_EQ(full.labels, sub.labels);
}
