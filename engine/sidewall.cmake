# The sidewall executable and its engine runtime.
if(TARGET sw_detect AND TARGET sw_decode AND TARGET sw_flow AND TARGET sw_config AND TARGET sw_rules)
  add_library(sw_engine STATIC engine/worker.c)
  target_link_libraries(sw_engine PUBLIC sw_detect sw_decode sw_flow sw_eve sw_nfq sw_reject Threads::Threads)
  add_executable(sidewall engine/sidewall.c engine/cli.c engine/metrics.c)
  target_compile_definitions(sidewall PRIVATE SW_DATADIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(sidewall PRIVATE sw_engine sw_capture sw_config sw_rules sw_syslog sw_metrics_http)
endif()
