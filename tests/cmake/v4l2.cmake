# V4L2 capture: the camera backend against the emulated camera, in process (ops table) and
# under the real libv4l2 through the LD_PRELOAD shim (libhd_emucam.so in the build folder).

# The emulated camera for in-process tests.
add_library(hd_emucam_fake STATIC ${CMAKE_CURRENT_SOURCE_DIR}/fakes/emucam.c)
target_include_directories(hd_emucam_fake PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
target_link_libraries(hd_emucam_fake PUBLIC hd_capture hd_core PkgConfig::LIBAV Threads::Threads)

# The preloadable camera: its own PIC copy of the few sources it needs (the file source and
# the status messages), so the stage libraries stay as they are. Only syscall, poll and
# __poll_chk are exported; everything inside binds locally.
add_library(hd_emucam SHARED
  ${CMAKE_CURRENT_SOURCE_DIR}/fakes/emucam.c
  ${CMAKE_CURRENT_SOURCE_DIR}/fakes/emucam_shim.c
  ${CMAKE_SOURCE_DIR}/src/capture/source.c
  ${CMAKE_SOURCE_DIR}/src/capture/source_file.c
  ${CMAKE_SOURCE_DIR}/src/core/status.c)
target_include_directories(hd_emucam PRIVATE ${CMAKE_SOURCE_DIR}/include
                           ${CMAKE_CURRENT_SOURCE_DIR}/fakes)
target_link_libraries(hd_emucam PRIVATE PkgConfig::LIBAV Threads::Threads ${CMAKE_DL_LIBS} m)
set_target_properties(hd_emucam PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}
  C_VISIBILITY_PRESET hidden
  LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fakes/emucam_shim.map)
target_link_options(hd_emucam PRIVATE
  -Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/fakes/emucam_shim.map -Wl,-Bsymbolic)

hd_add_unit_test(test_emucam
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_emucam.c
  LIBS hd_emucam_fake hd_capture hd_core
  LABELS capture v4l2 unit
  TIMEOUT 60)

hd_add_unit_test(test_source_v4l2
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_source_v4l2.c
          ${CMAKE_CURRENT_SOURCE_DIR}/fakes/clips.c
  LIBS hd_emucam_fake hd_store hd_capture hd_core
  LABELS capture v4l2 unit
  TIMEOUT 120)

# A capture program run under the preloaded camera by tests/integration/v4l2_preload.sh.
add_executable(test_v4l2_preload_capture ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_source_v4l2_preload.c)
target_include_directories(test_v4l2_preload_capture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_CURRENT_SOURCE_DIR}/fakes ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(test_v4l2_preload_capture PRIVATE hd_emucam_fake hd_capture hd_core)

hd_add_script_test(v4l2_preload
  SCRIPT integration/v4l2_preload.sh
  ARGS $<TARGET_FILE:test_v4l2_preload_capture> $<TARGET_FILE:hd_emucam>
  LABELS capture v4l2 integration
  TIMEOUT 180)
set_tests_properties(v4l2_preload PROPERTIES
  ENVIRONMENT "${HD_TEST_ENV};HEELDROP=$<TARGET_FILE:heeldrop>;HD_SRC=${CMAKE_SOURCE_DIR};HD_BUILD=${CMAKE_BINARY_DIR};HD_SANITIZE=$<BOOL:${HD_SANITIZE}>;HD_CC=${CMAKE_C_COMPILER}")
# The backend tests check real-time behaviour (frame ages, skips, stalls): alone, so that a
# busy parallel test does not make them miss frames.
set_tests_properties(test_source_v4l2 v4l2_preload PROPERTIES RUN_SERIAL TRUE)
