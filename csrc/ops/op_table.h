// The op vocabulary's table: for each op, the `ttnn` function it is, the parameters a call may pass (by
// TT-NN's names), and the constraints under which TT-NN supports it. The table is data (op_table.cpp):
// the dispatcher checks every call against it, the contract test checks it against the installed `ttnn`,
// and ttnn_device.op_table() shows it.
#pragma once

#include <string>
#include <vector>

#include "runtime/data_type.h"

namespace ttnn_device::ops {

enum class OutputLayout { kInput, kTile, kRowMajor };

struct OpSpec {
  std::string op;       // vocabulary name
  std::string ttnn;     // dotted name of the TT-NN function, e.g. "ttnn.matmul"
  std::string family;   // eltwise_binary, eltwise_unary, matmul, normalization, reduction, data_movement, ...
  std::vector<std::string> params;                // every parameter name a call may pass
  std::vector<runtime::DataType> dtypes;          // data types TT-NN accepts for the main input
  std::vector<runtime::Layout> layouts;           // layouts TT-NN accepts for the main input
  OutputLayout output_layout = OutputLayout::kInput;
  int max_rank = 0;                               // 0: any rank
  std::string constraints;                        // the rest, in words
  bool accepts(runtime::DataType dtype) const;
  bool accepts(runtime::Layout layout) const;
  bool has_param(const char* name) const;
};

const std::vector<OpSpec>& op_table();
// Throws std::out_of_range naming the op when the vocabulary has no such op.
const OpSpec& op_spec(const std::string& op);
// The same for an op named by a string literal, cached by pointer (kernels call it per op).
const OpSpec& op_spec(const char* op);

}  // namespace ttnn_device::ops
