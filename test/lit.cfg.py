# -*- Python -*-
import os
import shutil
import subprocess

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "RESCALE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "fixtures"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.rescale_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%rescale_lib", config.rescale_lib_dir))
config.substitutions.append(("%rescale_src", config.rescale_src_root))
config.substitutions.append(("%rescale_obj", config.rescale_obj_root))
config.substitutions.append(
    ("%rescale_plugin", os.path.join(config.rescale_lib_dir, "RescalePlugin.so")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The system mlir-opt (Debian's mlir-opt-22), for the plugin tests.
system_mlir_opt = shutil.which("mlir-opt-22") or os.path.join(
    config.llvm_tools_dir, "mlir-opt")
# In a sanitized build the plugin needs the sanitizer runtime, which the
# uninstrumented mlir-opt-22 lacks: preload the shared one (ASan's includes
# UBSan's handlers).
if str(config.rescale_sanitize).upper() in ("ON", "1", "TRUE", "YES"):
    asan_rt = subprocess.run(
        ["clang-22", "-print-file-name=libclang_rt.asan-x86_64.so"],
        capture_output=True, text=True).stdout.strip()
    system_mlir_opt = ("env LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0:"
                       "detect_container_overflow=0:allow_user_poisoning=0 %s"
                       % (asan_rt, system_mlir_opt))
config.substitutions.append(("%system_mlir_opt", system_mlir_opt))

tool_dirs = [config.rescale_tools_dir, config.llvm_tools_dir]
tools = ["rescale-opt", "rescale-run", "rescale-compile", "rescale-train",
         "rescale-unit-tests",
         "FileCheck", "not", "count", "llc"]
llvm_config.add_tool_substitutions(
    [ToolSubst(t, unresolved="ignore") for t in tools], tool_dirs)
llvm_config.with_environment("PATH", config.rescale_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# A sanitized build (scripts/test.sh --sanitize, docs/fuzzing.md): every
# report is fatal; `UNSUPPORTED: asan` marks the tests that load our
# instrumented libraries into an uninstrumented host (the system mlir-opt,
# Python), which the ASan runtime refuses.
def _on(value):
    return str(value).upper() in ("ON", "1", "TRUE", "YES")

if _on(config.rescale_sanitize):
    config.available_features.add("asan")
    llvm_config.with_system_environment(["ASAN_OPTIONS", "UBSAN_OPTIONS"])
if _on(config.rescale_build_fuzzers):
    config.available_features.add("fuzzers")
config.substitutions.append(("%rescale_obj", config.rescale_obj_root))
config.substitutions.append(
    ("%fuzz_dir", os.path.join(config.rescale_obj_root, "fuzz")))

# test/install: `cmake --install` of this build, then projects built against
# the prefix with the same CMake, generator and compilers as this build.
config.substitutions.append(("%cmake_configure",
    '"%s" -G "%s" -DCMAKE_CXX_COMPILER="%s" -DCMAKE_C_COMPILER="%s" '
    '-DCMAKE_BUILD_TYPE=Release' % (config.cmake_command, config.cmake_generator,
                                    config.cxx_compiler, config.c_compiler)))
config.substitutions.append(("%cmake", '"%s"' % config.cmake_command))
if shutil.which("clang-format-22"):
    config.available_features.add("clang-format")
if shutil.which("dpkg-deb") and shutil.which("cpack"):
    config.available_features.add("dpkg")

# The GoogleTest binary exists when GoogleTest was found at configure time.
if os.path.exists(os.path.join(config.rescale_tools_dir, "rescale-unit-tests")):
    config.available_features.add("gtest")

# ptxas, for the NVPTX tests that assemble kernels (no GPU needed).
ptxas = shutil.which("ptxas") or os.path.join(config.cuda_root, "bin", "ptxas")
config.substitutions.append(("%cuda_root", config.cuda_root))
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# `REQUIRES: cuda` tests run only where a CUDA device answers.
def _has_cuda_device():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    try:
        out = subprocess.run([smi, "-L"], capture_output=True, timeout=20)
        return out.returncode == 0 and b"GPU" in out.stdout
    except Exception:
        return False

if os.environ.get("RESCALE_TEST_CUDA", "") == "1" or _has_cuda_device():
    config.available_features.add("cuda")
