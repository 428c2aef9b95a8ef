# ui: the cue scheduler (pure C), overlay screenshots against tests/ui_ref/ under SDL's
# dummy video driver with the software renderer, injected input, and the cue sounds through
# SDL's disk audio driver.
hd_add_unit_test(test_coach
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_coach.c
  LIBS hd_ui hd_reps hd_core
  LABELS unit ui
  TIMEOUT 30)

hd_add_unit_test(test_ui
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_ui.c
  LIBS hd_ui hd_capture hd_reps hd_core
  LABELS ui
  TIMEOUT 120)
target_compile_definitions(test_ui PRIVATE HD_SRC_DIR="${CMAKE_SOURCE_DIR}")

hd_add_unit_test(test_ui_audio
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_ui_audio.c
  LIBS hd_ui hd_reps hd_core
  LABELS ui
  TIMEOUT 60)
set_tests_properties(test_ui_audio PROPERTIES ENVIRONMENT
  "SDL_VIDEODRIVER=dummy;SDL_AUDIODRIVER=disk;SDL_DISKAUDIOFILE=${CMAKE_CURRENT_BINARY_DIR}/ui_audio.raw;HD_DISK_FILE=${CMAKE_CURRENT_BINARY_DIR}/ui_audio.raw")

hd_add_unit_test(test_ui_seek
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_ui_seek.c
  LIBS hd_capture hd_core
  LABELS unit ui capture
  TIMEOUT 120)
target_compile_definitions(test_ui_seek PRIVATE HD_SRC_DIR="${CMAKE_SOURCE_DIR}")

# The review window: overlay state at any moment, screenshots after seeking, clicks.
hd_add_unit_test(test_review_ui
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_review_ui.c
  LIBS hd_ui hd_store hd_capture hd_reps hd_core
  LABELS ui
  TIMEOUT 120)
target_compile_definitions(test_review_ui PRIVATE HD_SRC_DIR="${CMAKE_SOURCE_DIR}")

# `heeldrop review` end to end (video, session folder/id/latest, errors).
hd_add_script_test(review_cli SCRIPT ui/review_cli.sh LABELS ui integration TIMEOUT 300)
# Timing-sensitive (sound onsets within 80 ms of when they were played): alone, so that a
# busy parallel test does not starve SDL's audio thread.
set_tests_properties(test_ui_audio PROPERTIES RUN_SERIAL TRUE)
