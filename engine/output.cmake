# EVE JSON output (engine/eve.c) and Community ID.
add_library(sw_community_id STATIC engine/community_id.c)
target_link_libraries(sw_community_id PUBLIC sw_common PkgConfig::CRYPTO)
sw_unit_test(test_community_id sw_community_id)

add_library(sw_eve STATIC engine/eve.c)
target_link_libraries(sw_eve PUBLIC sw_common sw_community_id Threads::Threads)
if(TARGET sw_flow)
  target_link_libraries(sw_eve PUBLIC sw_flow)
  sw_unit_test(test_eve sw_eve)
endif()
