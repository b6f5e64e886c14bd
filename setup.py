"""Builds the _hotspot extension with the project's own CMake build (see pyproject.toml)."""

import os
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        package = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))
        build = os.path.abspath(self.build_temp)
        subprocess.check_call(["cmake", "-S", HERE, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                               "-DHOTSPOT_BUILD_TESTS=OFF", "-DHOTSPOT_BUILD_BENCHMARKS=OFF",
                               "-DPython_EXECUTABLE=" + sys.executable,
                               "-DHOTSPOT_PYTHON_PACKAGE_DIR=" + package])
        subprocess.check_call(["cmake", "--build", build, "--target", "_hotspot", "-j",
                               str(os.cpu_count() or 1)])


setup(packages=["hotspot"], package_dir={"": "python"},
      ext_modules=[CMakeExtension("hotspot._hotspot")], cmdclass={"build_ext": CMakeBuild})
