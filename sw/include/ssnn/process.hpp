// Running another program without a shell: an argument vector goes straight to the kernel, so no
// path or option value is ever interpreted as shell syntax.
#pragma once

#include <string>
#include <vector>

namespace ssnn {

// Runs argv[0] (looked up in PATH when it holds no '/') with the arguments argv[1..], stdin from
// /dev/null, stdout discarded; stderr is captured into *err if given, else discarded.  Returns the
// exit status, 128 + N if signal N ended it, or -1 if it could not be started.
int run_program(const std::vector<std::string>& argv, std::string* err = nullptr);

}  // namespace ssnn
