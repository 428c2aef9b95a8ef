# Tests of src/store: summaries (JSON, CSV, traces) and the accuracy scorer.
hd_add_unit_test(test_summary
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_summary.c
  LIBS hd_store
  LABELS unit store)

# test_score also drives `heeldrop score` through hd_cmd_score() on the fixtures, so it
# compiles the command's source with it (no need for the whole program).
hd_add_unit_test(test_score
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_score.c ${CMAKE_SOURCE_DIR}/src/cli/cmd_score.c
  LIBS hd_store
  LABELS unit store
  ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/score)
