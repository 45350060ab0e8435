"""Build the C extension ``multipolar._core``; all other metadata is in pyproject.toml.

The NumPy API macros below pin the C API to the runtime floor declared in
pyproject.toml's ``dependencies`` (numpy>=2.0): change both together.

Environment switches:
  MULTIPOLAR_DEBUG=1     no optimisation, debug info, asserts on
  MULTIPOLAR_SANITIZE=1  AddressSanitizer + UndefinedBehaviorSanitizer (implies debug)
  MULTIPOLAR_COVERAGE=1  gcov instrumentation
  MULTIPOLAR_WERROR=1    warnings are errors (CI)
"""

import os
import sys
from glob import glob

import numpy
from setuptools import Extension, setup


def _on(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


sanitize = _on("MULTIPOLAR_SANITIZE")
debug = _on("MULTIPOLAR_DEBUG") or sanitize
compile_args: list[str] = []
link_args: list[str] = []
macros = [
    ("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION"),
    ("NPY_TARGET_VERSION", "NPY_2_0_API_VERSION"),
]
if sys.platform == "win32":
    compile_args += ["/W4"] + (["/WX"] if _on("MULTIPOLAR_WERROR") else [])
else:
    compile_args += ["-std=c11", "-pthread", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    link_args.append("-pthread")
    compile_args += ["-O0", "-g3", "-UNDEBUG"] if debug else ["-O2", "-DNDEBUG"]
    if _on("MULTIPOLAR_WERROR"):
        compile_args.append("-Werror")
    if sanitize:
        flags = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer",
                 "-fno-sanitize-recover=undefined"]
        compile_args += flags
        link_args += flags
    if _on("MULTIPOLAR_COVERAGE"):
        compile_args.append("--coverage")
        link_args.append("--coverage")

setup(
    ext_modules=[
        Extension(
            "multipolar._core",
            sources=sorted(glob("csrc/*.c")),
            depends=sorted(glob("csrc/*.h")),
            include_dirs=[numpy.get_include(), "csrc"],
            define_macros=macros,
            extra_compile_args=compile_args,
            extra_link_args=link_args,
        )
    ]
)
