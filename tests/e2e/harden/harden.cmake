# Running hardened end-to-end test (DESIGN.md): sidewall -i / -q --user in
# network namespaces, checked from /proc.  Needs root; exits 77 (skipped)
# without root or the tools.
if(TARGET sidewall)
  add_test(NAME e2e_harden
           COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/harden/harden_e2e.sh $<TARGET_FILE:sidewall>)
  set_tests_properties(e2e_harden PROPERTIES
                       LABELS e2e
                       SKIP_RETURN_CODE 77
                       TIMEOUT 300
                       # Creates and removes a system user; NFQUEUE queues 0-1 in its own namespace.
                       RUN_SERIAL TRUE)
endif()
