# Inline gateway end-to-end test (issue 3): network namespaces, NFQUEUE, the
# real kernel.  Needs root; exits 77 (skipped) without root or NFQUEUE.
if(TARGET sidewall)
  add_test(NAME e2e_inline
           COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/inline/inline_e2e.sh $<TARGET_FILE:sidewall>)
  set_tests_properties(e2e_inline PROPERTIES
                       LABELS e2e
                       SKIP_RETURN_CODE 77
                       TIMEOUT 400
                       # One namespace set at a time: the test measures exact counts.
                       RUN_SERIAL TRUE)
endif()
