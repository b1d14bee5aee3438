# Packet decoder: link layer -> IP -> L4 (engine/decode/decode.c).
add_library(sw_decode STATIC engine/decode/decode.c)
target_link_libraries(sw_decode PUBLIC sw_common)
sw_unit_test(test_decode sw_decode)
sw_fuzzer(fuzz_decode sw_decode)
