# Flow table, TCP stream tails and overlap policies (engine/flow/flow.c, stream.c, stream_policy.c).
add_library(sw_flow STATIC engine/flow/flow.c engine/flow/stream.c engine/flow/stream_policy.c)
target_link_libraries(sw_flow PUBLIC sw_common)
sw_unit_test(test_flow sw_flow)
sw_unit_test(test_stream sw_flow)
sw_fuzzer(fuzz_stream sw_flow)
