# Capture: the file source and the video writer, tested as a round trip through real
# libavformat/libavcodec files made in a temporary folder.
hd_add_unit_test(test_source_file
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_source_file.c ${CMAKE_CURRENT_SOURCE_DIR}/fakes/clips.c
  LIBS hd_store hd_capture hd_core
  LABELS capture unit
  TIMEOUT 120)
hd_add_unit_test(test_video_writer
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_video_writer.c ${CMAKE_CURRENT_SOURCE_DIR}/fakes/clips.c
  LIBS hd_store hd_capture hd_core
  LABELS capture unit
  TIMEOUT 120)
