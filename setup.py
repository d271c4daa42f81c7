"""Builds the native extension ttnn_device._C (torch.utils.cpp_extension + ninja).

The package's metadata, dependencies, extras and entry points are in pyproject.toml; only the extension,
which needs torch to be described, is here.
"""

import glob
import os

from setuptools import setup

# Building must not load an installed ttnn_device through torch's backend autoload: after a pull, an
# editable install's old extension may no longer load against the new sources.
os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")
from torch.utils.cpp_extension import BuildExtension, CppExtension  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def sources():
    patterns = ["csrc/runtime/*.cpp", "csrc/runtime/*/*.cpp", "csrc/core/*.cpp", "csrc/ops/*.cpp",
                "csrc/ops/*/*.cpp", "csrc/aten/*.cpp"]
    return sorted(path for pattern in patterns for path in glob.glob(pattern, root_dir=HERE))


def compile_and_link_args():
    """-O3 normally; with TTNN_DEVICE_SANITIZE (e.g. "address,undefined", scripts/sanitize.sh) an
    instrumented build: -O1 and frame pointers keep the sanitizers' stack traces readable. No fused
    multiply-add contraction: the reference device's a * b + c rounds twice, as TT-NN's golden functions do,
    whichever vector width the CPU picks."""
    sanitize = os.environ.get("TTNN_DEVICE_SANITIZE", "")
    if not sanitize:
        return ["-O3", "-fvisibility=hidden", "-ffp-contract=off"], []
    instrument = [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer"]
    return ["-O1", "-g", "-fvisibility=hidden", "-ffp-contract=off"] + instrument, instrument


def parallel_args():
    """-fopenmp (compile only) when torch's intra-op pool is OpenMP: at::parallel_for is then a header-inlined
    `#pragma omp parallel`, and compiled without -fopenmp it silently runs every range on one thread. Not
    linked: the GOMP calls bind to the OpenMP runtime torch itself loads, so torch.set_num_threads governs
    them; linking -fopenmp would load a second runtime with its own pool."""
    import torch

    return ["-fopenmp"] if torch.backends.openmp.is_available() else []


COMPILE_ARGS, LINK_ARGS = compile_and_link_args()
COMPILE_ARGS += parallel_args()

setup(
    ext_modules=[
        CppExtension(
            name="ttnn_device._C",
            sources=sources(),
            include_dirs=[os.path.join(HERE, "csrc")],
            extra_compile_args=COMPILE_ARGS,
            extra_link_args=LINK_ARGS,
        )
    ],
    cmdclass={"build_ext": BuildExtension.with_options(use_ninja=True)},
)
