# What `cmake --install` puts in a prefix besides the targets, which install
# themselves where they are defined (docs/install.md has the layout):
#   - the compiler's headers and their TableGen-generated .inc files under
#     include/rescale/ (dialect/, passes/, target/, conversion/, transforms/,
#     pipelines/, compiler/, modelbuilder/, tools/),
#     with the .td sources, for downstream ODS and DRR;
#   - the Rescale package (RescaleConfig.cmake): Rescale::Dialect,
#     Rescale::Passes, Rescale::Conversion, Rescale::InitAll, ...;
#   - the documentation;
# and the Debian package (cpack -G DEB; scripts/package.sh).
include(${CMAKE_CURRENT_LIST_DIR}/RescalePackage.cmake)

if(RESCALE_BUILD_COMPILER)
  set(RESCALE_HEADER_DIR ${CMAKE_INSTALL_INCLUDEDIR}/rescale)
  foreach(dir dialect passes target conversion transforms pipelines compiler
              modelbuilder)
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
      DESTINATION ${RESCALE_HEADER_DIR}
      FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
    install(DIRECTORY ${PROJECT_BINARY_DIR}/${dir}
      DESTINATION ${RESCALE_HEADER_DIR}
      FILES_MATCHING PATTERN "*.inc"
      PATTERN "CMakeFiles" EXCLUDE)
  endforeach()
  install(FILES ${PROJECT_SOURCE_DIR}/tools/InitAll.h
    DESTINATION ${RESCALE_HEADER_DIR}/tools)

  rescale_install_package(Rescale)

  # The generated reference pages (rescale-doc, part of the default build).
  install(DIRECTORY ${PROJECT_BINARY_DIR}/docs/
    DESTINATION ${CMAKE_INSTALL_DOCDIR}/reference
    FILES_MATCHING PATTERN "*.md" PATTERN "CMakeFiles" EXCLUDE)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/
  DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md" PATTERN "*.svg" PATTERN "*.json")

# The Debian package: `cpack -G DEB` in a build directory (scripts/package.sh
# builds one from a clean tree). One package, rescale, with everything above,
# installed under /usr. Its dependencies are written out rather than computed
# by dpkg-shlibdeps, which finds no shlibs entry for LLVM's libraries in
# /usr/lib/llvm-22/lib. What each is for:
#   libmlir-22, libllvm22: the compiler's libMLIR.so and libLLVM.so;
#   libstdc++6, libc6, zlib1g, libzstd1: what our binaries link;
#   gcc | clang: rescale-compile links the modules it emits with the system C
#     compiler driver (ModuleCompiler.cpp), and libc6-dev with it;
#   libopenblas-dev: CPU modules link -lopenblas (ContractionsToBlas.cpp);
#   libomp-22-dev: and -lomp for their threaded row tiles (Pipelines.cpp).
# Building against the installed package (find_package(Rescale)) also needs
# LLVM's and MLIR's headers and CMake files: suggested, not required.
# A runtime-only build (RESCALE_BUILD_COMPILER=OFF) packages the runtime
# tools alone and needs only the C and C++ libraries.
set(CPACK_PACKAGE_NAME rescale)
set(CPACK_PACKAGE_VERSION ${RESCALE_VERSION})
set(CPACK_PACKAGE_VENDOR "Rescale developers")
set(CPACK_PACKAGE_CONTACT "Rescale developers <rescale@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MLIR compiler and runtime for outlier-driven rescaling in transformers")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
if(RESCALE_BUILD_COMPILER)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, zlib1g, libzstd1, libmlir-22, libllvm22, gcc | clang, libc6-dev, libopenblas-dev, libomp-22-dev")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mlir-22-tools")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libmlir-22-dev, llvm-22-dev, cmake")
else()
  set(CPACK_PACKAGE_NAME rescale-runtime)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6")
endif()
include(CPack)
