# Tests of `heeldrop report` (src/store/report*.c, src/cli/cmd_report.c).

# Builds the fixed data folder (database + session folders) the report tests use; not a
# test itself (scripts/update-report-golden.sh uses it too).
add_executable(report_fixture ${CMAKE_CURRENT_SOURCE_DIR}/unit/report_fixture.c)
target_link_libraries(report_fixture PRIVATE hd_store)

hd_add_script_test(report_golden
  SCRIPT integration/report_golden.sh
  ARGS $<TARGET_FILE:report_fixture>
  LABELS integration report
  TIMEOUT 120)

hd_add_script_test(report_escape
  SCRIPT integration/report_escape.sh
  ARGS $<TARGET_FILE:report_fixture>
  LABELS integration report
  TIMEOUT 120)

# Headless Chromium through playwright-core (tests/browser); skipped (77) without them.
hd_add_script_test(report_browser
  SCRIPT integration/report_browser.sh
  ARGS $<TARGET_FILE:report_fixture>
  LABELS integration report browser
  TIMEOUT 240)
