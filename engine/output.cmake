# EVE JSON output (engine/eve.c).  The flow-state names it prints come from sw_flow.
add_library(sw_eve STATIC engine/eve.c)
target_link_libraries(sw_eve PUBLIC sw_common Threads::Threads)
if(TARGET sw_flow)
  target_link_libraries(sw_eve PUBLIC sw_flow)
endif()
if(TARGET sw_flow)
  sw_unit_test(test_eve sw_eve)
endif()
