# Passive tap end-to-end test (issue 5): namespaces a, b and tap, sidewall
# and tcpdump capturing on the bridge port, counts checked against the
# capture.  Needs root, ip and tcpdump; exits 77 (skipped) otherwise.
if(TARGET sidewall)
  add_test(NAME e2e_passive
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/passive/passive_e2e.py
                   --sidewall $<TARGET_FILE:sidewall>
                   --src ${CMAKE_SOURCE_DIR}
                   --schema ${CMAKE_SOURCE_DIR}/../shared/reference/eve-schema.json)
  set_tests_properties(e2e_passive PROPERTIES
                       LABELS e2e
                       SKIP_RETURN_CODE 77
                       TIMEOUT 180
                       RUN_SERIAL TRUE)
endif()
