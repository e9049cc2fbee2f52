# Helpers shared by the compiler's CMake files.

# rescale_add_library(name SOURCES... [DEPENDS tgtargets...] [LINK libs...])
# Every compiler library links the shared MLIR and LLVM libraries: Debian's
# mlir-opt-22 links libMLIR.so, and a plugin that carried its own static copy of
# MLIR would have a second set of registries.
#
# Our own libraries are static archives (position-independent, for the
# plugin), compiled with hidden visibility: what links them (the tools, the
# plugin) then carries one copy of our code and exports none of it. Shared
# compiler libraries would each have to export their whole C++ API, including
# the TableGen-generated op classes, which no export macro reaches
# (runtime/include/rescale/runtime/Export.h says why exports matter).
function(rescale_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  set_target_properties(${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
endfunction()
