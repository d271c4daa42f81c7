"""Builds the native extension ttnn_device._C (torch.utils.cpp_extension + ninja).

The package's metadata, dependencies, extras and entry points are in pyproject.toml; only the extension,
which needs torch to be described, is here.
"""

import glob
import os
import subprocess

from setuptools import setup

# Building must not load an installed ttnn_device through torch's backend autoload: after a pull, an
# editable install's old extension may no longer load against the new sources.
os.environ.setdefault("TORCH_DEVICE_BACKEND_AUTOLOAD", "0")
from torch.utils.cpp_extension import BuildExtension, CppExtension  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PRECOMPILED_SOURCE = os.path.join(HERE, "csrc", "precompiled.h")


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
    common = ["-fvisibility=hidden", "-ffp-contract=off", "-std=c++20"]
    if not sanitize:
        # -g0 undoes the -g of Python's own CFLAGS: debug info for ATen's templates took about 40% of the
        # compile time and made the objects 17 times larger, and a release build never reads it.
        return ["-O3", "-g0"] + common, []
    instrument = [f"-fsanitize={sanitize}", "-fno-omit-frame-pointer"]
    # -g1: line tables, all a sanitizer's stack trace reads; full -g made the instrumented build 40% slower.
    return ["-O1", "-g1"] + common + instrument, instrument


def parallel_args():
    """-fopenmp (compile only) when torch's intra-op pool is OpenMP: at::parallel_for is then a header-inlined
    `#pragma omp parallel`, and compiled without -fopenmp it silently runs every range on one thread. Not
    linked: the GOMP calls bind to the OpenMP runtime torch itself loads, so torch.set_num_threads governs
    them; linking -fopenmp would load a second runtime with its own pool."""
    import torch

    return ["-fopenmp"] if torch.backends.openmp.is_available() else []


class BuildWithPrecompiledTorch(BuildExtension):
    """torch's ninja build, with csrc/precompiled.h (ATen and the op registry) compiled once into a GCC
    precompiled header that every source then includes first: parsing those headers was half of each
    source's compile time. The header is built with the sources' own flags, and again only when those flags,
    torch's version or the header's text change. If it cannot be used, GCC says so (-Winvalid-pch) and reads the header as
    text: slower, same objects."""

    def build_extension(self, ext):
        # Once per extension object: a second call must not precompile with the first call's -include.
        if "-Winvalid-pch" not in ext.extra_compile_args:
            header = self.precompile(ext)
            if header:
                ext.extra_compile_args = ext.extra_compile_args + ["-include", header, "-Winvalid-pch"]
        super().build_extension(ext)

    def precompile(self, ext):
        import torch
        from torch.utils.cpp_extension import get_cxx_compiler

        # The compiler torch's ninja file runs. GCC only: clang would find the .gch and refuse it.
        cxx = get_cxx_compiler()
        version = subprocess.run([cxx, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if version.returncode != 0 or "clang" in version.stdout.lower():
            return None
        out_dir = os.path.abspath(os.path.join(self.build_temp, "precompiled"))
        header = os.path.join(out_dir, "precompiled.h")
        includes = [f"-I{d}" for d in list(ext.include_dirs) + list(self.compiler.include_dirs)]
        command = ([cxx] + self.compiler.compiler_so[1:] + includes + list(ext.extra_compile_args) +
                   ["-x", "c++-header", PRECOMPILED_SOURCE, "-o", header + ".gch"])
        stamp = os.path.join(out_dir, "stamp")
        # GCC does not check a .gch against the header's text, so the text is part of what must match.
        with open(PRECOMPILED_SOURCE) as f:
            recipe = " ".join(command) + "\ntorch " + torch.__version__ + "\n" + f.read()
        if os.path.exists(header + ".gch") and os.path.exists(stamp):
            with open(stamp) as f:
                if f.read() == recipe:
                    return header
        os.makedirs(out_dir, exist_ok=True)
        print("precompiling csrc/precompiled.h", flush=True)
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            print(done.stdout + "\nprecompiled header failed; building without it", flush=True)
            return None
        # The sources include this path; GCC takes the .gch beside it, and the text if the .gch is refused.
        with open(header, "w") as text:
            text.write(f'#include "{PRECOMPILED_SOURCE}"\n')
        with open(stamp, "w") as f:
            f.write(recipe)
        return header


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
    cmdclass={"build_ext": BuildWithPrecompiledTorch.with_options(use_ninja=True)},
)
