// The output-path rule and atomic writes (output_path.hpp).
#include "ssnn/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "ssnn/checkpoint.hpp"
#include "ssnn/config.hpp"

namespace ssnn {

namespace {

namespace fs = std::filesystem;

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The absolute path with "." and ".." resolved as far as the path exists (symbolic links included).
std::string absolute_of(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : p.string();
}

// The file a write to `path` replaces: `path` itself, or the final target of a symbolic link.
// Throws (via fail) for a dangling link or a target that is not a regular file.
template <typename Fail>
std::string write_target(const std::string& path, Fail fail) {
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) != 0) return path;  // a new file
  std::string target = path;
  if (S_ISLNK(lst.st_mode)) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) == nullptr) fail("a symbolic link whose target does not exist");
    target = buf;
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    fail(fmt::format("{}, not a regular file (refusing to replace it)", kind_of(st.st_mode)));
  return target;
}

void fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void check_run_paths(const std::vector<RunPath>& inputs, const std::vector<RunPath>& outputs) {
  struct Seen {
    const RunPath* path;
    bool exists;
    struct stat st;
    std::string absolute;
  };
  auto seen = [](const RunPath& p) {
    Seen s{&p, false, {}, absolute_of(p.path)};
    s.exists = ::stat(p.path.c_str(), &s.st) == 0;
    return s;
  };
  std::vector<Seen> ins, outs;
  for (const RunPath& p : inputs)
    if (!p.path.empty()) ins.push_back(seen(p));
  for (const RunPath& p : outputs) {
    if (p.path.empty()) continue;
    auto fail = [&](const std::string& why) { throw ConfigError(fmt::format("{}: {}: {}", p.option, p.path, why)); };
    const std::string target = write_target(p.path, fail);
    const std::string dir = fs::path(absolute_of(target)).parent_path().string();
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) fail(fmt::format("its folder {} does not exist", dir));
    if (::access(dir.c_str(), W_OK | X_OK) != 0) fail(fmt::format("its folder {} is not writable", dir));
    const Seen out = seen(p);
    auto same = [&](const Seen& other) {
      return (out.exists && other.exists && out.st.st_dev == other.st.st_dev && out.st.st_ino == other.st.st_ino) ||
             out.absolute == other.absolute;
    };
    for (const Seen& in : ins)
      if (same(in))
        fail(fmt::format("is also an input of this run ({} {}); refusing to overwrite it", in.path->option,
                         in.path->path));
    for (const Seen& other : outs)
      if (same(other))
        fail(fmt::format("is also written as {} {}; give each output its own file", other.path->option,
                         other.path->path));
    outs.push_back(out);
  }
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  auto fail = [&](const std::string& why) { throw CheckpointError(fmt::format("{}: {}", path, why)); };
  const std::string target = write_target(path, fail);
  mode_t mode = 0644;
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;  // a replaced file keeps its permissions
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode &= ~mask;
  }
  std::string tmp = target + ".tmp.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) fail(fmt::format("cannot create a temporary file beside it ({})", std::strerror(errno)));
  auto abandon = [&](const std::string& what) {
    const std::string err = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(fmt::format("{} ({}); the previous file, if any, is unchanged", what, err));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon("write failed");
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) abandon("cannot set permissions");
  if (::fsync(fd) != 0) abandon("fsync failed");
  if (::close(fd) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    fail(fmt::format("close failed ({}); the previous file, if any, is unchanged", err));
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    fail(fmt::format("rename failed ({}); the previous file, if any, is unchanged", err));
  }
  fsync_dir(fs::path(target).parent_path().string());
}

}  // namespace ssnn
