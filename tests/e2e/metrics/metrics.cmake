# Prometheus endpoint end-to-end (issue 13 item 3): sidewall -i in namespaces
# and sidewall-enforcer in one, scraped with curl, checked against EVE stats
# and the enforcer's own stats.  Needs root; exits 77 (skipped) otherwise.
if(TARGET sidewall)
  add_test(NAME e2e_metrics_sensor
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/metrics/metrics_e2e.py sensor
                   --sidewall $<TARGET_FILE:sidewall>)
  set_tests_properties(e2e_metrics_sensor PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 180
                       RUN_SERIAL TRUE)
  add_test(NAME e2e_metrics_inline
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/metrics/metrics_e2e.py inline
                   --sidewall $<TARGET_FILE:sidewall>)
  set_tests_properties(e2e_metrics_inline PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 180
                       RUN_SERIAL TRUE)
endif()
if(TARGET sidewall-enforcer AND TARGET sw_enf_testclient)
  add_test(NAME e2e_metrics_enforcer
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/e2e/metrics/metrics_e2e.py enforcer
                   --enforcer $<TARGET_FILE:sidewall-enforcer> --client $<TARGET_FILE:sw_enf_testclient>)
  set_tests_properties(e2e_metrics_enforcer PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 180
                       RUN_SERIAL TRUE)
endif()
