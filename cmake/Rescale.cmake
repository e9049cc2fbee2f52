# Helpers shared by the compiler's CMake files.

# rescale_add_library(name SOURCES... [DEPENDS tgtargets...] [LINK libs...])
# Every compiler library links the shared MLIR and LLVM libraries: Debian's
# mlir-opt-22 links libMLIR.so, and a plugin that carried its own static copy of
# MLIR would have a second set of registries.
function(rescale_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} SHARED ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  set_target_properties(${name} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib
    BUILD_RPATH "${PROJECT_BINARY_DIR}/lib")
endfunction()
