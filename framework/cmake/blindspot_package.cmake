# Makes this build folder a CMake package, so a plugin outside the tree needs only
#   find_package(Blindspot REQUIRED)   # with -DBlindspot_DIR=<this build> or CMAKE_PREFIX_PATH
#   blindspot_add_plugin(name SOURCES name.cpp TESTS name_test.cpp)
# Nothing is installed: the package points at this build and at the source tree's headers, so it
# is written at configure time and costs the build nothing.
include(CMakePackageConfigHelpers)

# The targets a plugin project links: blindspot::sdk (plugins, with the sanitizer flags of
# blindspot::sanitizers), blindspot::host and blindspot::testing (plugin tests, through
# blindspot/testing.hpp), and the blindspot program.
set(blindspot_exported blindspot_sanitizers blindspot_sdk blindspot_host blindspot)
if(TARGET blindspot_testing)
  list(APPEND blindspot_exported blindspot_testing)
endif()
export(TARGETS ${blindspot_exported} NAMESPACE blindspot::
       FILE ${CMAKE_BINARY_DIR}/BlindspotTargets.cmake)

# The config finds the dependencies where this build found them, so a plugin is compiled against
# the same LibTorch as the host that loads it.
set(BLINDSPOT_FUNCTIONS_FILE ${CMAKE_CURRENT_LIST_DIR}/blindspot_plugin.cmake)
configure_file(${CMAKE_CURRENT_LIST_DIR}/BlindspotConfig.cmake.in
               ${CMAKE_BINARY_DIR}/BlindspotConfig.cmake @ONLY)
# The plugin ABI, not this number, decides whether the host loads a plugin; a different minor
# version is still refused here because the ABI may have changed with it.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/BlindspotConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
