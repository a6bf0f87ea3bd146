// IDX data sets (MNIST, Fashion-MNIST, EMNIST, the shipped MNIST subset).
//
// File format (http://yann.lecun.com/exdb/mnist/): big-endian header
//   images: magic 0x00000803, uint32 count, uint32 rows, uint32 cols, then count*rows*cols bytes
//   labels: magic 0x00000801, uint32 count, then count bytes
// Files may be raw or gzip-compressed (recognised by the gzip magic 1f 8b).
//
// Safety: headers are validated before anything is allocated from them
// (rows, cols in 1..1024; count in 1..10,000,000; count*rows*cols <= 2^30),
// a payload larger than the file can hold (raw: its size; gzip: 1032 times
// its size, deflate's largest ratio) is refused before allocation, and the
// pixels are allocated once at the validated size, so a short file or a gzip
// bomb can neither allocate more than 1 GiB nor be read past what its header
// announces. Every failure throws DataError with a one-line
// message that names the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ssnn {

/// Any problem with a data file or data set name. what() is one line naming the file.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Limits enforced on IDX headers (the "absurd dimensions" check).
struct IdxLimits {
  static constexpr uint32_t kMaxSide = 1024;                  // rows, cols in 1..1024
  static constexpr uint32_t kMaxCount = 10'000'000;           // images or labels per file
  static constexpr uint64_t kMaxPixels = uint64_t{1} << 30;   // count*rows*cols (1 GiB)
};

inline constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dims
inline constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dim

/// A labelled image set held in memory: image i is pixels[i*rows*cols ..), row-major.
struct Dataset {
  std::string name;          // e.g. "subset/train", "mnist/test"
  std::string images_file;   // the files it was read from (for error messages)
  std::string labels_file;
  uint32_t rows = 0, cols = 0;
  uint32_t num_classes = 0;  // labels are in 0..num_classes-1
  std::vector<uint8_t> pixels;
  std::vector<uint8_t> labels;

  size_t size() const { return labels.size(); }
  size_t pixels_per_image() const { return size_t{rows} * cols; }
  const uint8_t* image(size_t i) const { return pixels.data() + i * pixels_per_image(); }
  uint8_t label(size_t i) const { return labels[i]; }
};

struct LoadOptions {
  bool transpose = false;     // EMNIST: files store each image transposed; true swaps (r,c)
  uint32_t num_classes = 0;   // 0: infer as max label + 1
  size_t max_samples = 0;     // 0: all; otherwise only the first max_samples are loaded
};

/// Whole file contents, gunzipped if the file starts with the gzip magic.
/// Throws DataError if the file is missing, the gzip stream is corrupt or
/// truncated, or the (decompressed) contents exceed max_bytes.
std::vector<uint8_t> read_file_bytes(const std::string& path,
                                     size_t max_bytes = size_t{1} << 30);

/// True if the file starts with the gzip magic 1f 8b (false if it is shorter than 2 bytes).
bool is_gzip_file(const std::string& path);

/// Read one IDX image file. Returns pixels (count*rows*cols, after optional
/// transpose; rows/cols are the output orientation). count is the number of
/// images loaded (<= max_samples if that is nonzero); header_count the number
/// the header declares.
struct IdxImages {
  uint32_t header_count = 0, count = 0, rows = 0, cols = 0;
  std::vector<uint8_t> pixels;
};
IdxImages read_idx_images(const std::string& path, bool transpose = false, size_t max_samples = 0);

/// Read one IDX label file (first max_samples labels if nonzero).
struct IdxLabels {
  uint32_t header_count = 0;
  std::vector<uint8_t> labels;
};
IdxLabels read_idx_labels(const std::string& path, size_t max_samples = 0);

/// Images + labels; checks the two header counts agree and every label < num_classes.
Dataset load_idx_pair(const std::string& images, const std::string& labels,
                      const LoadOptions& opt = {});

/// The most pixels per image a network takes (ModelConfig::validate's input-layer limit).
inline constexpr size_t kMaxInputs = 65536;

/// One validation of a data set's train/test pair, used by every program that trains: the test
/// images must have the training images' shape (rows x cols, not only their pixel count), at most
/// kMaxInputs pixels, and every test label must be one of the training set's classes.  Throws DataError naming the test file.
void check_test_split(const Dataset& train, const Dataset& test);

/// Load a named data set split.
///   name:  subset | mnist | fashion (alias fashion-mnist) | emnist-<split> | path:<dir>
///          emnist splits: balanced (47 classes), bymerge (47), byclass (62),
///          letters (27: labels 1..26), digits (10), mnist (10); images are transposed.
///          path:<dir> loads the standard four file names from <dir>, classes inferred.
///   split: train | test
///   data_dir: cache folder of the fetched data sets; "" = default_data_dir().
/// For each file, "<name>.gz" is tried first, then the raw "<name>".
Dataset load_named_dataset(const std::string& name, const std::string& split,
                           const std::string& data_dir = "", size_t max_samples = 0);

/// The names accepted by load_named_dataset (for help texts and error messages).
std::vector<std::string> dataset_names();

/// $SSNN_DATA_DIR if set and non-empty, else $HOME/.cache/ssnn-hw/data.
std::string default_data_dir();

/// The repository root: $SSNN_REPO_DIR if set and non-empty, else the source
/// directory compiled into the library.
std::string repo_dir();

/// <repo_dir()>/data, where mnist-subset/ lives.
std::string repo_data_dir();

}  // namespace ssnn
