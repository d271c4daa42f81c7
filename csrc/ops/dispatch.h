// Calling the vocabulary: each call names a table op and passes TT-NN-named arguments; the dispatcher
// checks the names against the table, counts the call, and runs the active backend's implementation.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ops/args.h"
#include "ops/op_table.h"

namespace ttnn_device::ops {

using Impl = std::vector<TtTensor> (*)(const Args& args);
// An op's one result, moved in (a braced list would copy it: its storage's refcount and its shape).
inline std::vector<TtTensor> single(TtTensor result) {
  std::vector<TtTensor> out;
  out.reserve(1);
  out.push_back(std::move(result));
  return out;
}

// Backends register one implementation per op (a static table per op family).
struct ImplEntry {
  const char* op;
  Impl impl;
};
void register_impls(const char* backend, std::initializer_list<ImplEntry> entries);
// A backend that runs every op the same way (the hardware backend: the call the op's table row names)
// registers one implementation for all ops; per-op implementations of that backend take precedence.
using GenericImpl = std::vector<TtTensor> (*)(const OpSpec& spec, const Args& args);
void register_generic_impl(const char* backend, GenericImpl impl);

// Runs `op` on the active backend (the device registry's: the reference device "sim" by default). `op` and the
// argument names must be strings that live as long as the process (literals, or the op table's own).
std::vector<TtTensor> call(const char* op, const Args& args);
TtTensor call1(const char* op, const Args& args);

// Ops with an implementation on the active backend.
std::vector<std::string> implemented_ops();

// Per-op call counts, and layout / data type conversions (to_layout, typecast) with the bytes converted.
std::map<std::string, uint64_t> op_counts();
struct ConversionCounts {
  uint64_t count = 0;
  uint64_t bytes = 0;
};
ConversionCounts conversion_counts();
void reset_op_counts();

}  // namespace ttnn_device::ops
