# Reps: the rep engine on synthetic heel traces with known timing (pure C, no camera).
hd_add_unit_test(test_reps
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_reps.c
  LIBS hd_reps
  LABELS unit reps
  TIMEOUT 30)
