// The fixture of the command-line tests (test_cli*.cpp): runs ssnn_golden (or ssnn_analysis) in a
// folder of its own, capturing stdout and stderr, and checks that a refused input ends with a
// non-zero exit and one line on stderr, never a signal.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "test_files.hpp"

namespace ssnn::test_support {

struct RunResult {
  bool signaled = false;
  int signal = 0;
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < err.size()) {
      const size_t nl = err.find('\n', start);
      lines.push_back(err.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    return lines;
  }
};

// A tiny, fast training run; `extra` adds options or overrides the base ones (CLI11 refuses an
// option given twice).  The defaults may change: these runs only need to be quick.
inline std::vector<std::string> tiny(const std::vector<std::string>& extra = {}) {
  const std::vector<std::pair<std::string, std::string>> base{
      {"--hidden", "16"},        {"--timesteps", "6"},     {"--epochs", "1"},
      {"--train-samples", "200"}, {"--test-samples", "100"}, {"--threads", "1"}};
  std::vector<std::string> a{"train", "--no-progress"};
  for (const auto& [key, value] : base) {
    const bool overridden = std::find(extra.begin(), extra.end(), key) != extra.end() ||
                            (key == "--timesteps" && std::find(extra.begin(), extra.end(), "-T") != extra.end());
    if (!overridden) {
      a.push_back(key);
      a.push_back(value);
    }
  }
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// `head` followed by `tail`: a command line from a fixed part and a per-call part.
inline std::vector<std::string> concat(std::vector<std::string> head, const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// Runs a command-line tool in a folder of its own (TempDir) and checks how it refuses bad input.
class Cli : public ssnn::test_support::TempDir {
 protected:

  // Runs the tool (build/bin/ssnn_golden unless a fixture chose another) with `args`, capturing
  // stdout and stderr.
  RunResult run(const std::vector<std::string>& args) const {
    const std::string bin = bin_;
    std::vector<std::string> all{bin};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // One thread per run: these tests check behaviour, not speed, and CTest runs tests in parallel.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
      if (std::string(*e).rfind("OMP_NUM_THREADS=", 0) != 0) env_strings.emplace_back(*e);
    env_strings.emplace_back("OMP_NUM_THREADS=1");
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string out_path = (dir_ / "stdout.txt").string();
    const std::string err_path = (dir_ / "stderr.txt").string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int o = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (o < 0 || e < 0) ::_exit(127);
      ::dup2(o, STDOUT_FILENO);
      ::dup2(e, STDERR_FILENO);
      ::execve(bin.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    RunResult r;
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return r;
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    r.signaled = WIFSIGNALED(status);
    r.signal = r.signaled ? WTERMSIG(status) : 0;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ssnn::test_support::read_bytes(out_path);
    r.err = ssnn::test_support::read_bytes(err_path);
    return r;
  }

  // Expects failure: exit code != 0 (== error_exit_ if set), no signal, exactly one line on stderr
  // containing every fragment.
  void expect_error(const std::vector<std::string>& args, const std::vector<std::string>& fragments) const {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    SCOPED_TRACE(bin_ + cmd);
    const RunResult r = run(args);
    EXPECT_FALSE(r.signaled) << "killed by signal " << r.signal << "; stderr: " << r.err;
    EXPECT_NE(r.exit_code, 0) << "succeeded; stdout: " << r.out;
    EXPECT_NE(r.exit_code, 127) << "could not execute " << bin_;
    if (error_exit_ != 0) {
      EXPECT_EQ(r.exit_code, error_exit_) << "stderr: " << r.err;
    }
    const std::vector<std::string> lines = r.err_lines();
    EXPECT_EQ(lines.size(), 1u) << "stderr:\n" << r.err;
    for (const auto& f : fragments) EXPECT_NE(r.err.find(f), std::string::npos) << "stderr lacks '" << f << "':\n" << r.err;
  }

  // Each {option, value} of `cases` refused (expect_error) on the command line make({option, value}),
  // the error line naming the option and, with `names_value`, the value.
  template <class Make>
  void expect_refused(Make make, std::initializer_list<std::pair<const char*, const char*>> cases,
                      bool names_value = true) const {
    for (const auto& [option, value] : cases) {
      std::vector<std::string> named{option};
      if (names_value) named.emplace_back(value);
      expect_error(make({option, value}), named);
    }
  }

  // The weights of a tiny training run (tiny(extra), saved to `name` in the test's folder): the file.
  std::string tiny_weights(const std::string& name, const std::vector<std::string>& extra = {}) const {
    const std::string file = path(name);
    const RunResult r = run(tiny(concat(extra, {"--save-weights", file})));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return file;
  }

  std::string bin_ = SSNN_GOLDEN_BIN;
  int error_exit_ = 0;  // the exit code every refused input must give (0: any non-zero)
};

// ssnn_analysis: every refused input exits with 2.
class AnalysisCli : public Cli {
 protected:
  void SetUp() override {
    Cli::SetUp();
    bin_ = SSNN_ANALYSIS_BIN;
    error_exit_ = 2;
  }
};

}  // namespace ssnn::test_support
