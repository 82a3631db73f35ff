# blindspot_add_plugin() and blindspot_use_pch(). The same file serves plugins in the tree
# (included by the top-level CMakeLists.txt) and plugins outside it (included by the
# BlindspotConfig.cmake of a blindspot build, after it defined the imported blindspot:: targets).
# In the tree blindspot::sdk and blindspot::testing are aliases of the real targets.

# blindspot_use_pch(TARGET): reuse the one precompiled LibTorch header. Executables are compiled
# with -fPIC like the libraries (GCC refuses a header precompiled with other PIC settings).
function(blindspot_use_pch target)
  if(NOT TARGET blindspot_pch)
    # Outside the tree: a header can't be shared across projects, so this project compiles its
    # own once, on the first target that asks, with the flags every plugin target gets below.
    set(source ${CMAKE_BINARY_DIR}/blindspot_pch.cpp)
    file(CONFIGURE OUTPUT ${source}
         CONTENT "// Compiles the precompiled LibTorch header this project's plugins reuse.\n")
    add_library(blindspot_pch OBJECT ${source})
    target_link_libraries(blindspot_pch PRIVATE blindspot::sdk)
    target_precompile_headers(blindspot_pch PRIVATE <torch/torch.h>)
    set_target_properties(blindspot_pch PROPERTIES POSITION_INDEPENDENT_CODE ON
                                                   CXX_VISIBILITY_PRESET hidden
                                                   VISIBILITY_INLINES_HIDDEN ON)
  endif()
  target_precompile_headers(${target} REUSE_FROM blindspot_pch)
  # The tree sets these for every target; a project outside it may not, and the header and its
  # users must agree. Setting them again in the tree changes no flag.
  set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden
                                             VISIBILITY_INLINES_HIDDEN ON)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()

# blindspot_add_plugin(NAME SOURCES ... [TESTS ...] [LIBRARIES ...])
# Builds one plugin library into BLINDSPOT_PLUGIN_DIR (in the tree: the build's plugin folder,
# where the host looks by default; outside it: ${CMAKE_BINARY_DIR}/plugins unless the project
# sets it) and registers its doctest cases with ctest. The tests load the plugin from that
# folder (blindspot/testing.hpp), before the plugins of the blindspot build.
function(blindspot_add_plugin name)
  cmake_parse_arguments(arg "" "" "SOURCES;TESTS;LIBRARIES" ${ARGN})
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "blindspot_add_plugin(${name}): unknown arguments "
                        "'${arg_UNPARSED_ARGUMENTS}'; it takes SOURCES, TESTS and LIBRARIES (a "
                        "plugin's kind is the one its BLINDSPOT_PLUGIN line declares)")
  endif()
  set(plugin_dir ${BLINDSPOT_PLUGIN_DIR})
  if(NOT plugin_dir)
    set(plugin_dir ${CMAKE_BINARY_DIR}/plugins)
  endif()
  set(target plugin_${name})
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE blindspot::sdk ${arg_LIBRARIES})
  blindspot_use_pch(${target})
  set_property(GLOBAL APPEND PROPERTY BLINDSPOT_PLUGIN_TARGETS ${target})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
                                             LIBRARY_OUTPUT_DIRECTORY ${plugin_dir})
  # A project that never included CTest has no BUILD_TESTING: tests are wanted there too.
  if(NOT arg_TESTS OR (DEFINED BUILD_TESTING AND NOT BUILD_TESTING))
    return()
  endif()
  if(NOT TARGET blindspot::testing)
    message(WARNING "blindspot_add_plugin(${name}): this blindspot build has no test library "
                    "(it was configured with BUILD_TESTING=OFF); the plugin's tests are skipped")
    return()
  endif()
  add_executable(${target}_test ${arg_TESTS})
  target_link_libraries(${target}_test PRIVATE blindspot::testing ${arg_LIBRARIES})
  # blindspot/testing.hpp loads this folder first, so the plugin under test wins over any
  # same-named plugin of the blindspot build (in the tree it is that build's folder).
  target_compile_definitions(${target}_test PRIVATE BLINDSPOT_TESTED_PLUGIN_DIR="${plugin_dir}")
  blindspot_use_pch(${target}_test)
  add_dependencies(${target}_test ${target})
  doctest_discover_tests(${target}_test TEST_PREFIX "${name}: "
                         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endfunction()
