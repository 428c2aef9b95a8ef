# Synth: the clip generator (truth, kinematics, rendering, the synth command's exit codes).
# cmd_synth.c is compiled in so that the command can be run in-process.
hd_add_unit_test(test_synth
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_synth.c ${CMAKE_SOURCE_DIR}/src/cli/cmd_synth.c
  LIBS hd_synth
  LABELS unit synth
  TIMEOUT 120)
