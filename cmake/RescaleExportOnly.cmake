# rescale_export_only: the one way every shared object we build (the runtime,
# the mlir-opt plugin, the test fixtures) limits what it exports. Included by
# runtime/CMakeLists.txt, which also builds on its own (cmake -S runtime), so
# it does not live in Rescale.cmake with the compiler's helpers.

# rescale_export_only(target MAPFILE [DEFAULT_VISIBILITY]): link `target`
# with the version script MAPFILE, which lists its dynamic symbols
# (everything else local, libstdc++'s template instantiations too), relink
# when the script changes, and compile it with hidden visibility unless
# DEFAULT_VISIBILITY: code that uses MLIR must keep default visibility, so
# that MLIR's TypeID statics can be unified with libMLIR.so's (see
# cmake/Rescale.cmake).
function(rescale_export_only target mapfile)
  cmake_parse_arguments(ARG "DEFAULT_VISIBILITY" "" "" ${ARGN})
  target_link_options(${target} PRIVATE "LINKER:--version-script=${mapfile}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${mapfile})
  if(NOT ARG_DEFAULT_VISIBILITY)
    set_target_properties(${target} PROPERTIES
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
  endif()
endfunction()
