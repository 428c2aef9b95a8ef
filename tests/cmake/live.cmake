# Live mode end to end (`heeldrop live`), under SDL's dummy drivers: a saved video played
# through the live loop, the emulated camera through the real libv4l2, a run killed with
# SIGKILL. Each takes about a minute (they run at real-time pace).
hd_add_script_test(live_source SCRIPT integration/live_source.sh LABELS integration live TIMEOUT 400)
hd_add_script_test(live_camera SCRIPT integration/live_camera.sh LABELS integration live TIMEOUT 300)
hd_add_script_test(live_kill SCRIPT integration/live_kill.sh LABELS integration live TIMEOUT 300)
hd_add_script_test(live_diskfull SCRIPT integration/live_diskfull.sh LABELS integration live TIMEOUT 200)
hd_add_script_test(live_keys SCRIPT integration/live_keys.sh LABELS integration live ui TIMEOUT 200)
# They run at real-time pace: alone, so that other tests do not make them drop frames.
set_tests_properties(live_source live_camera live_kill live_diskfull live_keys PROPERTIES RUN_SERIAL TRUE)
set_property(TEST live_camera APPEND PROPERTY ENVIRONMENT "HD_EMUCAM_LIB=$<TARGET_FILE:hd_emucam>")
if(HD_SANITIZE)
  # Under the sanitizers the loop is several times slower and drops frames, so live and
  # offline results are compared for information only; libasan must come first in
  # LD_PRELOAD for the emulated camera's shim.
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE HD_ASAN_LIB OUTPUT_STRIP_TRAILING_WHITESPACE)
  set_property(TEST live_camera APPEND PROPERTY ENVIRONMENT "HD_ASAN_LIB=${HD_ASAN_LIB};HD_SANITIZE=1")
  set_property(TEST live_source live_kill APPEND PROPERTY ENVIRONMENT "HD_SANITIZE=1")
endif()
