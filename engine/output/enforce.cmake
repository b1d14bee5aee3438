# Sensor side of enforcement (issue 4): triggers, spool, delivery to
# sidewall-enforcer (engine/output/enforce.c).  Needs the client library from
# nft/nft.cmake and the EVE writer from engine/output/output.cmake.
if(TARGET sw_enfproto AND TARGET sw_eve AND TARGET sw_config)
  add_library(sw_enforce STATIC engine/output/enforce.c)
  target_link_libraries(sw_enforce PUBLIC sw_enfproto sw_eve sw_config sw_common Threads::Threads)
  sw_unit_test(test_enforce sw_enforce)
  # Workers call sw_enforce_alert() (engine/worker.c), so the engine links it.
  if(TARGET sw_engine)
    target_link_libraries(sw_engine PUBLIC sw_enforce)
  endif()

  # End-to-end in namespaces (root; 77 = skipped): sidewall -r in `sensor`,
  # sidewall-enforcer in `enforcer`, spool and replay across runs.
  if(TARGET sidewall AND TARGET sidewall-enforcer)
    add_test(NAME e2e_enforce_sensor
             COMMAND ${CMAKE_SOURCE_DIR}/tests/e2e/enforce_sensor/enforce_sensor_e2e.sh
                     $<TARGET_FILE:sidewall> $<TARGET_FILE:sidewall-enforcer>)
    set_tests_properties(e2e_enforce_sensor PROPERTIES LABELS e2e SKIP_RETURN_CODE 77 TIMEOUT 300
                         RUN_SERIAL TRUE)
  endif()
endif()
