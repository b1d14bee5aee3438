# EVE JSON output (engine/output/eve.c) and Community ID.
add_library(sw_community_id STATIC engine/output/community_id.c)
target_link_libraries(sw_community_id PUBLIC sw_common PkgConfig::CRYPTO)
sw_unit_test(test_community_id sw_community_id)

add_library(sw_eve STATIC engine/output/eve.c)
target_link_libraries(sw_eve PUBLIC sw_common sw_community_id Threads::Threads)
# flowbit names for the records' "metadata" and "traffic" (sw_eve_writer_set_rules())
target_link_libraries(sw_eve PUBLIC sw_rules)
if(TARGET sw_flow)
  target_link_libraries(sw_eve PUBLIC sw_flow)
  sw_unit_test(test_eve sw_eve)
endif()

# Reject: TCP RST / ICMP unreachable built for a packet (engine/output/reject.c).
if(TARGET sw_decode)
  add_library(sw_reject STATIC engine/output/reject.c)
  target_link_libraries(sw_reject PUBLIC sw_common)
  sw_unit_test(test_reject sw_reject sw_decode)
endif()
