"""Builds ttnn_device and its native extension ttnn_device._C (torch.utils.cpp_extension + ninja)."""

import glob
import os

from setuptools import find_packages, setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

HERE = os.path.dirname(os.path.abspath(__file__))


def sources():
    patterns = ["csrc/runtime/*.cpp", "csrc/runtime/*/*.cpp", "csrc/core/*.cpp", "csrc/ops/*.cpp",
                "csrc/ops/*/*.cpp", "csrc/aten/*.cpp"]
    return sorted(path for pattern in patterns for path in glob.glob(pattern, root_dir=HERE))


setup(
    name="ttnn_device",
    version="0.1.0",
    description="A PyTorch device for Tenstorrent accelerators, dispatching into TT-NN",
    packages=find_packages(include=["ttnn_device", "ttnn_device.*", "benchmarks", "benchmarks.*"]),
    package_data={"ttnn_device.testing": ["mock_clusters/*.yaml"]},
    python_requires=">=3.10",
    ext_modules=[
        CppExtension(
            name="ttnn_device._C",
            sources=sources(),
            include_dirs=[os.path.join(HERE, "csrc")],
            extra_compile_args=["-O3", "-fvisibility=hidden"],
        )
    ],
    cmdclass={"build_ext": BuildExtension.with_options(use_ninja=True)},
    entry_points={
        "torch.backends": ["ttnn_device = ttnn_device:_autoload"],
        "torch_dynamo_backends": ["ttnn = ttnn_device.compile:ttnn_backend"],
        "console_scripts": [
            "ttnn-conformance = ttnn_device.conformance.__main__:main",
            "ttnn-zoo = benchmarks.run_zoo:main",
        ],
    },
)
