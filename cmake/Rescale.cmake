# Helpers shared by the compiler's CMake files.

# rescale_add_library(name SOURCES... [DEPENDS tgtargets...] [LINK libs...])
# Every compiler library links the shared MLIR and LLVM libraries: Debian's
# mlir-opt-22 links libMLIR.so, and a plugin that carried its own static copy of
# MLIR would have a second set of registries.
#
# Our own libraries are static archives (position-independent, for the
# plugin): what links them (the tools, the plugin) carries one copy of our
# code, and the plugin's version script exports none of it. Shared compiler
# libraries would each have to export their whole C++ API, including the
# TableGen-generated op classes, which no export macro reaches
# (runtime/include/rescale/runtime/Export.h says why exports matter).
#
# Not hidden visibility: MLIR gives a trait or interface its TypeID in a
# static local of an inline template (TypeIDResolver<T>::resolveTypeID()::id),
# one per process only because the dynamic linker unifies the copies with
# libMLIR.so's. A hidden copy resolves by the type's printed name instead,
# and GCC prints the local `Empty` of TypeID::get<Trait>() differently from
# the Clang that built libMLIR: a GCC build then saw no ConstantLike trait
# and no GPU kernel pattern matched (2026-12-05).
function(rescale_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  set_target_properties(${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
  # Installed as Rescale::<name without "Rescale"> (cmake/RescaleInstall.cmake,
  # docs/install.md). Headers include each other as "dialect/RescaleOps.h",
  # so an installed library puts <prefix>/include/rescale on the path, and
  # <prefix>/include for the runtime's "rescale/runtime/...".
  string(REGEX REPLACE "^Rescale" "" export_name ${name})
  set_target_properties(${name} PROPERTIES EXPORT_NAME ${export_name})
  target_include_directories(${name} INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/rescale>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${name} EXPORT RescaleTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  list(LENGTH ARG_UNPARSED_ARGUMENTS source_count)
  if(RESCALE_PRECOMPILED_HEADERS AND source_count GREATER_EQUAL 8)
    # One precompiled header per library rather than REUSE_FROM: Clang
    # refuses a PCH built with other definitions, and the libraries differ.
    # Building one costs about three sources' time (GCC: 28 s of CPU, and a
    # 600 MB .gch), so small libraries go without.
    target_precompile_headers(${name} PRIVATE
      "$<$<COMPILE_LANGUAGE:CXX>:${PROJECT_SOURCE_DIR}/cmake/CompilerPch.h>")
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # Without it ccache cannot reuse a Clang PCH (its timestamp is checked);
      # ccache also needs CCACHE_SLOPPINESS=pch_defines,time_macros.
      target_compile_options(${name} PRIVATE "SHELL:-Xclang -fno-pch-timestamp")
    endif()
  endif()
endfunction()
