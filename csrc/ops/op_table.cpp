// The op table, one row per vocabulary op. Columns: op, ttnn function, family, parameters a call may pass,
// input data types, input layouts, output layout ("input" = the main input's), maximum rank (0 = any),
// constraints. Sources: the docstrings and signatures of ttnn 0.81.1's registered operations.
#include "ops/op_table.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace ttnn_device::ops {
namespace {

struct Row {
  const char* op;
  const char* ttnn;
  const char* family;
  const char* params;
  const char* dtypes;
  const char* layouts;
  const char* output_layout;
  int max_rank;
  const char* constraints;
};

constexpr const char* kFloat = "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B";
constexpr const char* kFloatInt = "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32 UINT32 UINT16";
constexpr const char* kAll = "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32 UINT32 UINT16 UINT8";
constexpr const char* kPlain = "BFLOAT16 FLOAT32 INT32 UINT32 UINT16 UINT8";
constexpr const char* kAnyLayout = "ROW_MAJOR TILE";
constexpr const char* kBinary = "input_tensor_a input_tensor_b dtype";
constexpr const char* kUnary = "input_tensor";

// clang-format off
const Row kRows[] = {
  // Elementwise binary: numpy broadcasting up to rank 5, output dtype = A's unless `dtype` is given.
  {"add", "ttnn.add", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "broadcast of size-1 dims; dims above rank 5 must match"},
  {"subtract", "ttnn.subtract", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "as add"},
  {"multiply", "ttnn.multiply", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "as add; FPU multiply uses math fidelity"},
  {"divide", "ttnn.divide", "eltwise_binary", "input_tensor_a input_tensor_b dtype rounding_mode", "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32", kAnyLayout, "input", 0, "rounding_mode None|floor|trunc; INT32/INT32 true division gives FLOAT32"},
  {"pow", "ttnn.pow", "eltwise_binary", "input_tensor exponent dtype", kFloat, kAnyLayout, "input", 0, "tensor or scalar exponent"},
  {"maximum", "ttnn.maximum", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, ""},
  {"minimum", "ttnn.minimum", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, ""},
  {"remainder", "ttnn.remainder", "eltwise_binary", kBinary, "BFLOAT16 FLOAT32 INT32", kAnyLayout, "input", 0, "sign of the divisor (torch.remainder)"},
  {"fmod", "ttnn.fmod", "eltwise_binary", "input_tensor_a input_tensor_b", "BFLOAT16 FLOAT32 INT32", kAnyLayout, "input", 0, "sign of the dividend (torch.fmod)"},
  {"eq", "ttnn.eq", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"ne", "ttnn.ne", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"lt", "ttnn.lt", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"le", "ttnn.le", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"gt", "ttnn.gt", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"ge", "ttnn.ge", "eltwise_binary", kBinary, kFloatInt, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"logical_and", "ttnn.logical_and", "eltwise_binary", kBinary, kAll, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"logical_or", "ttnn.logical_or", "eltwise_binary", kBinary, kAll, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"logical_xor", "ttnn.logical_xor", "eltwise_binary", kBinary, kAll, kAnyLayout, "input", 0, "1/0 in the output dtype"},
  {"bitwise_and", "ttnn.bitwise_and", "eltwise_binary", "input_tensor_a input_tensor_b", "INT32 UINT32 UINT16 UINT8", kAnyLayout, "input", 0, "integer types"},
  {"bitwise_or", "ttnn.bitwise_or", "eltwise_binary", "input_tensor_a input_tensor_b", "INT32 UINT32 UINT16 UINT8", kAnyLayout, "input", 0, "integer types"},
  {"bitwise_xor", "ttnn.bitwise_xor", "eltwise_binary", "input_tensor_a input_tensor_b", "INT32 UINT32 UINT16 UINT8", kAnyLayout, "input", 0, "integer types"},
  {"bitwise_left_shift", "ttnn.bitwise_left_shift", "eltwise_binary", "input_tensor_a input_tensor_b", "INT32 UINT32", kAnyLayout, "input", 0, "bits shifted out are lost (two's complement wrap)"},
  {"bitwise_right_shift", "ttnn.bitwise_right_shift", "eltwise_binary", "input_tensor_a input_tensor_b", "INT32 UINT32", kAnyLayout, "input", 0, "INT32: arithmetic shift (floor division by 2^n)"},
  // Elementwise ternary.
  {"where", "ttnn.where", "eltwise_ternary", "predicate true_value false_value", "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32 UINT32", kAnyLayout, "input", 0, "predicate 1/0; values tensors or numbers"},
  {"lerp", "ttnn.lerp", "eltwise_ternary", "input end weight", kFloat, kAnyLayout, "input", 0, "weight tensor or number"},
  {"mac", "ttnn.mac", "eltwise_ternary", "input_tensor_a input_tensor_b input_tensor_c", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "input", 0, "a * b + c; b and c tensors (broadcast against a) or numbers"},
  {"addcmul", "ttnn.addcmul", "eltwise_ternary", "input_a input_b input_c value", kFloat, kAnyLayout, "input", 0, "a + value * b * c"},
  {"addcdiv", "ttnn.addcdiv", "eltwise_ternary", "input_a input_b input_c value", kFloat, kAnyLayout, "input", 0, "a + value * b / c"},
  {"clamp", "ttnn.clamp", "eltwise_ternary", "input_tensor min max", kFloatInt, kAnyLayout, "input", 0, "min/max numbers or tensors"},
  // Elementwise unary (SFPU).
  {"relu", "ttnn.relu", "eltwise_unary", kUnary, kAll, kAnyLayout, "input", 0, ""},
  {"gelu", "ttnn.gelu", "eltwise_unary", "input_tensor fast_and_approximate_mode", kFloat, kAnyLayout, "input", 0, "fast_and_approximate_mode=True is the tanh form"},
  {"silu", "ttnn.silu", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"sigmoid", "ttnn.sigmoid", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"tanh", "ttnn.tanh", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"exp", "ttnn.exp", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, "x < -88.5 -> 0, x > 88.5 -> +inf"},
  {"log", "ttnn.log", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"log2", "ttnn.log2", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"log1p", "ttnn.log1p", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"sqrt", "ttnn.sqrt", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"rsqrt", "ttnn.rsqrt", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"reciprocal", "ttnn.reciprocal", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"neg", "ttnn.neg", "eltwise_unary", kUnary, "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32", kAnyLayout, "input", 0, ""},
  {"abs", "ttnn.abs", "eltwise_unary", kUnary, "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32", kAnyLayout, "input", 0, ""},
  {"sign", "ttnn.sign", "eltwise_unary", kUnary, "BFLOAT16 FLOAT32 BFLOAT8_B BFLOAT4_B INT32", kAnyLayout, "input", 0, ""},
  {"square", "ttnn.square", "eltwise_unary", kUnary, kFloatInt, kAnyLayout, "input", 0, ""},
  {"erf", "ttnn.erf", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"floor", "ttnn.floor", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"ceil", "ttnn.ceil", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"round", "ttnn.round", "eltwise_unary", "input_tensor decimals", kFloat, kAnyLayout, "input", 0, "half to even"},
  {"trunc", "ttnn.trunc", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"sin", "ttnn.sin", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"cos", "ttnn.cos", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"hardswish", "ttnn.hardswish", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"hardsigmoid", "ttnn.hardsigmoid", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"hardtanh", "ttnn.hardtanh", "eltwise_unary", "input_tensor min_val max_val", kFloat, kAnyLayout, "input", 0, ""},
  {"leaky_relu", "ttnn.leaky_relu", "eltwise_unary", "input_tensor negative_slope", kFloat, kAnyLayout, "input", 0, ""},
  {"elu", "ttnn.elu", "eltwise_unary", "input_tensor alpha", kFloat, kAnyLayout, "input", 0, ""},
  {"softplus", "ttnn.softplus", "eltwise_unary", "input_tensor beta threshold", kFloat, kAnyLayout, "input", 0, ""},
  {"mish", "ttnn.mish", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, ""},
  {"isnan", "ttnn.isnan", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, "1/0 in the input dtype"},
  {"isinf", "ttnn.isinf", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, "1/0 in the input dtype"},
  {"isfinite", "ttnn.isfinite", "eltwise_unary", kUnary, kFloat, kAnyLayout, "input", 0, "1/0 in the input dtype"},
  {"logical_not", "ttnn.logical_not", "eltwise_unary", kUnary, kAll, kAnyLayout, "input", 0, "1/0 in the input dtype"},
  {"bitwise_not", "ttnn.bitwise_not", "eltwise_unary", kUnary, "INT32 UINT32 UINT16 UINT8", kAnyLayout, "input", 0, ""},
  // Elementwise backward: the input gradient of an elementwise op, from the output gradient and the op's input.
  {"gelu_bw", "ttnn.gelu_bw", "eltwise_backward", "grad_tensor input_tensor", kFloat, "TILE", "TILE", 0, "the erf form (GeluVariant.Accurate); returns a list of one tensor"},
  // Matmul.
  {"matmul", "ttnn.matmul", "matmul", "input_tensor_a input_tensor_b transpose_a transpose_b dtype", kFloat, "TILE", "TILE", 0, "torch.matmul batch broadcasting; TILE inputs"},
  {"linear", "ttnn.linear", "matmul", "input_tensor_a input_tensor_b bias transpose_a transpose_b dtype", kFloat, "TILE", "TILE", 0, "bias a row vector [N] broadcast over rows"},
  // Normalisation.
  {"softmax", "ttnn.softmax", "normalization", "input_tensor dim numeric_stable", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 0, "any dim; numeric_stable subtracts the max"},
  {"scale_mask_softmax", "ttnn.scale_mask_softmax", "normalization", "input_tensor scale mask numeric_stable", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 0, "softmax along the last dim of input * scale (+ mask, BFLOAT16/BFLOAT8_B, broadcast)"},
  {"moreh_logsoftmax", "ttnn.moreh_logsoftmax", "normalization", "input_tensor dim", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 0, "log-softmax along any dim 0 <= dim < rank; output in the input's dtype"},
  {"layer_norm", "ttnn.layer_norm", "normalization", "input_tensor epsilon weight bias", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 0, "over the last dim; biased variance"},
  {"rms_norm", "ttnn.rms_norm", "normalization", "input_tensor epsilon weight bias", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 0, "over the last dim"},
  {"group_norm", "ttnn.group_norm", "normalization", "input_tensor num_groups epsilon weight bias", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, "channels-last input [N, 1, H*W, C]"},
  {"batch_norm", "ttnn.batch_norm", "normalization", "input running_mean running_var training eps weight bias", "BFLOAT16 FLOAT32", "TILE", "TILE", 0, "inference: normalises with the running statistics, input [N, C, H, W]"},
  // Reductions.
  {"sum", "ttnn.sum", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32 BFLOAT8_B INT32", kAnyLayout, "TILE", 0, "dim None reduces everything"},
  {"mean", "ttnn.mean", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32 BFLOAT8_B", kAnyLayout, "TILE", 0, ""},
  {"max", "ttnn.max", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32 BFLOAT8_B INT32", kAnyLayout, "TILE", 0, ""},
  {"min", "ttnn.min", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32 BFLOAT8_B INT32", kAnyLayout, "TILE", 0, ""},
  {"prod", "ttnn.prod", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32", kAnyLayout, "TILE", 0, "one dim or all"},
  {"var", "ttnn.var", "reduction", "input_tensor dim keepdim correction", "BFLOAT16 FLOAT32", kAnyLayout, "TILE", 0, ""},
  {"std", "ttnn.std", "reduction", "input_tensor dim keepdim correction", "BFLOAT16 FLOAT32", kAnyLayout, "TILE", 0, ""},
  {"argmax", "ttnn.argmax", "reduction", "input_tensor dim keepdim", "BFLOAT16 FLOAT32 INT32 UINT32 UINT16", kAnyLayout, "ROW_MAJOR", 0, "output UINT32 ROW_MAJOR; first occurrence on ties"},
  {"cumsum", "ttnn.cumsum", "reduction", "input dim dtype", "BFLOAT16 FLOAT32 INT32 UINT32", kAnyLayout, "input", 0, ""},
  {"cumprod", "ttnn.cumprod", "reduction", "input_tensor dim dtype", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, ""},
  // Sorting: values and UINT32 indices along one dim.
  {"topk", "ttnn.topk", "sorting", "input_tensor k dim largest sorted", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, "returns values and indices; ties keep the lower index first"},
  {"sort", "ttnn.sort", "sorting", "input_tensor dim descending stable", "BFLOAT16 FLOAT32 INT32 UINT32 UINT16", kAnyLayout, "input", 0, "returns values and indices"},
  // Data movement and creation.
  {"reshape", "ttnn.reshape", "data_movement", "input_tensor shape", kAll, kAnyLayout, "input", 0, "free when the layout allows it"},
  {"permute", "ttnn.permute", "data_movement", "input_tensor dims", kAll, kAnyLayout, "input", 0, ""},
  {"slice", "ttnn.slice", "data_movement", "input_tensor starts ends steps", kAll, kAnyLayout, "input", 0, "positive steps"},
  {"concat", "ttnn.concat", "data_movement", "tensors dim", kAll, kAnyLayout, "input", 0, "inputs of one dtype and layout"},
  {"typecast", "ttnn.typecast", "data_movement", "input_tensor dtype", kAll, kAnyLayout, "input", 0, "block floats only in TILE"},
  {"to_layout", "ttnn.to_layout", "data_movement", "tensor layout dtype", kAll, kAnyLayout, "input", 0, "value-preserving layout change"},
  {"expand", "ttnn.expand", "data_movement", "input_tensor output_shape", kAll, kAnyLayout, "input", 0, "size-1 dims to any size"},
  {"repeat", "ttnn.repeat", "data_movement", "input_tensor repeat_dims", kAll, kAnyLayout, "input", 0, ""},
  {"pad", "ttnn.pad", "data_movement", "input_tensor padding value", kAll, kAnyLayout, "input", 0, "constant padding, (before, after) per dim"},
  {"clone", "ttnn.clone", "data_movement", "input dtype", kAll, kAnyLayout, "input", 0, ""},
  {"transformer.split_query_key_value_and_split_heads", "ttnn.transformer.split_query_key_value_and_split_heads", "data_movement", "input_tensor kv_input_tensor num_heads num_kv_heads transpose_key", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 3, "input [B, S, (H + 2 Hkv) D], or q [B, S, H D] with kv [B, S, 2 Hkv D]; D a multiple of 32; q, k, v [B, H(kv), S, D] (k [B, Hkv, D, S] with transpose_key)"},
  {"transformer.concatenate_heads", "ttnn.transformer.concatenate_heads", "data_movement", "input_tensor", "BFLOAT16 FLOAT32 BFLOAT8_B", "TILE", "TILE", 4, "[B, H, S, D] -> [B, S, H * D]; rank 4, D a multiple of 32 (no tile padding)"},
  {"tril", "ttnn.tril", "data_movement", "input_tensor diagonal", kAll, kAnyLayout, "input", 0, ""},
  {"triu", "ttnn.triu", "data_movement", "input_tensor diagonal", kAll, kAnyLayout, "input", 0, ""},
  {"embedding", "ttnn.embedding", "data_movement", "input_tensor weight dtype", "UINT32 BFLOAT16 INT32", kAnyLayout, "ROW_MAJOR", 0, "weight [V, H]; output [..., H]"},
  {"gather", "ttnn.gather", "data_movement", "input dim index", kAll, kAnyLayout, "input", 0, "index UINT32/INT32"},
  {"scatter", "ttnn.scatter", "data_movement", "input dim index src", kPlain, kAnyLayout, "input", 0, "index UINT32/INT32 of src's shape; src's values written into a copy of input"},
  {"scatter_add", "ttnn.scatter_add", "data_movement", "input dim index src", kPlain, kAnyLayout, "input", 0, "index UINT32/INT32 of src's shape; src's values added into a copy of input, repeated indices summed"},
  {"full", "ttnn.full", "creation", "shape fill_value dtype layout device", kAll, kAnyLayout, "input", 0, ""},
  {"arange", "ttnn.arange", "creation", "start end step dtype device", "BFLOAT16 FLOAT32 INT32 UINT32", kAnyLayout, "ROW_MAJOR", 0, ""},
  {"rand", "ttnn.rand", "creation", "shape dtype layout device low high seed", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, "uniform in [low, high); the same seed gives the same values"},
  {"randn", "ttnn.randn", "creation", "shape dtype layout device seed", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, "standard normal; the same seed gives the same values"},
  {"experimental.slice_write", "ttnn.experimental.slice_write", "data_movement", "input_tensor output_tensor start end step", kAll, kAnyLayout, "input", 0, "writes input into a strided region of output, in place"},
  // Vision (channels-last, flattened [1, 1, N*H*W, C] outputs).
  {"conv2d", "ttnn.conv2d", "vision", "input_tensor weight_tensor bias_tensor in_channels out_channels batch_size input_height input_width kernel_size stride padding dilation groups dtype", kFloat, kAnyLayout, "TILE", 0, "input NHWC; weights OIHW; output [1, 1, N*OH*OW, Cout]"},
  {"conv_transpose2d", "ttnn.conv_transpose2d", "vision", "input_tensor weight_tensor bias_tensor in_channels out_channels batch_size input_height input_width kernel_size stride padding output_padding dilation groups dtype", kFloat, kAnyLayout, "TILE", 0, "input NHWC; weights IOHW"},
  {"max_pool2d", "ttnn.max_pool2d", "vision", "input_tensor batch_size input_h input_w channels kernel_size stride padding dilation ceil_mode return_indices", "BFLOAT16 FLOAT32", kAnyLayout, "ROW_MAJOR", 0, "input NHWC; output [1, 1, N*OH*OW, C] (and UINT32 indices into each H*W plane with return_indices)"},
  {"avg_pool2d", "ttnn.avg_pool2d", "vision", "input_tensor batch_size input_h input_w channels kernel_size stride padding ceil_mode count_include_pad divisor_override", "BFLOAT16 FLOAT32", kAnyLayout, "ROW_MAJOR", 0, "input NHWC"},
  {"adaptive_avg_pool2d", "ttnn.adaptive_avg_pool2d", "vision", "input_tensor batch_size input_h input_w channels output_size", "BFLOAT16 FLOAT32", kAnyLayout, "ROW_MAJOR", 0, "input NHWC"},
  {"adaptive_max_pool2d", "ttnn.adaptive_max_pool2d", "vision", "input_tensor batch_size input_h input_w channels output_size", "BFLOAT16 FLOAT32", kAnyLayout, "ROW_MAJOR", 0, "input NHWC"},
  {"upsample", "ttnn.upsample", "vision", "input_tensor scale_factor mode", "BFLOAT16 FLOAT32", kAnyLayout, "input", 0, "input NHWC; nearest or bilinear, integer scales"},
};
// clang-format on

std::vector<std::string> words(const char* text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

OutputLayout parse_output_layout(const std::string& text) {
  if (text == "input") return OutputLayout::kInput;
  if (text == "TILE") return OutputLayout::kTile;
  if (text == "ROW_MAJOR") return OutputLayout::kRowMajor;
  throw std::logic_error("op table: bad output layout " + text);
}

std::vector<OpSpec> build() {
  std::vector<OpSpec> table;
  for (const Row& row : kRows) {
    OpSpec spec;
    spec.op = row.op;
    spec.ttnn = row.ttnn;
    spec.family = row.family;
    spec.params = words(row.params);
    for (const auto& d : words(row.dtypes)) spec.dtypes.push_back(runtime::parse_data_type(d));
    for (const auto& l : words(row.layouts)) spec.layouts.push_back(runtime::parse_layout(l));
    spec.output_layout = parse_output_layout(row.output_layout);
    spec.max_rank = row.max_rank;
    spec.constraints = row.constraints;
    table.push_back(std::move(spec));
  }
  return table;
}

}  // namespace

bool OpSpec::accepts(runtime::DataType dtype) const {
  return std::find(dtypes.begin(), dtypes.end(), dtype) != dtypes.end();
}
bool OpSpec::accepts(runtime::Layout layout) const {
  return std::find(layouts.begin(), layouts.end(), layout) != layouts.end();
}
bool OpSpec::has_param(const char* name) const {
  return std::find(params.begin(), params.end(), name) != params.end();
}

const std::vector<OpSpec>& op_table() {
  static const std::vector<OpSpec> table = build();
  return table;
}

const OpSpec& op_spec(const std::string& op) {
  static const std::map<std::string, const OpSpec*> index = [] {
    std::map<std::string, const OpSpec*> m;
    for (const auto& spec : op_table()) m[spec.op] = &spec;
    return m;
  }();
  auto it = index.find(op);
  if (it == index.end()) throw std::out_of_range("the op vocabulary has no op '" + op + "'");
  return *it->second;
}

const OpSpec& op_spec(const char* op) {
  thread_local std::unordered_map<const char*, const OpSpec*> by_pointer;
  auto it = by_pointer.find(op);
  if (it != by_pointer.end()) return *it->second;
  const OpSpec& spec = op_spec(std::string(op));
  by_pointer.emplace(op, &spec);
  return spec;
}

}  // namespace ttnn_device::ops
