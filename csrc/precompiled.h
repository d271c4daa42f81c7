// The headers nearly every source of the extension includes: ATen and the op registry. setup.py compiles
// this file once into a GCC precompiled header and includes it first in every source, so each source
// stops re-parsing them. Sources still include what they use; this file only makes the build faster.
#include <ATen/ATen.h>
#include <torch/library.h>
