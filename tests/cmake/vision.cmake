# Vision: the tracker's contract on frames made in the test (no clips): one marks per
# frame in order, setup hints, recalibration, a corrupt model file.
hd_add_unit_test(test_tracker_hints
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_tracker_hints.c
  LIBS hd_vision
  LABELS unit vision
  TIMEOUT 60)

# The static-lock check on a generated clip whose first calibration takes the floor.
hd_add_script_test(vision_static_lock SCRIPT integration/static_lock.sh
  LABELS integration vision TIMEOUT 180)

# The lift zone's background and gain on a generated clip with a two-foot rep.
# (about 20 s; 150 s under AddressSanitizer, mostly rendering the clip)
hd_add_script_test(vision_lift_zone SCRIPT integration/lift_zone.sh
  LABELS integration vision TIMEOUT 480)

# A model thrown out by the static-lock check comes back only once seen turned.
# (about 45 s; 380 s under AddressSanitizer, mostly rendering the 1280x720 50 fps clip,
# the size at which the flat-patch lock happens)
hd_add_script_test(vision_static_comeback SCRIPT integration/static_comeback.sh
  LABELS integration vision TIMEOUT 900)
