# rescale_install_package(NAME): installs the CMake package NAME
# (docs/install.md) into <libdir>/cmake/NAME: the targets of the export set
# NAMETargets under the Rescale:: namespace, NAMEConfig.cmake configured from
# cmake/NAMEConfig.cmake.in, and a version file that accepts the same major
# and minor version. Included by runtime/CMakeLists.txt, which also builds on
# its own (cmake -S runtime), and by cmake/RescaleInstall.cmake.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

function(rescale_install_package name)
  set(destination ${CMAKE_INSTALL_LIBDIR}/cmake/${name})
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/package/${name})
  install(EXPORT ${name}Targets NAMESPACE Rescale::
    DESTINATION ${destination})
  configure_package_config_file(
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/${name}Config.cmake.in
    ${generated}/${name}Config.cmake
    INSTALL_DESTINATION ${destination})
  write_basic_package_version_file(${generated}/${name}ConfigVersion.cmake
    VERSION ${RESCALE_VERSION} COMPATIBILITY SameMinorVersion)
  install(FILES ${generated}/${name}Config.cmake
                ${generated}/${name}ConfigVersion.cmake
    DESTINATION ${destination})
endfunction()
