// A tiny test harness (no gtest): TEST(name) registers a test, CHECK / CHECK_EQ count outcomes,
// check::run_all() runs every test and prints "N passed, N failed" (the line ctest logs and CI reads).
#pragma once

#include <cstdint>
#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace check {

struct Counts {
  int passed = 0;
  int failed = 0;
};

inline Counts& counts() {
  static Counts c;
  return c;
}

struct Test {
  const char* name;
  void (*fn)();
};

inline std::vector<Test>& registry() {
  static std::vector<Test> tests;
  return tests;
}

struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

template <typename T>
struct is_vector : std::false_type {};
template <typename T, typename A>
struct is_vector<std::vector<T, A>> : std::true_type {};

// Prints values readably: bytes as numbers, vectors as [a, b, ...], everything else through operator<<.
template <typename T>
std::string show(const T& v) {
  std::ostringstream os;
  if constexpr (is_vector<T>::value) {
    os << "[";
    for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << show(v[i]);
    os << "]";
  } else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t> || std::is_same_v<T, char>) {
    os << static_cast<int>(v);
  } else if constexpr (std::is_enum_v<T>) {
    os << static_cast<long long>(v);
  } else {
    os << v;
  }
  return os.str();
}

inline bool record(bool ok, const char* file, int line, const std::string& what) {
  if (ok) {
    ++counts().passed;
  } else {
    ++counts().failed;
    std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  }
  return ok;
}

inline int run_all() {
  for (const Test& t : registry()) {
    const int before = counts().failed;
    try {
      t.fn();
    } catch (const std::exception& e) {
      record(false, __FILE__, __LINE__, std::string(t.name) + " threw: " + e.what());
    } catch (...) {
      record(false, __FILE__, __LINE__, std::string(t.name) + " threw a non-std exception");
    }
    std::printf("[%s] %s\n", counts().failed == before ? " ok " : "FAIL", t.name);
  }
  std::printf("%d passed, %d failed\n", counts().passed, counts().failed);
  return counts().failed == 0 ? 0 : 1;
}

}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)

#define TEST(name)                                                  \
  static void name();                                               \
  static const ::check::Registrar CHECK_CAT(name, _registrar){#name, &name}; \
  static void name()

#define CHECK(cond) ::check::record(static_cast<bool>(cond), __FILE__, __LINE__, "CHECK(" #cond ")")

#define CHECK_EQ(a, b)                                                                                          \
  [&](const auto& va, const auto& vb) {                                                                         \
    return ::check::record(va == vb, __FILE__, __LINE__,                                                        \
                           "CHECK_EQ(" #a ", " #b "): " + ::check::show(va) + " != " + ::check::show(vb)); \
  }((a), (b))

// Passes when `expr` throws an exception of type `type`.
#define CHECK_THROWS(type, expr)                                                    \
  do {                                                                              \
    bool thrown_ = false;                                                           \
    try {                                                                           \
      (void)(expr);                                                                 \
    } catch (const type&) {                                                         \
      thrown_ = true;                                                               \
    } catch (...) {                                                                 \
    }                                                                               \
    ::check::record(thrown_, __FILE__, __LINE__, "CHECK_THROWS(" #type ", " #expr ")"); \
  } while (0)
