# The suricata-update loop (issue 13 item 4): Debian's suricata-update merges
# a file:// source and local rules, sidewall -T --allow-rejected checks the
# result, SIGHUP reloads a capturing sidewall.  Needs root (network
# namespaces); exits 77 (skipped) otherwise.
if(TARGET sidewall)
  add_test(NAME e2e_rules_update
           COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/rules_update/rules_update_e2e.sh
                   $<TARGET_FILE:sidewall> ${CMAKE_SOURCE_DIR}/../shared/corpus)
  set_tests_properties(e2e_rules_update PROPERTIES
                       LABELS e2e
                       SKIP_RETURN_CODE 77
                       TIMEOUT 120
                       RUN_SERIAL TRUE)
endif()
