// Files in the golden-model unit tests: a fresh temporary folder per test, whole-file reads and
// writes, the CRC32 a checkpoint ends with, and the fields of a result record.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

namespace ssnn::test_support {

// A folder of its own for each test (named after the test and the process), removed afterwards.
class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() / ("ssnn_test_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline uint32_t crc_of(const std::string& bytes) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// `body` with its CRC32 appended as the checkpoint writer stores it, so that only an edited
// content can be the reason a checkpoint is refused.
inline std::string with_crc(std::string body) {
  const uint32_t c = crc_of(body);
  body.append(reinterpret_cast<const char*>(&c), 4);
  return body;
}

// Each field of `expected` (a JSON object) stands in the result record `record` with that value.
inline void expect_record_fields(const nlohmann::json& record, const nlohmann::json& expected) {
  for (const auto& [key, value] : expected.items()) EXPECT_EQ(record.at(key), value) << "record field " << key;
}

}  // namespace ssnn::test_support
