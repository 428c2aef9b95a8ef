# Tests of the session database, data/session folders, programmes, plan/pain/history.
# test_db_fill is a helper (fills a database through the API for the script tests).
add_executable(test_db_fill ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_db_fill.c)
target_include_directories(test_db_fill PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(test_db_fill PRIVATE hd_store)

hd_add_unit_test(test_db
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_db.c
  LIBS hd_store
  LABELS unit db
  ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/db
  TIMEOUT 120)

hd_add_unit_test(test_programme
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_programme.c
  LIBS hd_store
  LABELS unit db
  TIMEOUT 60)

hd_add_script_test(history_golden
  SCRIPT integration/history.sh
  ARGS check $<TARGET_FILE:test_db_fill>
  LABELS integration db
  TIMEOUT 120)

hd_add_script_test(history_bad_input
  SCRIPT integration/history_bad_input.sh
  ARGS $<TARGET_FILE:test_db_fill>
  LABELS integration db
  TIMEOUT 120)

# The database on a full disk (a small tmpfs the test mounts; skipped where it cannot).
hd_add_unit_test(test_db_fullfs
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_db_fullfs.c
  LIBS hd_store
  LABELS unit db
  TIMEOUT 60)
