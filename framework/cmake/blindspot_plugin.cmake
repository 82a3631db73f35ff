# blindspot_use_pch(TARGET): reuse the one precompiled LibTorch header. Executables are compiled
# with -fPIC like the libraries (GCC refuses a header precompiled with other PIC settings).
function(blindspot_use_pch target)
  target_precompile_headers(${target} REUSE_FROM blindspot_pch)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()

# blindspot_add_plugin(NAME KIND kind SOURCES ... [TESTS ...] [LIBRARIES ...])
# Builds one plugin library into the build's plugin folder and registers its tests with ctest.
function(blindspot_add_plugin name)
  cmake_parse_arguments(arg "" "KIND" "SOURCES;TESTS;LIBRARIES" ${ARGN})
  set(target plugin_${name})
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE blindspot_sdk ${arg_LIBRARIES})
  blindspot_use_pch(${target})
  set_property(GLOBAL APPEND PROPERTY BLINDSPOT_PLUGIN_TARGETS ${target})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
                                             LIBRARY_OUTPUT_DIRECTORY ${BLINDSPOT_PLUGIN_DIR})
  if(arg_TESTS AND BUILD_TESTING)
    add_executable(${target}_test ${arg_TESTS})
    target_link_libraries(${target}_test PRIVATE blindspot_testing ${arg_LIBRARIES})
    blindspot_use_pch(${target}_test)
    add_dependencies(${target}_test ${target})
    doctest_discover_tests(${target}_test TEST_PREFIX "${name}: "
                           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  endif()
endfunction()
