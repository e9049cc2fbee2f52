# rescale_export_only: the one way every shared object we build (the runtime,
# the mlir-opt plugin, the test fixtures) limits what it exports. Included by
# runtime/CMakeLists.txt, which also builds on its own (cmake -S runtime), so
# it does not live in Rescale.cmake with the compiler's helpers.

# rescale_export_only(target MAPFILE): compile `target` with hidden
# visibility and link it with the version script MAPFILE, which lists its
# dynamic symbols (everything else local, libstdc++'s template instantiations
# too); relink when the script changes.
function(rescale_export_only target mapfile)
  target_link_options(${target} PRIVATE "LINKER:--version-script=${mapfile}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${mapfile})
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
