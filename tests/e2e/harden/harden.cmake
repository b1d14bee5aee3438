# Running hardened end-to-end test (DESIGN.md): sidewall -i / -q --user in
# network namespaces, checked from /proc; sidewall-enforcer as its unit runs
# it.  Needs root; exits 77 (skipped) without root or the tools.
if(TARGET sidewall)
  set(_sw_harden_args $<TARGET_FILE:sidewall>)
  if(TARGET sidewall-enforcer)
    list(APPEND _sw_harden_args $<TARGET_FILE:sidewall-enforcer>)
  endif()
  add_test(NAME e2e_harden
           COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/harden/harden_e2e.sh ${_sw_harden_args})
  set_tests_properties(e2e_harden PROPERTIES
                       LABELS e2e
                       SKIP_RETURN_CODE 77
                       TIMEOUT 300
                       # Creates and removes a system user; NFQUEUE queues 0-1 in its own namespace.
                       RUN_SERIAL TRUE)
endif()
