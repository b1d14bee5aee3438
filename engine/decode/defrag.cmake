# IP defragmentation (engine/decode/defrag.c): per-worker, pooled, packet time.
add_library(sw_defrag STATIC engine/decode/defrag.c)
target_link_libraries(sw_defrag PUBLIC sw_common)
if(TARGET sw_decode AND TARGET sw_config)
  sw_unit_test(test_defrag sw_defrag sw_decode sw_config)
endif()
if(TARGET sw_decode)
  sw_fuzzer(fuzz_defrag sw_defrag sw_decode)
endif()
# The engine (engine/sidewall.cmake) runs it between decode and the flow table.
if(TARGET sw_engine)
  target_link_libraries(sw_engine PUBLIC sw_defrag)
endif()
