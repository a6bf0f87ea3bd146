// Checked reading of JSON from files: nlohmann's conversions cast a float or a negative number into
// an unsigned counter without complaint (and a float beyond 2^64 is undefined behaviour), so values
// from a file are checked before they are converted.
#pragma once

#include <exception>
#include <string>

#include <nlohmann/json.hpp>

namespace ssnn {

// True if every number in `j` (at any depth) is a non-negative integer of at most 64 bits.
// Recursion is bounded: JSON read from a checkpoint nests at most 64 levels (checkpoint.cpp).
inline bool only_counts(const nlohmann::json& j) {
  if (j.is_structured()) {
    for (const auto& v : j)
      if (!only_counts(v)) return false;
    return true;
  }
  return !j.is_number() || j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() >= 0);
}

// An exception's text without nlohmann's "[json.exception.type_error.302] " prefix.
inline std::string json_error_text(const std::exception& e) {
  std::string s = e.what();
  if (s.rfind("[json.exception.", 0) == 0) {
    const size_t end = s.find("] ");
    if (end != std::string::npos) s = s.substr(end + 2);
  }
  return s;
}

}  // namespace ssnn
