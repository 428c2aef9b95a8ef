# Tests of the crash-safe recorder (src/store/recorder.c).
hd_add_unit_test(test_recorder
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_recorder.c
  LIBS hd_store
  LABELS unit store recorder
  TIMEOUT 120)

# A child process records in real time and is killed with SIGKILL; the file must play.
hd_add_unit_test(test_recorder_crash
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_recorder_crash.c
  LIBS hd_store
  LABELS unit store recorder
  TIMEOUT 120)

# A real full disk: a 2 MB tmpfs mounted by the test (root only; exits 77 otherwise).
hd_add_unit_test(test_recorder_fullfs
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_recorder_fullfs.c
  LIBS hd_store
  LABELS unit store recorder
  TIMEOUT 120)
