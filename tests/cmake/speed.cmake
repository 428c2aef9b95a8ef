# Speed: the prefetch reader thread that decodes ahead of the tracker (and keeps the
# decoder's buffers instead of copying frames), over real files made by the video writer.
hd_add_unit_test(test_source_prefetch
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_source_prefetch.c ${CMAKE_CURRENT_SOURCE_DIR}/fakes/clips.c
  LIBS hd_store hd_capture hd_core
  LABELS capture unit speed
  TIMEOUT 120)
