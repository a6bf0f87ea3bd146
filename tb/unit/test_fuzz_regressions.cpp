// Replays the fuzz seed corpora (tb/fuzz/corpus/<target>/) and every input a fuzzer ever crashed on
// (tb/fuzz/regressions/<target>/) through the fuzz target bodies, in every build: a fixed finding
// stays fixed even where libFuzzer is not available.  Under scripts/sanitize.sh the same replay
// runs with AddressSanitizer and UndefinedBehaviorSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.hpp"
#include "ssnn/idx.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_of(const std::string& kind, const std::string& target) {
  std::vector<fs::path> files;
  const fs::path dir = fs::path(ssnn::repo_dir()) / "tb" / "fuzz" / kind / target;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const ssnn::fuzz::Target& t, const std::vector<fs::path>& files) {
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    std::ifstream in(f, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << f;
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      t.run(bytes.data(), bytes.size());
    } catch (const ssnn::fuzz::Violation& v) {
      ADD_FAILURE() << "contract violation: " << v.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception: " << e.what();
    }
  }
}

class FuzzReplay : public ::testing::TestWithParam<ssnn::fuzz::Target> {};

TEST_P(FuzzReplay, SeedCorpus) {
  const std::vector<fs::path> files = inputs_of("corpus", GetParam().name);
  EXPECT_GE(files.size(), 5u) << "seed corpus of " << GetParam().name << " missing or thin";
  replay(GetParam(), files);
}

TEST_P(FuzzReplay, Regressions) { replay(GetParam(), inputs_of("regressions", GetParam().name)); }

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(ssnn::fuzz::targets()),
                         [](const ::testing::TestParamInfo<ssnn::fuzz::Target>& info) {
                           std::string name = info.param.name;
                           name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
                           return name;
                         });

}  // namespace
