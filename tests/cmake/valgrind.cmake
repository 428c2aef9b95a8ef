# A valgrind run of the whole analysis over the bundled sample: no definite leak, no
# memory error. Not run in the sanitizer build (label slow), where it would not work.
add_test(NAME valgrind_sample COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/valgrind.sh $<TARGET_FILE:heeldrop>)
set_tests_properties(valgrind_sample PROPERTIES LABELS "valgrind;slow" TIMEOUT 900
                     ENVIRONMENT "${HD_TEST_ENV}" SKIP_RETURN_CODE 77)
