// The output-path rule shared by every program (docs/robustness.md, "Output files"): checked before a
// run starts, so no work is lost to an unwritable path and no input is ever overwritten; files are
// then written atomically next to their final place.
#pragma once

#include <string>
#include <vector>

namespace ssnn {

// A file a program reads or writes, with the option that named it (for one-line errors).
struct RunPath {
  std::string option;  // e.g. "--report"; for data files the data-set option, "--dataset"
  std::string path;    // empty: not given (ignored)
};

// Refuses, with a ConfigError "<option>: <path>: <reason>", an output that
//   - is an input of the same run: the same file (device and inode, through any link) or the same
//     absolute path;
//   - is the same file as another output of the run;
//   - exists and is not a regular file after following symbolic links (a folder, device node, FIFO
//     or socket), or is a symbolic link whose target does not exist;
//   - lies in a folder that does not exist or that this process may not write to.
// An existing regular output file is replaced (atomically, below); a symbolic link keeps pointing to
// its target, which is the file replaced.
void check_run_paths(const std::vector<RunPath>& inputs, const std::vector<RunPath>& outputs);

// Writes `bytes` to `path` atomically: a new temporary file in the same folder (a unique name
// <name>.tmp.XXXXXX), written, fsync'd and renamed over the final file, then the folder fsync'd.  A
// crash or a full disk leaves the old file intact and no temporary file behind (it is removed on every
// error).  A symbolic link is followed: its target is replaced, the link stays.  A path that exists
// and is not a regular file is refused.  Errors throw CheckpointError naming the path.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace ssnn
