// The names of an enum's values, written once: to_string and the option parser both read the
// table.  A value may have several names (aliases accepted on input); the first is its own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace ssnn {

template <class E>
struct EnumName {
  E value;
  const char* name;
};

// The first name of `value` ("?" if the table lacks it).
template <class E, size_t N>
constexpr const char* name_of(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& e : table)
    if (e.value == value) return e.name;
  return "?";
}

// The value called `name`, if any.
template <class E, size_t N>
std::optional<E> value_named(const EnumName<E> (&table)[N], const std::string& name) {
  for (const EnumName<E>& e : table)
    if (name == e.name) return e.value;
  return std::nullopt;
}

}  // namespace ssnn
